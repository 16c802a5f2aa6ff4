/**
 * The verification lab: three kubeadm-style control-plane nodes (cp-1..cp-3) as namespaces on this machine, each
 * with kubeadm's PKI, a kubelet stand-in running its static pods, and the chosen etcd version's binaries first on
 * PATH. See tests/lab/README.md.
 *
 *   const lab = await Lab.start({ etcd: '3.6' });          // nodes up, etcd running from kubeadm manifests
 *   const result = await lab.run(1, 'etcdctl ... endpoint health --cluster');
 *   await lab.close();                                      // everything removed
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { chmodSync, closeSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { etcdManifest, type EtcdManifestInput } from './manifest.ts';
import { BRIDGE, BRIDGE_ADDRESS, checkHostBeforeStart, checkRoutes, CONTROL_PLANE_GROUP, createNetwork, createNodeNamespaces, EXTERNAL_ETCD_GROUP, nodeSpecs, nsenterArgv, PREFIX_LENGTH, SUBNET_PREFIX, type NodeSpec } from './nodes.ts';
import { installKubeadmPki } from './pki.ts';
import type { ContainerRecord, StandinState } from './standin.ts';
import { LAB_BASE, OWNER_FILE, ownerAlive, processStartTime, readOwner, reapAbandoned, releaseOwner, teardownSync, writeState, type LabState } from './teardown.ts';
import { assertBinaries, etcdRelease, labCacheDir, REPO_ROOT, type EtcdRelease } from './versions.ts';

const STANDIN_SCRIPT = path.join(REPO_ROOT, 'tests', 'lab', 'standin.ts');
const NODE_COUNT = 3;
const SHIMS = ['systemctl', 'crictl', 'journalctl'] as const;
const DEFAULT_WAIT_FOR_LAB_MS = 15 * 60_000;

/** kubeadm's etcdctl client flags on a control-plane node (the health-check client identity). */
export const KUBEADM_ETCDCTL_FLAGS = [
  '--cacert=/etc/kubernetes/pki/etcd/ca.crt',
  '--cert=/etc/kubernetes/pki/etcd/healthcheck-client.crt',
  '--key=/etc/kubernetes/pki/etcd/healthcheck-client.key',
];

export interface LabOptions {
  /** etcd minor (`3.6`) or patch (`3.6.16`) from lab/versions.json. */
  etcd: string;
  /**
   * `kubeadm-join` (default): cp-1 starts alone from `kubeadm init`'s manifest, then cp-2 and cp-3 join the way
   * `kubeadm join --control-plane` does it (member added as a learner, manifest written with the list etcd
   * returned and `--initial-cluster-state=existing`, learner promoted). `none`: nodes, PKI and stand-ins only;
   * write manifests yourself.
   */
  bringUp?: 'kubeadm-join' | 'none';
  /** Stand-in poll interval (default 500 ms). */
  pollMs?: number;
  /** Stand-in's first crash back-off (default 10 000 ms, the kubelet's). */
  crashBackoffMs?: number;
  /** Printed progress; default console.log. */
  log?: (line: string) => void;
  /**
   * External etcd hosts beside the control-plane nodes (default 0): `etcd-1`… at 10.0.0.21…, numbered after cp-1..cp-3
   * in `nodes` (`node(4)` is etcd-1), on the same bridge, with a stand-in each and no PKI (the kubeadm lab makes
   * theirs with kubeadm, as the upstream guide does). Only with `bringUp: 'none'`.
   */
  etcdHosts?: number;
}

export interface RunOptions {
  /** Added to the node's base environment (PATH with shims and etcd first, HOME=/root, LANG=C.UTF-8). */
  env?: Record<string, string>;
  input?: string;
  timeoutMs?: number;
  /** Working directory inside the node (default /root). */
  cwd?: string;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface LabNode extends NodeSpec {
  clientUrl: string;
  peerUrl: string;
  /** The stand-in's process (a child of this process). */
  standin?: ChildProcess | undefined;
}

export interface Timings {
  /** Waiting for another lab on this machine to close (shared machines only). */
  waitMs: number;
  networkMs: number;
  pkiMs: number;
  bringUpMs: number;
  totalMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/**
 * Node's compile cache for the stand-in and the crictl/systemctl/journalctl shims, which are new Node processes
 * running standin.ts: without it each shim call strips types and compiles again (0.8-2 s on the shared CI cores,
 * and pages call crictl in their wait loops); with it, 0.2-0.3 s. Keyed by file content, so it cannot go stale.
 */
const NODE_COMPILE_CACHE_DIR = path.join(labCacheDir(), 'node-compile-cache');

/** Labs of this process, torn down by the signal and exit handlers if a test did not close them. */
const openLabs = new Set<Lab>();
let handlersInstalled = false;
function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.once('exit', () => {
    for (const lab of openLabs) lab.closeSync();
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      for (const lab of openLabs) lab.closeSync();
      process.exit(signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 129);
    });
  }
}

export class Lab {
  readonly release: EtcdRelease;
  readonly root: string;
  readonly nodes: LabNode[];
  readonly bridge = BRIDGE;
  readonly bridgeAddress = BRIDGE_ADDRESS;
  /** Whether this lab's PKI came from the per-machine cache or was made for it (tests/lab/pki.ts). */
  pki: 'cached' | 'made' = 'made';
  readonly timings: Timings = { waitMs: 0, networkMs: 0, pkiMs: 0, bringUpMs: 0, totalMs: 0 };
  private readonly state: LabState;
  private readonly options: LabOptions;
  private closed = false;

  private constructor(release: EtcdRelease, state: LabState, nodes: LabNode[], options: LabOptions) {
    this.release = release;
    this.state = state;
    this.root = state.root;
    this.nodes = nodes;
    this.options = options;
  }

  /** Creates the nodes and (by default) brings etcd up on all three. Waits for another lab on this machine to end. */
  static async start(options: LabOptions): Promise<Lab> {
    const release = etcdRelease(options.etcd);
    assertBinaries(release);
    installHandlers();
    const started = Date.now();
    const root = await acquire(options.log ?? ((line) => console.log(line)));
    const acquired = Date.now();
    const state: LabState = {
      ownerPid: process.pid,
      ownerStartTime: processStartTime(process.pid),
      root,
      netns: [],
      veths: [],
      nsFiles: [],
      createdMountPoints: [],
      pids: [],
    };
    writeState(state);
    const etcdHosts = options.etcdHosts ?? 0;
    if (etcdHosts > 0 && (options.bringUp ?? 'kubeadm-join') !== 'none') throw new Error("etcdHosts needs bringUp: 'none' (the lab's own bring-up is stacked etcd on cp-1..cp-3)");
    const specs = [...nodeSpecs(root, NODE_COUNT, CONTROL_PLANE_GROUP), ...nodeSpecs(root, etcdHosts, EXTERNAL_ETCD_GROUP, NODE_COUNT + 1)];
    const nodes: LabNode[] = specs.map((spec) => ({
      ...spec,
      clientUrl: `https://${spec.address}:2379`,
      peerUrl: `https://${spec.address}:2380`,
    }));
    const lab = new Lab(release, state, nodes, options);
    openLabs.add(lab);
    try {
      checkHostBeforeStart(nodes);
      createNetwork(state, nodes);
      checkRoutes(nodes);
      createNodeNamespaces(state, nodes);
      lab.writeShims();
      lab.timings.waitMs = acquired - started;
      lab.timings.networkMs = Date.now() - acquired;
      const pkiStarted = Date.now();
      // The control-plane nodes only: the PKI cache is keyed by cp-1..cp-3, shared with every other lab.
      lab.pki = await installKubeadmPki(path.join(root, 'work'), lab.controlPlaneNodes.map((node) => ({ name: node.name, address: node.address, etcKubernetes: path.join(node.root, 'etc/kubernetes') })));
      lab.timings.pkiMs = Date.now() - pkiStarted;
      for (const node of nodes) lab.startStandin(node);
      const bringUpStarted = Date.now();
      if ((options.bringUp ?? 'kubeadm-join') === 'kubeadm-join') await lab.kubeadmBringUp();
      lab.timings.bringUpMs = Date.now() - bringUpStarted;
    } catch (error) {
      // The start's own error is the one to report; teardown trouble is added to it, not put in its place.
      const problems = lab.closeSync();
      if (problems.length > 0 && error instanceof Error) error.message += `\n(teardown after the failed start left: ${problems.join('; ')})`;
      throw error;
    }
    lab.timings.totalMs = Date.now() - acquired;
    return lab;
  }

  node(which: number | string): LabNode {
    const node = typeof which === 'number' ? this.nodes[which - 1] : this.nodes.find((candidate) => candidate.name === which);
    if (!node) throw new Error(`the lab has nodes ${this.nodes.map((each) => each.name).join(', ')}, not ${String(which)}`);
    return node;
  }

  /** cp-1..cp-3 (without the external etcd hosts, if any). */
  get controlPlaneNodes(): LabNode[] {
    return this.nodes.slice(0, NODE_COUNT);
  }

  /** The external etcd hosts etcd-1… (empty unless `etcdHosts` was given). */
  get etcdHostNodes(): LabNode[] {
    return this.nodes.slice(NODE_COUNT);
  }

  /** `cp-1=https://10.0.0.11:2380,...`: every node as an etcd member. */
  get initialCluster(): string {
    return this.nodes.map((node) => `${node.name}=${node.peerUrl}`).join(',');
  }

  get clientUrls(): string[] {
    return this.nodes.map((node) => node.clientUrl);
  }

  /** The folder holding the lab's shims (systemctl, crictl, journalctl); first on every node's PATH. */
  get shimDir(): string {
    return path.join(this.root, 'bin');
  }

  /**
   * A node's base environment. Nothing is inherited from this process (so no ETCDCTL_* of the caller leaks in).
   * PATH: the lab's shims, then the chosen etcd's binaries, then the system's.
   */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      PATH: `${this.shimDir}:${this.release.binDir}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
      HOME: '/root',
      USER: 'root',
      LOGNAME: 'root',
      LANG: 'C.UTF-8',
      TERM: 'dumb',
      ...extra,
    };
  }

  /** The command line (for spawn) that runs `argv` inside a node; use with `env()`. */
  commandFor(which: number | string, argv: string[], cwd?: string): string[] {
    return nsenterArgv(this.node(which), argv, cwd);
  }

  /** Spawns `argv` inside a node with the node environment (plus `options.env`). */
  spawn(which: number | string, argv: string[], options: SpawnOptions & { cwd?: string } = {}): ChildProcess {
    const [command, ...args] = this.commandFor(which, argv, options.cwd);
    const { cwd: _cwd, env, ...rest } = options;
    return spawn(command as string, args, { ...rest, env: this.env(env as Record<string, string> | undefined) });
  }

  /** Runs a bash script inside a node (`bash -c script`); resolves with its exit status and output, never rejects on failure. */
  run(which: number | string, script: string, options: RunOptions = {}): Promise<RunResult> {
    return this.exec(which, ['bash', '-c', script], options);
  }

  /** Runs a bash script inside a node and rejects (with its output) unless it exits 0. */
  async check(which: number | string, script: string, options: RunOptions = {}): Promise<string> {
    const result = await this.run(which, script, options);
    if (result.code !== 0) {
      throw new Error(`in ${this.node(which).name}: \`${script}\` exited ${result.code ?? result.signal}${result.timedOut ? ' (timed out)' : ''}\n${result.stdout}${result.stderr}`);
    }
    return result.stdout;
  }

  /** Runs an argv inside a node. */
  exec(which: number | string, argv: string[], options: RunOptions = {}): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      const child = this.spawn(which, argv, { cwd: options.cwd ?? '/root', env: options.env ?? {}, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      let timedOut = false;
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, options.timeoutMs ?? 60_000);
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, stdout, stderr, timedOut });
      });
      // A command that exits without reading its input must not turn into an EPIPE error here.
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(options.input ?? '');
    });
  }

  /** etcdctl inside a node with kubeadm's certificate paths; `endpoints` default: this node's local client URL. */
  etcdctl(which: number | string, args: string[], options: RunOptions & { endpoints?: string[] } = {}): Promise<RunResult> {
    const endpoints = options.endpoints ?? ['https://127.0.0.1:2379'];
    return this.exec(which, ['etcdctl', `--endpoints=${endpoints.join(',')}`, ...KUBEADM_ETCDCTL_FLAGS, ...args], options);
  }

  /** Host path of a path inside a node (only for the node's own paths, see NODE_OWN_PATHS in nodes.ts). */
  hostPath(which: number | string, nodePath: string): string {
    if (!nodePath.startsWith('/')) throw new Error(`${nodePath} is not absolute`);
    return path.join(this.node(which).root, nodePath);
  }

  /** Writes kubeadm's etcd.yaml into a node's /etc/kubernetes/manifests (the stand-in then starts it). */
  writeEtcdManifest(which: number | string, input: Partial<EtcdManifestInput> = {}): string {
    const node = this.node(which);
    const manifest = etcdManifest({ nodeName: node.name, address: node.address, etcdVersion: this.release.version, ...input });
    const file = this.hostPath(node.index, '/etc/kubernetes/manifests/etcd.yaml');
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, manifest, { mode: 0o600 });
    return manifest;
  }

  /** The stand-in's view of a node: kubelet state and containers (running and recently exited). */
  standinState(which: number | string): StandinState | undefined {
    try {
      return JSON.parse(readFileSync(this.hostPath(which, '/var/lib/kubelet/standin/state.json'), 'utf8')) as StandinState;
    } catch {
      return undefined;
    }
  }

  /** The running container of a static pod (`etcd`), if any. */
  runningPod(which: number | string, pod = 'etcd'): ContainerRecord | undefined {
    return this.standinState(which)?.containers.find((container) => container.pod === pod && container.state === 'running');
  }

  /** The stand-in's log (timestamped actions) of a node. */
  standinLog(which: number | string): string {
    const file = this.hostPath(which, '/var/lib/kubelet/standin/kubelet.log');
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  }

  /** The output of a node's current (or last) container of a pod. */
  podLog(which: number | string, pod = 'etcd', lines = 30): string {
    const containers = this.standinState(which)?.containers.filter((container) => container.pod === pod) ?? [];
    const last = containers.sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt))[0];
    if (!last) return '(no container)';
    const file = this.hostPath(which, last.logPath);
    return existsSync(file) ? readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') : '(no log)';
  }

  /** Waits until a pod is running (a new container when `notId` is given) or, with `running: false`, until none is. */
  async waitForPod(which: number | string, options: { pod?: string; running: boolean; notId?: string | undefined; timeoutMs?: number }): Promise<ContainerRecord | undefined> {
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    for (;;) {
      const current = this.runningPod(which, options.pod ?? 'etcd');
      if (options.running && current && current.id !== options.notId) return current;
      if (!options.running && !current) return undefined;
      if (Date.now() > deadline) {
        throw new Error(
          `${this.node(which).name}: pod ${options.pod ?? 'etcd'} ${options.running ? 'not running' : 'still running'} after ${options.timeoutMs ?? 30_000} ms\n` +
            `stand-in log:\n${this.standinLog(which).trimEnd().split('\n').slice(-15).join('\n')}\npod log:\n${this.podLog(which, options.pod ?? 'etcd', 15)}`,
        );
      }
      await sleep(100);
    }
  }

  /** Waits until `endpoint health` succeeds from inside `from` for the given nodes' client URLs. */
  async waitHealthy(nodes: number[] = this.nodes.map((node) => node.index), options: { from?: number; timeoutMs?: number } = {}): Promise<void> {
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    let last = '';
    while (Date.now() < deadline) {
      const result = await this.etcdctl(options.from ?? nodes[0] ?? 1, ['endpoint', 'health', '--command-timeout=3s'], {
        endpoints: nodes.map((index) => this.node(index).clientUrl),
        timeoutMs: 10_000,
      });
      if (result.code === 0) return;
      last = `${result.stdout}${result.stderr}`.trim();
      await sleep(250);
    }
    throw new Error(`nodes ${nodes.join(', ')} not healthy: ${last}\n${nodes.map((index) => `${this.node(index).name} etcd log:\n${this.podLog(index, 'etcd', 10)}`).join('\n')}`);
  }

  /**
   * Copies a file from one node to another (both paths inside the node's own folders, see NODE_OWN_PATHS), like
   * the `scp` a page asks the reader to do between control-plane nodes. Keeps the mode; makes the target folder.
   */
  copyBetweenNodes(from: number | string, fromPath: string, to: number | string, toPath = fromPath): void {
    const source = this.hostPath(from, fromPath);
    const target = this.hostPath(to, toPath);
    mkdirSync(path.dirname(target), { recursive: true });
    copyFileSync(source, target);
    chmodSync(target, statSync(source).mode & 0o7777);
  }

  /**
   * A node losing power: SIGKILL to every process in it (stand-in, static pods, shells). Its files stay. Until
   * powerOn, nothing runs there.
   */
  async powerOff(which: number | string): Promise<void> {
    const node = this.node(which);
    const pids = spawnSync('ip', ['netns', 'pids', node.netns], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map(Number);
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone.
      }
    }
    const deadline = Date.now() + 10_000;
    const alive = (pid: number) => {
      try {
        return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z');
      } catch {
        return false;
      }
    };
    while (pids.some(alive) && Date.now() < deadline) await sleep(50);
    if (pids.some(alive)) throw new Error(`${node.name}: processes ${pids.filter(alive).join(', ')} survived SIGKILL`);
    node.standin = undefined;
  }

  /** The node boots again: a fresh stand-in starts the static pods its manifests describe, as the kubelet would. */
  powerOn(which: number | string): void {
    const node = this.node(which);
    if (node.standin?.exitCode === null) throw new Error(`${node.name} is running; powerOff first`);
    this.startStandin(node);
  }

  /**
   * Adds a further address on the lab bridge (e.g. the load-balancer page's 10.0.0.10 for an HAProxy on the host),
   * only inside the lab's /24 and not a node's, and checks its route.
   */
  addBridgeAddress(address: string): void {
    const last = Number(address.split('.').at(-1));
    if (!address.startsWith(`${SUBNET_PREFIX}.`) || !Number.isInteger(last) || last < 2 || last > 254 || this.nodes.some((node) => node.address === address)) {
      throw new Error(`${address} is not a free address in the lab's ${SUBNET_PREFIX}.0/${PREFIX_LENGTH}`);
    }
    const result = spawnSync('ip', ['addr', 'add', `${address}/${PREFIX_LENGTH}`, 'dev', BRIDGE], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`ip addr add ${address}: ${result.stderr}`);
    checkRoutes(this.nodes, [address]);
  }

  /**
   * Records a process this lab started outside the nodes (e.g. an HAProxy on the host) so that teardown and the
   * reaper stop it too; its command line must name the lab root (they check that before killing).
   */
  trackProcess(pid: number): void {
    this.state.pids.push(pid);
    writeState(this.state);
  }

  /** Stops and removes everything the lab made. Throws if something could not be removed. */
  async close(): Promise<void> {
    const problems = this.closeSync();
    if (problems.length > 0) throw new Error(`lab teardown left things behind:\n${problems.join('\n')}`);
  }

  /** Synchronous teardown, for exit and signal handlers. Returns what could not be removed. */
  closeSync(): string[] {
    if (this.closed) return [];
    this.closed = true;
    openLabs.delete(this);
    const problems = teardownSync(this.state);
    releaseOwner(this.root);
    return problems;
  }

  // -------------------------------------------------------------------------------------------------------------

  private writeShims(): void {
    mkdirSync(this.shimDir, { recursive: true });
    for (const shim of SHIMS) {
      const file = path.join(this.shimDir, shim);
      writeFileSync(
        file,
        `#!/bin/sh\n# handbook lab ${shim} shim: see tests/lab/standin.ts\nNODE_COMPILE_CACHE=${JSON.stringify(NODE_COMPILE_CACHE_DIR)} exec ${JSON.stringify(process.execPath)} ${JSON.stringify(STANDIN_SCRIPT)} ${shim} "$@"\n`,
        { mode: 0o755 },
      );
    }
  }

  private startStandin(node: LabNode): void {
    const stateDir = this.hostPath(node.index, '/var/lib/kubelet/standin');
    mkdirSync(stateDir, { recursive: true });
    // A (re)booted node: the kubelet runs, and no container survived.
    writeFileSync(path.join(stateDir, 'kubelet.desired'), 'active\n');
    rmSync(path.join(stateDir, 'state.json'), { force: true });
    const argv = [process.execPath, STANDIN_SCRIPT, 'kubelet', '--node', node.name, '--poll-ms', String(this.options.pollMs ?? 200), '--backoff-ms', String(this.options.crashBackoffMs ?? 10_000), '--lab-root', this.root];
    // The stand-in logs its actions itself; this file catches what it prints if it crashes.
    const out = openSync(path.join(stateDir, 'standin.out'), 'a');
    // The stand-in maps handbook-lab/etcd:<version>-0 images to the cache's etcd-<version> binaries; the compile
    // cache keeps its start-up (and its shims') short.
    const child = this.spawn(node.index, argv, {
      detached: true,
      stdio: ['ignore', out, out],
      cwd: '/',
      env: { HANDBOOK_LAB_IMAGE_CACHE: labCacheDir(), NODE_COMPILE_CACHE: NODE_COMPILE_CACHE_DIR },
    });
    closeSync(out);
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start the stand-in on ${node.name}`);
    node.standin = child;
    this.state.pids.push(child.pid);
    writeState(this.state);
  }

  /** `kubeadm init` on cp-1, then `kubeadm join --control-plane` on cp-2 and cp-3, as far as etcd is concerned. */
  private async kubeadmBringUp(): Promise<void> {
    const first = this.nodes[0] as LabNode;
    this.writeEtcdManifest(first.index);
    await this.waitForPod(first.index, { running: true });
    await this.waitHealthy([first.index]);
    for (const node of this.nodes.slice(1)) {
      const added = await this.addLearner(first, node);
      const initialCluster = /ETCD_INITIAL_CLUSTER="([^"]*)"/.exec(added.stdout)?.[1];
      if (initialCluster === undefined) throw new Error(`member add ${node.name} printed no ETCD_INITIAL_CLUSTER:\n${added.stdout}`);
      this.writeEtcdManifest(node.index, { initialCluster, initialClusterState: 'existing' });
      await this.waitForPod(node.index, { running: true });
      await this.promote(first.index, node);
      // kubeadm waits for the cluster to be available after each join (WaitForClusterAvailable).
      await this.waitHealthy(this.nodes.filter((candidate) => candidate.index <= node.index).map((candidate) => candidate.index));
    }
    await this.waitHealthy();
  }

  /**
   * `member add --learner`, retried while etcd refuses with "unhealthy cluster" (its reconfiguration check wants
   * every voting member connected for a few seconds; kubeadm's AddMemberAsLearner retries the same way).
   */
  private async addLearner(first: LabNode, node: LabNode): Promise<RunResult> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const added = await this.etcdctl(first.index, ['member', 'add', node.name, '--learner', `--peer-urls=${node.peerUrl}`], { endpoints: [first.clientUrl] });
      if (added.code === 0) return added;
      const output = `${added.stdout}${added.stderr}`;
      if (!output.includes('unhealthy cluster') || Date.now() > deadline) throw new Error(`member add ${node.name}: ${output}`);
      await sleep(500);
    }
  }

  /** Promotes a learner, retrying while etcd says it is not yet in sync (kubeadm's MemberPromote retries too). */
  private async promote(from: number, node: LabNode): Promise<void> {
    const deadline = Date.now() + 60_000;
    let last = '';
    while (Date.now() < deadline) {
      // The simple format's last column is isLearner; etcdctl 3.6's JSON output leaves that field out for learners.
      const list = await this.etcdctl(from, ['member', 'list']);
      const line = list.stdout.split('\n').find((row) => row.split(', ')[3] === node.peerUrl);
      if (line === undefined) throw new Error(`${node.name} is not in the member list:\n${list.stdout}${list.stderr}`);
      const fields = line.split(', ');
      if (fields.at(-1) !== 'true') return;
      const memberId = fields[0] as string;
      const promoted = await this.etcdctl(from, ['member', 'promote', memberId]);
      if (promoted.code === 0) return;
      last = `${promoted.stdout}${promoted.stderr}`.trim();
      await sleep(250);
    }
    throw new Error(`could not promote ${node.name}: ${last}\n${this.podLog(node.index)}`);
  }
}

/** Waits until no other live lab holds this machine, reaps a dead one's leftovers, and claims a fresh root. */
async function acquire(print: (line: string) => void): Promise<string> {
  mkdirSync(LAB_BASE, { recursive: true, mode: 0o755 });
  const waitMs = Number(process.env['HANDBOOK_LAB_WAIT_MS'] ?? DEFAULT_WAIT_FOR_LAB_MS);
  const deadline = Date.now() + waitMs;
  let announced = false;
  for (;;) {
    const reaped = reapAbandoned();
    if (reaped !== undefined) print(`lab: ${reaped}`);
    const root = path.join(LAB_BASE, `run-${process.pid}-${Date.now()}`);
    try {
      writeFileSync(OWNER_FILE, JSON.stringify({ pid: process.pid, startTime: processStartTime(process.pid), root }), { flag: 'wx' });
      mkdirSync(root, { recursive: true, mode: 0o755 });
      return root;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = readOwner();
    if (owner && ownerAlive(owner) && owner.pid === process.pid) {
      throw new Error('this process already has a lab open; close it first (one lab per machine: the node names and addresses are fixed)');
    }
    if (Date.now() > deadline) throw new Error(`another lab (process ${owner?.pid ?? '?'}) held this machine for ${waitMs} ms; giving up`);
    if (!announced) {
      print(`lab: waiting for the lab of process ${owner?.pid ?? '?'} to finish (one lab per machine)`);
      announced = true;
    }
    await sleep(1000);
  }
}
