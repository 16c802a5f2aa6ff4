/**
 * Control-plane "nodes" as namespaces. Each node is
 * - a network namespace `cp-N` (with NETNS_PREFIX in front when set) whose `eth0` (a veth whose other end is on the lab's bridge) has the runbook pages'
 *   example address 10.0.0.1N/24, with loopback up and no default route, so it reaches nothing but the other nodes
 *   and the bridge's own address;
 * - a persistent mount namespace in which the paths in NODE_OWN_PATHS are bind mounts of the node's own folder
 *   (<lab root>/nodes/cp-N/<path>), so /etc/kubernetes, /var/lib (with /var/lib/etcd and /var/lib/kubelet),
 *   /var/backups and the rest are that node's own, while /usr, /bin and the rest of /etc are the host's;
 * - a persistent UTS namespace whose hostname is the node name.
 * The mount and UTS namespaces are kept by bind-mounting their /proc files into a private folder (as `ip netns`
 * does for network namespaces), so any number of commands can join them with nsenter.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LabState } from './teardown.ts';
import { writeState } from './teardown.ts';
import { labCacheDir } from './versions.ts';

export const BRIDGE = 'hblab0';
export const SUBNET_PREFIX = '10.0.0';
export const PREFIX_LENGTH = 24;
/**
 * Prefix of the nodes' network-namespace names. `ip netns` names are files in /run/netns, shared by every network
 * namespace of the machine, so a second lab run in a network namespace of its own (scripts/in-own-network.sh, beside
 * the kubeadm lab on the host) names its nodes' namespaces `<prefix>cp-1`… instead of `cp-1`. Inside the nodes
 * nothing changes: the hostname, addresses and paths are the same.
 */
export const NETNS_PREFIX = labNetnsPrefix(process.env['HANDBOOK_LAB_NETNS_PREFIX']);

function labNetnsPrefix(value: string | undefined): string {
  if (value === undefined || value === '') return '';
  // Part of an interface-free file name and of `ip netns` arguments: keep it short and plain.
  if (!/^[a-z][a-z0-9-]{0,7}$/.test(value)) throw new Error(`HANDBOOK_LAB_NETNS_PREFIX must be 1-8 lower-case letters, digits or '-', starting with a letter (got ${JSON.stringify(value)})`);
  return value;
}

/** The host's address on the bridge: in the pages' /24, used by no page as a node or load balancer. */
export const BRIDGE_ADDRESS = `${SUBNET_PREFIX}.1`;

/**
 * Paths that are each node's own. /var/lib as a whole (not only /var/lib/etcd) because the pages move the data
 * directory to siblings (`/var/lib/etcd.removed-…`, `/var/lib/etcd-restored`); a bind mount on /var/lib/etcd
 * itself could not be renamed. Nothing a node runs needs the host's /var/lib.
 */
export const NODE_OWN_PATHS = [
  '/etc/kubernetes',
  '/etc/etcd',
  '/etc/systemd/system',
  '/etc/cni',
  '/var/lib',
  '/var/backups',
  '/var/log',
  '/usr/local/sbin',
  '/srv',
  '/tmp',
  '/root/.kube',
] as const;

export interface NodeSpec {
  index: number;
  name: string;
  address: string;
  /** <lab root>/nodes/cp-N: the node's own files, seen from the host. */
  root: string;
  netns: string;
  veth: string;
  mountNs: string;
  utsNs: string;
}

function sh(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status}): ${(result.stderr ?? '').trim() || (result.stdout ?? '').trim()}`);
  }
  return result.stdout ?? '';
}

/**
 * A group of nodes: `<prefix>-1`… at `<SUBNET_PREFIX>.<firstHost>`…, numbered from `firstIndex` in the lab's node list.
 * The control-plane nodes are `cp-1`… at 10.0.0.11…; the kubeadm lab's external etcd hosts are `etcd-1`… at 10.0.0.21….
 */
export interface NodeGroup {
  prefix: string;
  firstHost: number;
}

export const CONTROL_PLANE_GROUP: NodeGroup = { prefix: 'cp', firstHost: 11 };
export const EXTERNAL_ETCD_GROUP: NodeGroup = { prefix: 'etcd', firstHost: 21 };

export function nodeSpecs(root: string, count: number, group: NodeGroup = CONTROL_PLANE_GROUP, firstIndex = 1): NodeSpec[] {
  return Array.from({ length: count }, (_, i) => {
    const index = firstIndex + i;
    const name = `${group.prefix}-${i + 1}`;
    return {
      index,
      name,
      address: `${SUBNET_PREFIX}.${group.firstHost + i}`,
      root: path.join(root, 'nodes', name),
      netns: `${NETNS_PREFIX}${name}`,
      veth: `hblab-${name}`,
      mountNs: path.join(root, 'ns', `${name}.mnt`),
      utsNs: path.join(root, 'ns', `${name}.uts`),
    };
  });
}

/**
 * Refuses to start when the lab could collide with this machine's own networking: the names exist already, or the
 * host already has an address or route in the lab's /24 (adding ours could hijack real traffic).
 */
export function checkHostBeforeStart(nodes: NodeSpec[]): void {
  if (process.getuid?.() !== 0) throw new Error('the lab needs root (network, mount and UTS namespaces)');
  const links = sh('ip', ['-o', 'link', 'show']);
  for (const name of [BRIDGE, ...nodes.map((node) => node.veth)]) {
    if (new RegExp(`^\\d+: ${name}[@:]`, 'm').test(links)) throw new Error(`a link named ${name} exists already; is another lab running?`);
  }
  const namespaces = sh('ip', ['netns', 'list']);
  for (const node of nodes) {
    if (new RegExp(`^${node.netns}( |$)`, 'm').test(namespaces)) throw new Error(`network namespace ${node.netns} exists already; is another lab running?`);
  }
  const addresses = sh('ip', ['-o', '-4', 'addr', 'show']);
  if (addresses.includes(` ${SUBNET_PREFIX}.`)) throw new Error(`this host already has an address in ${SUBNET_PREFIX}.0/${PREFIX_LENGTH}; the lab will not add a second one`);
  const routes = sh('ip', ['-4', 'route', 'show', 'match', `${SUBNET_PREFIX}.0/${PREFIX_LENGTH}`]).split('\n').filter((line) => line.trim() !== '' && !line.startsWith('default'));
  if (routes.length > 0) throw new Error(`this host already routes ${SUBNET_PREFIX}.0/${PREFIX_LENGTH} (${routes.join('; ')}); the lab will not shadow it`);
}

/** Bridge, namespaces and veths; records each in `state` before creating it. */
export function createNetwork(state: LabState, nodes: NodeSpec[]): void {
  state.bridge = BRIDGE;
  writeState(state);
  sh('ip', ['link', 'add', BRIDGE, 'type', 'bridge']);
  sh('ip', ['addr', 'add', `${BRIDGE_ADDRESS}/${PREFIX_LENGTH}`, 'dev', BRIDGE]);
  sh('ip', ['link', 'set', BRIDGE, 'up']);
  for (const node of nodes) {
    state.netns.push(node.netns);
    state.veths.push(node.veth);
    writeState(state);
    sh('ip', ['netns', 'add', node.netns]);
    sh('ip', ['link', 'add', node.veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', node.netns]);
    sh('ip', ['link', 'set', node.veth, 'master', BRIDGE, 'up']);
    sh('ip', ['-n', node.netns, 'addr', 'add', `${node.address}/${PREFIX_LENGTH}`, 'dev', 'eth0']);
    sh('ip', ['-n', node.netns, 'link', 'set', 'eth0', 'up']);
    sh('ip', ['-n', node.netns, 'link', 'set', 'lo', 'up']);
  }
}

/**
 * The checks the project's safety rule asks for before any traffic: from the host, every node address routes via
 * the lab bridge; inside every node there is no default route and the other nodes route via its eth0.
 */
export function checkRoutes(nodes: NodeSpec[], extraAddresses: string[] = []): void {
  for (const address of [...nodes.map((node) => node.address), ...extraAddresses]) {
    const route = sh('ip', ['route', 'get', address]);
    if (!new RegExp(`\\bdev ${BRIDGE}\\b`).test(route)) throw new Error(`ip route get ${address} does not use the lab bridge ${BRIDGE}: ${route.trim()}`);
  }
  for (const node of nodes) {
    const defaults = sh('ip', ['-n', node.netns, 'route', 'show', 'default']).trim();
    if (defaults !== '') throw new Error(`node ${node.name} has a default route (${defaults}); the lab refuses to run`);
    for (const other of nodes) {
      const route = sh('ip', ['-n', node.netns, 'route', 'get', other.address]);
      const expected = other === node ? /\bdev lo\b/ : /\bdev eth0\b/;
      if (!expected.test(route)) throw new Error(`in ${node.name}, ip route get ${other.address} gives ${route.trim()}`);
    }
  }
}

/** The repository the lab runs from: the stand-in, its shims and the pages' helper scripts are files in it. */
const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

/** The node-own path under which `dir` lies (a node would see its own empty folder there, not the host's), if any. */
export function nodeOwnPathHolding(dir: string): string | undefined {
  return NODE_OWN_PATHS.find((own) => dir === own || dir.startsWith(`${own}/`));
}

/**
 * Host folders every node must see at their own paths although they lie under a node-own path: the repository (the
 * stand-in's script, its shims, the pages' helper scripts), the lab's binary cache (the kubeadm lab's wrappers exec
 * the binaries there) and the folder of the Node binary this process runs (the stand-in and the shims run on it;
 * .ci/run installs Node under HANDBOOK_NODE_PREFIX, which can be under /tmp). A CI clone or a HANDBOOK_LAB_CACHE under /tmp would otherwise vanish behind the node's
 * own /tmp. A folder inside another listed one comes along with it and is left out.
 */
export function hostFoldersNodesKeep(): string[] {
  const hidden = [...new Set([REPO_ROOT, labCacheDir(), path.dirname(process.execPath)])].filter((dir) => nodeOwnPathHolding(dir) !== undefined && existsSync(dir));
  return hidden.filter((dir) => !hidden.some((other) => other !== dir && dir.startsWith(`${other}/`)));
}

/** The script run in a new mount + UTS namespace to make a node's own paths and hostname. */
function nodeSetupScript(node: NodeSpec, nsDir: string): string {
  const quote = (value: string) => JSON.stringify(value);
  const binds = NODE_OWN_PATHS.map((target) => `mount --bind ${quote(path.join(node.root, target))} ${quote(target)}`);
  // Hold each folder the node must keep at a lab path before the binds hide it, and put it back at its own path
  // after them.
  const kept = hostFoldersNodesKeep().map((dir, i) => ({ dir, holder: path.join(path.dirname(nsDir), `kept-${i}`) }));
  return [
    'set -eu',
    // The copies of the namespace files (other nodes' and the network namespaces') would keep those namespaces
    // alive from inside this one; drop them.
    `umount -l ${quote(nsDir)} 2>/dev/null || true`,
    'umount -l /run/netns 2>/dev/null || true',
    ...kept.flatMap(({ dir, holder }) => [`mkdir -p ${quote(holder)}`, `mount --bind ${quote(dir)} ${quote(holder)}`]),
    ...binds,
    ...kept.flatMap(({ dir, holder }) => [`mkdir -p ${quote(dir)}`, `mount --bind ${quote(holder)} ${quote(dir)}`]),
    `hostname ${node.name}`,
  ].join('\n');
}

/** Node folders, host mount points, and the persistent mount + UTS namespaces. */
export function createNodeNamespaces(state: LabState, nodes: NodeSpec[]): void {
  const nsDir = path.join(state.root, 'ns');
  mkdirSync(nsDir, { recursive: true });
  state.nsDir = nsDir;
  writeState(state);
  sh('mount', ['--bind', nsDir, nsDir]);
  sh('mount', ['--make-private', nsDir]);
  for (const target of NODE_OWN_PATHS) {
    if (existsSync(target)) continue;
    // Record first: a crash between mkdir and the record must not leave an unknown directory behind.
    const missing: string[] = [];
    for (let dir: string = target; !existsSync(dir); dir = path.dirname(dir)) missing.unshift(dir);
    state.createdMountPoints.push(...missing);
    writeState(state);
    mkdirSync(target, { recursive: true, mode: 0o755 });
  }
  for (const node of nodes) {
    for (const target of NODE_OWN_PATHS) mkdirSync(path.join(node.root, target), { recursive: true, mode: target === '/tmp' ? 0o1777 : 0o755 });
    execFileSync('chmod', ['1777', path.join(node.root, 'tmp')]);
    for (const file of [node.mountNs, node.utsNs]) {
      writeFileSync(file, '');
      state.nsFiles.push(file);
    }
    writeState(state);
    sh('unshare', [`--mount=${node.mountNs}`, `--uts=${node.utsNs}`, '--propagation', 'private', '--', 'bash', '-c', nodeSetupScript(node, nsDir)]);
  }
}

/** argv that runs `argv` inside the node's network, mount and UTS namespaces, in `cwd` (a path inside the node). */
export function nsenterArgv(node: NodeSpec, argv: string[], cwd = '/root'): string[] {
  return ['nsenter', `--net=/run/netns/${node.netns}`, `--mount=${node.mountNs}`, `--uts=${node.utsNs}`, `--wd=${cwd}`, '--', ...argv];
}
