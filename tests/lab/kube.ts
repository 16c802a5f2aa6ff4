/**
 * A real kubeadm control plane on the lab's three nodes (tests/lab/lab.ts): `kubeadm init` on cp-1 and
 * `kubeadm join --control-plane` on cp-2 and cp-3, stacked etcd, HAProxy on the host at the load-balancer page's
 * address (10.0.0.10:6443, only on the lab bridge) as `controlPlaneEndpoint` k8s-api.example.internal:6443.
 *
 *   const kube = await KubeLab.start();            // fails loudly without the Kubernetes binaries
 *   await kube.kubectl(1, 'get nodes');
 *   await kube.close();                            // lab teardown, HAProxy included
 *
 * What a kubelet does for kubeadm is split in two: the lab's stand-in (standin.ts) runs the static pods, and
 * kubeagent.ts (one per node) writes kubelet.conf on a joining node, registers and heartbeats the Node and keeps the
 * mirror pods. See tests/lab/README.md, "The kubeadm lab".
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { labBinDir, labVersion } from '../../lab/bin-path.mjs';
import { Lab, type LabNode, type RunResult } from './lab.ts';
import { hostFoldersNodesKeep } from './nodes.ts';
import { REPO_ROOT } from './versions.ts';

export const KUBERNETES_MINOR = '1.37';
/**
 * kubeadm 1.37.2 asks for etcd 3.7.0-0 (`constants.DefaultEtcdVersion`; its SupportedEtcdVersion map stops at 1.36,
 * also 3.7.0-0). The lab builds the newest 3.7 patch (lab/versions.json), the nearest release to that pin.
 */
export const KUBEADM_ETCD_MINOR = '3.7';
export const LB_DNS = 'k8s-api.example.internal';
export const LB_VIP = '10.0.0.10';
export const LB_PORT = 6443;
export const BOOTSTRAP_TOKEN = 'abcdef.0123456789abcdef';
export const KUBE_BINARIES = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl', 'kubeadm'] as const;
export const CRI_SOCKET = 'unix:///var/run/containerd/containerd.sock';

/**
 * Preflight checks that fail in the lab because it has no container runtime, no kubelet binary and no systemd, and
 * are therefore downgraded to warnings by name (`--ignore-preflight-errors`). kube.test.ts checks that each of them
 * really fails in the lab and that no other check does. Every other preflight check runs.
 */
export const LAB_IGNORED_PREFLIGHT_CHECKS = ['CRI', 'ContainerRuntimeVersion', 'ImagePull', 'KubeletVersion', 'SystemVerification', 'FileContent--proc-sys-net-ipv4-ip_forward'];

const AGENT_SCRIPT = path.join(REPO_ROOT, 'tests', 'lab', 'kubeagent.ts');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface KubeTimings {
  labMs: number;
  initMs: number;
  joinMs: number[];
  readyMs: number;
  totalMs: number;
  /** External etcd only: certificates, manifests and a healthy three-member cluster. */
  externalEtcdMs: number;
}

export interface KubeLabOptions {
  log?: (line: string) => void;
  /** Nodes to join after cp-1 (default [2, 3]). */
  join?: number[];
  /**
   * `stacked` (default): kubeadm's local etcd on cp-1..cp-3. `external`: three etcd hosts etcd-1..etcd-3
   * (10.0.0.21-23) set up as in the upstream task "Set up a High Availability etcd cluster with kubeadm" (etcd CA
   * and certificates made with `kubeadm init phase certs` on etcd-1, static pods from `kubeadm init phase etcd
   * local`, run by the stand-in), and `etcd.external` in the ClusterConfiguration.
   */
  etcd?: 'stacked' | 'external';
}

/** The external etcd hosts' client URLs and the file paths kubeadm's `etcd.external` names on the control plane. */
export const EXTERNAL_ETCD = {
  hosts: 3,
  caFile: '/etc/kubernetes/pki/etcd/ca.crt',
  certFile: '/etc/kubernetes/pki/apiserver-etcd-client.crt',
  keyFile: '/etc/kubernetes/pki/apiserver-etcd-client.key',
} as const;

/** The kubeadm binaries' folder; throws naming the build command when they are missing (tests fail, never skip). */
export function kubernetesBinDir(): string {
  const dir = labBinDir('kubernetes', KUBERNETES_MINOR);
  const missing = KUBE_BINARIES.filter((binary) => !existsSync(path.join(dir, binary)));
  if (missing.length > 0) {
    throw new Error(`the Kubernetes ${labVersion('kubernetes', KUBERNETES_MINOR)} binaries are missing in ${dir} (${missing.join(', ')}): run \`npm run lab:build -- --kubernetes\` first`);
  }
  return dir;
}

export class KubeLab {
  readonly lab: Lab;
  readonly version: string;
  readonly binDir: string;
  readonly timings: KubeTimings = { labMs: 0, initMs: 0, joinMs: [], readyMs: 0, totalMs: 0, externalEtcdMs: 0 };
  readonly etcdTopology: 'stacked' | 'external';
  private readonly print: (line: string) => void;

  private constructor(lab: Lab, binDir: string, print: (line: string) => void, etcdTopology: 'stacked' | 'external') {
    this.lab = lab;
    this.binDir = binDir;
    this.etcdTopology = etcdTopology;
    this.version = `v${labVersion('kubernetes', KUBERNETES_MINOR)}`;
    this.print = print;
  }

  static async start(options: KubeLabOptions = {}): Promise<KubeLab> {
    const binDir = kubernetesBinDir();
    const print = options.log ?? ((line: string) => console.log(line));
    const started = Date.now();
    const topology = options.etcd ?? 'stacked';
    const lab = await Lab.start({ etcd: KUBEADM_ETCD_MINOR, bringUp: 'none', log: print, etcdHosts: topology === 'external' ? EXTERNAL_ETCD.hosts : 0 });
    const kube = new KubeLab(lab, binDir, print, topology);
    try {
      kube.prepareNodes();
      kube.startHaproxy();
      kube.timings.labMs = Date.now() - started - lab.timings.waitMs;
      if (topology === 'external') {
        const etcdStarted = Date.now();
        await kube.startExternalEtcd();
        kube.timings.externalEtcdMs = Date.now() - etcdStarted;
      }
      for (const node of lab.controlPlaneNodes) kube.startAgent(node.index);
      await kube.probePreflight();
      const initStarted = Date.now();
      await kube.init();
      kube.timings.initMs = Date.now() - initStarted;
      for (const index of options.join ?? [2, 3]) {
        const joinStarted = Date.now();
        await kube.join(index);
        kube.timings.joinMs.push(Date.now() - joinStarted);
      }
      const readyStarted = Date.now();
      await kube.waitNodesReady([1, ...(options.join ?? [2, 3])]);
      kube.timings.readyMs = Date.now() - readyStarted;
    } catch (error) {
      kube.print(kube.diagnostics());
      await lab.close().catch((closeError: unknown) => kube.print(String(closeError)));
      throw error;
    }
    kube.timings.totalMs = Date.now() - started - lab.timings.waitMs;
    return kube;
  }

  /** PATH inside a node: the lab's shims (kubeadm wrapper, kube binaries, systemctl/crictl) and etcd first. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return this.lab.env(extra);
  }

  run(node: number, script: string, timeoutMs = 120_000): Promise<RunResult> {
    return this.lab.run(node, script, { timeoutMs });
  }

  /** kubectl inside a node with admin.conf. */
  kubectl(node: number, args: string, timeoutMs = 60_000): Promise<RunResult> {
    return this.lab.run(node, `kubectl --kubeconfig=/etc/kubernetes/admin.conf ${args}`, { timeoutMs });
  }

  /**
   * Voting and learner members as etcd reports them from a node (`member list -w json`): name, peer URLs, learner.
   */
  async etcdMembers(from: number | string): Promise<{ id: string; name: string; peerURLs: string[]; isLearner: boolean }[]> {
    const result = await this.lab.etcdctl(from, ['member', 'list', '-w', 'json', '--hex'], { endpoints: [this.lab.node(from).clientUrl] });
    if (result.code !== 0) throw new Error(`member list on ${this.lab.node(from).name}: ${result.stderr}`);
    const members = (JSON.parse(result.stdout) as { members?: { ID?: string | number; name?: string; peerURLs?: string[]; isLearner?: boolean }[] }).members ?? [];
    return members.map((member) => ({ id: String(member.ID ?? ''), name: member.name ?? '', peerURLs: member.peerURLs ?? [], isLearner: member.isLearner === true }));
  }

  /** Node name → Ready condition status, from the API through HAProxy. */
  async nodeReadiness(from = 1): Promise<Record<string, string>> {
    const result = await this.kubectl(from, `get nodes -o jsonpath='{range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}'`);
    if (result.code !== 0) throw new Error(`kubectl get nodes: ${result.stderr}`);
    return Object.fromEntries(result.stdout.trim().split('\n').filter(Boolean).map((line) => line.split('=') as [string, string]));
  }

  async waitNodesReady(nodes: number[], timeoutMs = 180_000, from = 1): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last: Record<string, string> = {};
    while (Date.now() < deadline) {
      try {
        last = await this.nodeReadiness(from);
        if (nodes.every((index) => last[`cp-${index}`] === 'True')) return;
      } catch {
        // The API may be restarting; try again.
      }
      await sleep(2000);
    }
    throw new Error(`nodes ${nodes.map((index) => `cp-${index}`).join(', ')} not Ready after ${timeoutMs} ms: ${JSON.stringify(last)}`);
  }

  /** Starts the node agent (kubelet API side) in a node; again after powerOn. */
  startAgent(index: number): void {
    const node = this.lab.node(index);
    const stateDir = this.lab.hostPath(index, '/var/lib/kubelet/standin');
    mkdirSync(stateDir, { recursive: true });
    const child = this.lab.spawn(index, [process.execPath, AGENT_SCRIPT, '--node', node.name, '--address', node.address, '--version', this.version, '--lab-root', this.lab.root], {
      detached: true,
      stdio: 'ignore',
      cwd: '/',
    });
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start the kube agent on ${node.name}`);
    this.lab.trackProcess(child.pid);
  }

  /** The rebuilt machine: a node whose processes are gone and whose own folders are empty, booted again. */
  async wipeNode(index: number): Promise<void> {
    await this.lab.powerOff(index);
    const root = this.lab.node(index).root;
    for (const own of ['etc/kubernetes', 'var/lib', 'tmp', 'srv', 'var/log', 'var/backups', 'root/.kube']) {
      const dir = path.join(root, own);
      if (!existsSync(dir)) continue;
      // A checkout or lab cache under /tmp (a CI clone) is bind-mounted back into the node at its own path
      // (nodes.ts hostFoldersNodesKeep); the folder it is mounted on lies in the node's /tmp. Removing that folder
      // from the host would detach the mount inside the node (Linux detaches mounts on a removed mount point), and
      // with it the stand-in's shims or the binaries: keep it.
      const keptEntries = new Set(hostFoldersNodesKeep().filter((kept) => kept.startsWith(`/${own}/`)).map((kept) => kept.slice(own.length + 2).split('/')[0]));
      for (const entry of readdirSync(dir)) if (!keptEntries.has(entry)) rmSync(path.join(dir, entry), { recursive: true, force: true });
    }
    this.lab.powerOn(index);
    this.startAgent(index);
  }

  diagnostics(): string {
    const parts: string[] = [];
    for (const node of this.lab.etcdHostNodes) {
      parts.push(`--- ${node.name} stand-in log (last 10)\n${this.lab.standinLog(node.index).trimEnd().split('\n').slice(-10).join('\n')}`);
      parts.push(`--- ${node.name} etcd (last 8)\n${this.lab.podLog(node.index, 'etcd', 8)}`);
    }
    for (const node of this.lab.controlPlaneNodes) {
      const agentLog = this.lab.hostPath(node.index, '/var/lib/kubelet/standin/kubeagent.log');
      parts.push(`--- ${node.name} stand-in log (last 15)\n${this.lab.standinLog(node.index).trimEnd().split('\n').slice(-15).join('\n')}`);
      parts.push(`--- ${node.name} kubeagent log (last 10)\n${existsSync(agentLog) ? readFileSync(agentLog, 'utf8').trimEnd().split('\n').slice(-10).join('\n') : '(none)'}`);
      for (const pod of ['kube-apiserver', 'etcd']) parts.push(`--- ${node.name} ${pod} (last 8)\n${this.lab.podLog(node.index, pod, 8)}`);
    }
    return parts.join('\n');
  }

  async close(): Promise<void> {
    await this.lab.close();
  }

  // -------------------------------------------------------------------------------------------------------------

  /**
   * The nodes as fresh machines with the packages installed: kube binaries (and the kubeadm wrapper) on PATH, no
   * PKI (the lab's etcd-only PKI is removed: kubeadm makes its own), and an /etc/hosts that resolves the load
   * balancer's name, as the cluster's DNS would.
   */
  private prepareNodes(): void {
    const shims = this.lab.shimDir;
    for (const binary of KUBE_BINARIES) {
      if (binary === 'kubeadm') continue;
      symlinkSync(path.join(this.binDir, binary), path.join(shims, binary));
    }
    writeFileSync(
      path.join(shims, 'kubeadm'),
      [
        '#!/bin/sh',
        '# handbook lab kubeadm wrapper (tests/lab/kube.ts): the lab has no container runtime, kubelet binary or',
        '# systemd, so `kubeadm init` and `kubeadm join` get the checks that need them downgraded to warnings.',
        `real=${JSON.stringify(path.join(this.binDir, 'kubeadm'))}`,
        'case "$1 $2" in',
        '  "init phase"*|"join phase"*) exec "$real" "$@" ;;',
        `  init*|join*) echo "[handbook lab] kubeadm $1: added --ignore-preflight-errors=${LAB_IGNORED_PREFLIGHT_CHECKS.join(',')}" >&2`,
        `    exec "$real" "$@" --ignore-preflight-errors=${LAB_IGNORED_PREFLIGHT_CHECKS.join(',')} ;;`,
        '  *) exec "$real" "$@" ;;',
        'esac',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    const hosts = `${readFileSync('/etc/hosts', 'utf8').trimEnd()}\n# handbook lab\n${LB_VIP} ${LB_DNS}\n${this.lab.nodes.map((node) => `${node.address} ${node.name}`).join('\n')}\n`;
    for (const node of this.lab.nodes) {
      rmSync(this.lab.hostPath(node.index, '/etc/kubernetes/pki'), { recursive: true, force: true });
      mkdirSync(this.lab.hostPath(node.index, '/etc/kubernetes/manifests'), { recursive: true });
      mkdirSync(this.lab.hostPath(node.index, '/srv/kubeadm'), { recursive: true });
      writeFileSync(this.lab.hostPath(node.index, '/srv/kubeadm/hosts'), hosts);
    }
  }

  /**
   * The external etcd cluster, as the upstream task "Set up a High Availability etcd cluster with kubeadm" builds it
   * (kubernetes.io, tasks/administer-cluster/setup-ha-etcd-with-kubeadm): one kubeadm config per host with the
   * guide's `etcd.local` extraArgs; on the first host the etcd CA (`kubeadm init phase certs etcd-ca`) and every
   * host's server, peer, health-check and API-server client certificates, each host's set copied aside and the CA key
   * kept on the first host only; each host's files moved into its /etc/kubernetes; `kubeadm init phase etcd local`
   * on each host writes the static pod the stand-in runs. Then the CA certificate and the API server's etcd client
   * certificate go to cp-1, as the upstream HA guide's external-etcd steps copy them before `kubeadm init`.
   *
   * Where the lab departs from the guide: the configs live in /srv/kubeadm (a node's own folder) instead of $HOME,
   * which the nodes share; the etcd CA command gets the first host's config, because without one kubeadm picks
   * its address from the default route, which lab nodes do not have; `encryptionAlgorithm: ECDSA-P256` as in
   * the control plane's config; the hosts' kubelet systemd drop-in is the stand-in.
   */
  private async startExternalEtcd(): Promise<void> {
    const hosts = this.lab.etcdHostNodes;
    const first = hosts[0];
    if (first === undefined) throw new Error('the lab has no external etcd hosts');
    const initialCluster = hosts.map((node) => `${node.name}=${node.peerUrl}`).join(',');
    const config = (node: LabNode): string =>
      [
        '---',
        'apiVersion: "kubeadm.k8s.io/v1beta4"',
        'kind: InitConfiguration',
        'nodeRegistration:',
        `    name: ${node.name}`,
        'localAPIEndpoint:',
        `    advertiseAddress: ${node.address}`,
        '---',
        'apiVersion: "kubeadm.k8s.io/v1beta4"',
        'kind: ClusterConfiguration',
        `kubernetesVersion: ${this.version}`,
        'encryptionAlgorithm: ECDSA-P256',
        'etcd:',
        '    local:',
        '        serverCertSANs:',
        `        - "${node.address}"`,
        '        peerCertSANs:',
        `        - "${node.address}"`,
        '        extraArgs:',
        '        - name: initial-cluster',
        `          value: ${initialCluster}`,
        '        - name: initial-cluster-state',
        '          value: new',
        '        - name: name',
        `          value: ${node.name}`,
        '        - name: listen-peer-urls',
        `          value: ${node.peerUrl}`,
        '        - name: listen-client-urls',
        `          value: ${node.clientUrl}`,
        '        - name: advertise-client-urls',
        `          value: ${node.clientUrl}`,
        '        - name: initial-advertise-peer-urls',
        `          value: ${node.peerUrl}`,
        '',
      ].join('\n');
    for (const node of hosts) {
      const dir = this.lab.hostPath(first.index, `/tmp/${node.address}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'kubeadmcfg.yaml'), config(node));
    }
    // The guide's certificate steps, on the first host: the other hosts' sets first, each copied aside and the
    // non-reusable files removed, then the first host's own set, which stays in place.
    const others = hosts.slice(1).reverse();
    const script = [
      'set -eu',
      `kubeadm init phase certs etcd-ca --config=/tmp/${first.address}/kubeadmcfg.yaml`,
      ...others.flatMap((node) => [
        ...['etcd-server', 'etcd-peer', 'etcd-healthcheck-client', 'apiserver-etcd-client'].map((phase) => `kubeadm init phase certs ${phase} --config=/tmp/${node.address}/kubeadmcfg.yaml`),
        `cp -R /etc/kubernetes/pki /tmp/${node.address}/`,
        'find /etc/kubernetes/pki -not -name ca.crt -not -name ca.key -type f -delete',
      ]),
      ...['etcd-server', 'etcd-peer', 'etcd-healthcheck-client', 'apiserver-etcd-client'].map((phase) => `kubeadm init phase certs ${phase} --config=/tmp/${first.address}/kubeadmcfg.yaml`),
      ...others.map((node) => `find /tmp/${node.address} -name ca.key -type f -delete`),
      `cp /tmp/${first.address}/kubeadmcfg.yaml /srv/kubeadm/kubeadmcfg.yaml`,
    ].join('\n');
    this.print(`kube lab: external etcd: certificates on ${first.name} (kubeadm init phase certs)`);
    await this.lab.check(first.index, `{ ${script}\n} 2>&1`, { timeoutMs: 180_000 });
    // The guide's scp and `mv pki /etc/kubernetes/` on the other hosts.
    for (const node of others) {
      const from = this.lab.hostPath(first.index, `/tmp/${node.address}`);
      cpSync(path.join(from, 'pki'), this.lab.hostPath(node.index, '/etc/kubernetes/pki'), { recursive: true });
      cpSync(path.join(from, 'kubeadmcfg.yaml'), this.lab.hostPath(node.index, '/srv/kubeadm/kubeadmcfg.yaml'));
      if (existsSync(this.lab.hostPath(node.index, '/etc/kubernetes/pki/etcd/ca.key'))) throw new Error(`${node.name} got the etcd CA key`);
    }
    for (const node of hosts) {
      this.print(`kube lab: external etcd: kubeadm init phase etcd local on ${node.name}`);
      await this.lab.check(node.index, 'kubeadm init phase etcd local --config=/srv/kubeadm/kubeadmcfg.yaml 2>&1', { timeoutMs: 120_000 });
    }
    await this.lab.waitHealthy(hosts.map((node) => node.index), { from: first.index, timeoutMs: 180_000 });
    for (const file of [EXTERNAL_ETCD.caFile, EXTERNAL_ETCD.certFile, EXTERNAL_ETCD.keyFile]) this.lab.copyBetweenNodes(first.index, file, 1);
    this.print(`kube lab: external etcd healthy on ${hosts.map((node) => node.address).join(', ')}; CA and API server client certificate copied to cp-1`);
  }

  private async bindHosts(index: number): Promise<void> {
    await this.lab.check(index, 'mountpoint -q /etc/hosts || mount --bind /srv/kubeadm/hosts /etc/hosts');
  }

  private startHaproxy(): void {
    // On the lab bridge itself (the host's side), so `ip route get` on the host calls it local; Lab.addBridgeAddress
    // wants `dev hblab0` there. The check that matters is the nodes': they must reach it through their eth0.
    const added = spawnSyncText('ip', ['addr', 'add', `${LB_VIP}/24`, 'dev', this.lab.bridge]);
    if (added.status !== 0) throw new Error(`ip addr add ${LB_VIP}: ${added.output}`);
    const dir = path.join(this.lab.root, 'haproxy');
    mkdirSync(dir, { recursive: true });
    const config = path.join(dir, 'haproxy.cfg');
    writeFileSync(
      config,
      [
        'global',
        '  maxconn 2000',
        `  stats socket ${path.join(dir, 'admin.sock')} mode 600 level admin`,
        'defaults',
        '  mode tcp',
        '  timeout connect 5s',
        '  timeout client 60s',
        '  timeout server 60s',
        '  default-server inter 2s fall 2 rise 2',
        'frontend apiserver',
        `  bind ${LB_VIP}:${LB_PORT}`,
        '  default_backend apiservers',
        'backend apiservers',
        '  option httpchk GET /readyz',
        '  http-check expect status 200',
        ...this.lab.controlPlaneNodes.map((node) => `  server ${node.name} ${node.address}:6443 check check-ssl verify none`),
        '',
      ].join('\n'),
    );
    const check = spawnSyncText('haproxy', ['-c', '-f', config]);
    if (check.status !== 0) throw new Error(`haproxy -c: ${check.output}`);
    const child = spawn('haproxy', ['-db', '-f', config], { detached: true, stdio: ['ignore', 'ignore', 'ignore'] });
    child.unref();
    if (child.pid === undefined) throw new Error('could not start haproxy');
    this.lab.trackProcess(child.pid);
    this.print(`kube lab: haproxy (pid ${child.pid}) on ${LB_VIP}:${LB_PORT} in front of ${this.lab.controlPlaneNodes.map((node) => node.address).join(', ')}`);
  }

  private initConfig(): string {
    const first = this.lab.node(1);
    return [
      'apiVersion: kubeadm.k8s.io/v1beta4',
      'kind: InitConfiguration',
      'bootstrapTokens:',
      `- token: ${BOOTSTRAP_TOKEN}`,
      '  ttl: 2h0m0s',
      'localAPIEndpoint:',
      `  advertiseAddress: ${first.address}`,
      '  bindPort: 6443',
      'nodeRegistration:',
      `  name: ${first.name}`,
      `  criSocket: ${CRI_SOCKET}`,
      '  ignorePreflightErrors:',
      ...LAB_IGNORED_PREFLIGHT_CHECKS.map((check) => `  - ${check}`),
      // No kubelet runs the addons' pods (CoreDNS, kube-proxy): they would stay Pending forever.
      'skipPhases:',
      '- addon/coredns',
      '- addon/kube-proxy',
      'timeouts:',
      '  controlPlaneComponentHealthCheck: 8m0s',
      '  kubernetesAPICall: 3m0s',
      '---',
      'apiVersion: kubeadm.k8s.io/v1beta4',
      'kind: ClusterConfiguration',
      `kubernetesVersion: ${this.version}`,
      `controlPlaneEndpoint: ${LB_DNS}:${LB_PORT}`,
      'encryptionAlgorithm: ECDSA-P256',
      'apiServer:',
      '  certSANs:',
      `  - ${LB_VIP}`,
      ...(this.etcdTopology === 'external'
        ? [
            'etcd:',
            '  external:',
            '    endpoints:',
            ...this.lab.etcdHostNodes.map((node) => `    - ${node.clientUrl}`),
            `    caFile: ${EXTERNAL_ETCD.caFile}`,
            `    certFile: ${EXTERNAL_ETCD.certFile}`,
            `    keyFile: ${EXTERNAL_ETCD.keyFile}`,
          ]
        : []),
      '---',
      'apiVersion: kubelet.config.k8s.io/v1beta1',
      'kind: KubeletConfiguration',
      // The stand-in serves no kubelet healthz; kubeadm skips its kubelet check when the port is 0.
      'healthzPort: 0',
      '',
    ].join('\n');
  }

  private async init(): Promise<void> {
    for (const node of this.lab.nodes) {
      await this.bindHosts(node.index);
      const route = await this.lab.check(node.index, `ip route get ${LB_VIP}`);
      if (!/\bdev eth0\b/.test(route)) throw new Error(`${node.name}: ip route get ${LB_VIP} does not use eth0: ${route}`);
    }
    writeFileSync(this.lab.hostPath(1, '/srv/kubeadm/init.yaml'), this.initConfig());
    this.print('kube lab: kubeadm init on cp-1');
    const result = await this.lab.run(1, 'kubeadm init --config /srv/kubeadm/init.yaml --upload-certs 2>&1', { timeoutMs: 600_000 });
    writeFileSync(path.join(this.lab.root, 'kubeadm-init.log'), result.stdout);
    if (result.code !== 0) throw new Error(`kubeadm init on cp-1 exited ${result.code}${result.timedOut ? ' (timed out)' : ''}:\n${result.stdout.split('\n').slice(-40).join('\n')}`);
    this.certificateKey = /--certificate-key ([0-9a-f]{64})/.exec(result.stdout)?.[1];
    this.caHash = /--discovery-token-ca-cert-hash (sha256:[0-9a-f]{64})/.exec(result.stdout)?.[1];
    if (this.certificateKey === undefined || this.caHash === undefined) throw new Error(`kubeadm init printed no join command:\n${result.stdout}`);
  }

  /** Preflight checks that failed on the fresh cp-1 with nothing ignored (see LAB_IGNORED_PREFLIGHT_CHECKS). */
  preflightErrors: string[] = [];

  private async probePreflight(): Promise<void> {
    for (const node of this.lab.nodes) await this.bindHosts(node.index);
    const config = this.initConfig().replace(/  ignorePreflightErrors:\n(  - .*\n)*/, '');
    writeFileSync(this.lab.hostPath(1, '/srv/kubeadm/probe.yaml'), config);
    const kubeadm = JSON.stringify(path.join(this.binDir, 'kubeadm'));
    // The image pull check runs only once the other checks pass: a second run ignores what the first found.
    const found: string[] = [];
    let log = '';
    for (let round = 0; round < 2; round += 1) {
      const ignore = found.length > 0 ? ` --ignore-preflight-errors=${found.join(',')}` : '';
      const result = await this.lab.run(1, `${kubeadm} init phase preflight --config /srv/kubeadm/probe.yaml${ignore} 2>&1`, { timeoutMs: 300_000 });
      log += result.stdout;
      found.push(...[...result.stdout.matchAll(/\[ERROR ([^\]]+)\]/g)].map((match) => match[1] as string).filter((name) => !found.includes(name)));
      if (result.code === 0) break;
    }
    writeFileSync(path.join(this.lab.root, 'kubeadm-preflight.log'), log);
    this.preflightErrors = [...new Set(found)];
    this.print(`kube lab: preflight on a fresh node fails ${this.preflightErrors.join(', ') || 'nothing'}`);
  }

  private certificateKey: string | undefined;
  private caHash: string | undefined;

  /** `kubeadm join --control-plane` on a node, with the join line kubeadm init printed. */
  async join(index: number, certificateKey = this.certificateKey): Promise<void> {
    const node = this.lab.node(index);
    await this.bindHosts(index);
    this.print(`kube lab: kubeadm join --control-plane on ${node.name}`);
    const line = `kubeadm join ${LB_DNS}:${LB_PORT} --token ${BOOTSTRAP_TOKEN} --discovery-token-ca-cert-hash ${this.caHash ?? ''} --control-plane --certificate-key ${certificateKey ?? ''} --apiserver-advertise-address ${node.address}`;
    const result = await this.lab.run(index, `${line} 2>&1`, { timeoutMs: 600_000 });
    writeFileSync(path.join(this.lab.root, `kubeadm-join-${node.name}.log`), result.stdout);
    if (result.code !== 0) throw new Error(`kubeadm join on ${node.name} exited ${result.code}${result.timedOut ? ' (timed out)' : ''}:\n${result.stdout.split('\n').slice(-40).join('\n')}`);
  }

  /** Mounts the node's /etc/hosts again (after powerOn of a wiped node, whose /srv is empty). */
  async prepareRebuiltNode(index: number): Promise<void> {
    const hosts = readFileSync(this.lab.hostPath(1, '/srv/kubeadm/hosts'), 'utf8');
    mkdirSync(this.lab.hostPath(index, '/srv/kubeadm'), { recursive: true });
    writeFileSync(this.lab.hostPath(index, '/srv/kubeadm/hosts'), hosts);
    mkdirSync(this.lab.hostPath(index, '/etc/kubernetes/manifests'), { recursive: true });
    await this.bindHosts(index);
  }
}

function spawnSyncText(command: string, args: string[]): { status: number | null; output: string } {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
