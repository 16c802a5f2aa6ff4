/**
 * The runbook sandbox: a three-member etcd cluster (Debian's /usr/bin/etcd) with client and peer TLS on
 * 127.0.0.1, each member on its own OS-assigned ports, with kubeadm's certificate layout, all under one
 * temporary directory. Each member plays a control-plane node (`cp-1`, `cp-2`, `cp-3`) and has a node
 * directory holding what would be node-local on a real machine (its data directory, its restored data
 * directory, its static-pod manifest folder).
 *
 * Every etcd runs in its own process group; `close()` (and, as a last resort, the process `exit` handler)
 * kills every group this module started, so no etcd outlives a test run.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createEtcdPki, type EtcdPki } from './pki';
import { freeLoopbackPorts } from './ports';

const execFileAsync = promisify(execFile);

export const ETCD_BINARY = process.env['HANDBOOK_ETCD'] ?? '/usr/bin/etcd';
export const ETCDCTL_BINARY = process.env['HANDBOOK_ETCDCTL'] ?? '/usr/bin/etcdctl';
const MEMBER_COUNT = 3;
const INITIAL_CLUSTER_TOKEN = 'sandbox-etcd-cluster';
const HEALTH_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

export interface SandboxNode {
  /** 1-based node number, as used by the `node="<n>"` block attribute. */
  index: number;
  /** Member (and node) name, `cp-<index>`. */
  name: string;
  clientUrl: string;
  peerUrl: string;
  /** The node's folder, standing in for its root file system. */
  root: string;
  /** The data directory the member was first started with (the sandbox's `/var/lib/etcd`). */
  dataDir: string;
  /** Where a runbook restores this member's snapshot (the page's `RESTORED_DATA_DIR`). */
  restoredDataDir: string;
  /** The data directory of the running (or last run) etcd process. */
  currentDataDir: string;
  /** The sandbox's `/etc/kubernetes/manifests` for this node; empty, never read by etcd. */
  manifestDir: string;
  logFile: string;
  process?: ChildProcess | undefined;
}

export interface StartOptions {
  dataDir?: string;
  /** `--name`; defaults to the node's name (a replacement member may be added under another). */
  name?: string;
  /** `--initial-cluster`; ignored by etcd when the data directory already holds a member. */
  initialCluster?: string;
  initialClusterState?: 'new' | 'existing';
}

export interface SandboxOptions {
  /** Every member's `--quota-backend-bytes` (etcd's default, 2 GiB, when absent). */
  quotaBackendBytes?: number;
}

/** Process groups started by any sandbox in this process, killed on exit if a test forgot to. */
const liveGroups = new Set<number>();
process.once('exit', () => {
  for (const pgid of liveGroups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
});

/** True while a process with this id exists (signal 0 probes without sending anything). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // The group has exited already.
  }
}

export function registerGroup(pgid: number): void {
  liveGroups.add(pgid);
}

export function forgetGroup(pgid: number): void {
  liveGroups.delete(pgid);
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

const SANDBOX_PREFIX = 'runbook-sandbox-';
/** Written in each sandbox folder: the test process that owns it, and the etcd process ids it started. */
const OWNER_FILE = 'owner-pid';
const PIDS_FILE = 'etcd-pids';
const KEPT_FILE = 'kept';

/**
 * A test process killed outright (SIGKILL, a CI timeout) runs no exit handler, so its etcd members would live
 * on. Each new sandbox therefore looks for folders whose owner is gone, kills the etcd processes recorded there
 * (only if /proc shows an etcd still using that folder, so a reused process id is left alone) and removes them.
 */
export function reapAbandonedSandboxes(parent = tmpdir()): number {
  let reaped = 0;
  for (const name of readdirSync(parent)) {
    if (!name.startsWith(SANDBOX_PREFIX)) continue;
    const dir = path.join(parent, name);
    const ownerFile = path.join(dir, OWNER_FILE);
    if (!existsSync(ownerFile) || existsSync(path.join(dir, KEPT_FILE))) continue;
    if (processExists(Number(readFileSync(ownerFile, 'utf8')))) continue;
    const pidsFile = path.join(dir, PIDS_FILE);
    const pids = existsSync(pidsFile) ? readFileSync(pidsFile, 'utf8').split('\n').filter(Boolean).map(Number) : [];
    for (const pid of pids) {
      let commandLine = '';
      try {
        commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        continue;
      }
      if (commandLine.includes('etcd') && commandLine.includes(dir)) killGroup(pid, 'SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
    reaped += 1;
  }
  return reaped;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The environment for etcd and etcdctl children: no inherited `ETCD_*`/`ETCDCTL_*` variable may change a flag. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('ETCD')) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

export class EtcdSandbox {
  readonly root: string;
  readonly pki: EtcdPki;
  readonly nodes: SandboxNode[];
  readonly backupDir: string;
  /** Every etcd process id this sandbox started, for tests that prove none outlives `close()`. */
  readonly startedPids: number[] = [];

  private readonly options: SandboxOptions;

  private constructor(root: string, pki: EtcdPki, nodes: SandboxNode[], options: SandboxOptions) {
    this.options = options;
    this.root = root;
    this.pki = pki;
    this.nodes = nodes;
    this.backupDir = path.join(root, 'backups');
    mkdirSync(this.backupDir, { recursive: true, mode: 0o700 });
  }

  /** Makes the PKI and node folders and starts the three members; resolves once all report healthy. */
  static async start(options: SandboxOptions = {}): Promise<EtcdSandbox> {
    const reaped = reapAbandonedSandboxes();
    if (reaped > 0) console.log(`removed ${reaped} sandbox folder(s) left by test processes that were killed`);
    const root = mkdtempSync(path.join(tmpdir(), SANDBOX_PREFIX));
    writeFileSync(path.join(root, OWNER_FILE), String(process.pid));
    const pki = createEtcdPki(root);
    const ports = await freeLoopbackPorts(MEMBER_COUNT * 2);
    const nodes: SandboxNode[] = [];
    for (let index = 1; index <= MEMBER_COUNT; index += 1) {
      const name = `cp-${index}`;
      const nodeRoot = path.join(root, 'nodes', name);
      const node: SandboxNode = {
        index,
        name,
        clientUrl: `https://127.0.0.1:${ports[(index - 1) * 2]}`,
        peerUrl: `https://127.0.0.1:${ports[(index - 1) * 2 + 1]}`,
        root: nodeRoot,
        dataDir: path.join(nodeRoot, 'var/lib/etcd'),
        restoredDataDir: path.join(nodeRoot, 'var/lib/etcd-restored'),
        currentDataDir: path.join(nodeRoot, 'var/lib/etcd'),
        manifestDir: path.join(nodeRoot, 'etc/kubernetes/manifests'),
        logFile: path.join(nodeRoot, 'etcd.log'),
      };
      mkdirSync(node.manifestDir, { recursive: true });
      mkdirSync(path.dirname(node.dataDir), { recursive: true });
      nodes.push(node);
    }
    const sandbox = new EtcdSandbox(root, pki, nodes, options);
    try {
      for (const node of nodes) sandbox.startMember(node.index);
      await sandbox.waitHealthy();
    } catch (error) {
      await sandbox.close();
      throw error;
    }
    return sandbox;
  }

  node(index: number): SandboxNode {
    const node = this.nodes[index - 1];
    if (!node) throw new Error(`the sandbox has nodes 1 to ${this.nodes.length}, not ${index}`);
    return node;
  }

  /** `cp-1=https://127.0.0.1:<peer>,...`: the membership the cluster was created with. */
  get initialCluster(): string {
    return this.nodes.map((node) => `${node.name}=${node.peerUrl}`).join(',');
  }

  get clientUrls(): string[] {
    return this.nodes.map((node) => node.clientUrl);
  }

  /** Starts member `index` like a kubeadm static pod would (same flags, sandbox paths). */
  startMember(index: number, options: StartOptions = {}): void {
    const node = this.node(index);
    if (node.process && node.process.exitCode === null && node.process.signalCode === null) {
      throw new Error(`${node.name} is already running (pid ${node.process.pid})`);
    }
    node.currentDataDir = options.dataDir ?? node.currentDataDir;
    const args = [
      `--name=${options.name ?? node.name}`,
      `--data-dir=${node.currentDataDir}`,
      `--listen-client-urls=${node.clientUrl}`,
      `--advertise-client-urls=${node.clientUrl}`,
      `--listen-peer-urls=${node.peerUrl}`,
      `--initial-advertise-peer-urls=${node.peerUrl}`,
      `--initial-cluster=${options.initialCluster ?? this.initialCluster}`,
      `--initial-cluster-state=${options.initialClusterState ?? 'new'}`,
      `--initial-cluster-token=${INITIAL_CLUSTER_TOKEN}`,
      `--cert-file=${this.pki.serverCert}`,
      `--key-file=${this.pki.serverKey}`,
      `--trusted-ca-file=${this.pki.caCert}`,
      '--client-cert-auth=true',
      `--peer-cert-file=${this.pki.peerCert}`,
      `--peer-key-file=${this.pki.peerKey}`,
      `--peer-trusted-ca-file=${this.pki.caCert}`,
      '--peer-client-cert-auth=true',
      '--snapshot-count=10000',
      '--logger=zap',
      '--log-outputs=stderr',
      ...(this.options.quotaBackendBytes === undefined ? [] : [`--quota-backend-bytes=${this.options.quotaBackendBytes}`]),
    ];
    const log = openSync(node.logFile, 'a');
    try {
      const child = spawn(ETCD_BINARY, args, { detached: true, stdio: ['ignore', log, log], env: cleanEnv() });
      if (child.pid === undefined) throw new Error(`could not start ${ETCD_BINARY} for ${node.name}`);
      registerGroup(child.pid);
      this.startedPids.push(child.pid);
      appendFileSync(path.join(this.root, PIDS_FILE), `${child.pid}\n`);
      const pid = child.pid;
      child.once('exit', () => forgetGroup(pid));
      node.process = child;
    } finally {
      closeSync(log);
    }
  }

  isRunning(index: number): boolean {
    const child = this.node(index).process;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  /** Stops member `index` (SIGTERM, then SIGKILL after 10 s) and waits for it to exit. */
  async stopMember(index: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.node(index).process;
    if (!child?.pid || !this.isRunning(index)) return;
    killGroup(child.pid, signal);
    if (!(await waitForExit(child, STOP_TIMEOUT_MS))) {
      killGroup(child.pid, 'SIGKILL');
      await waitForExit(child, STOP_TIMEOUT_MS);
    }
  }

  /** Kills member `index` without warning, like a node losing power. */
  async killMember(index: number): Promise<void> {
    await this.stopMember(index, 'SIGKILL');
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.nodes.map((node) => this.stopMember(node.index)));
  }

  /** Removes every member's original data directory, as a disaster would. Members must be stopped. */
  destroyOriginalDataDirs(): void {
    for (const node of this.nodes) {
      if (this.isRunning(node.index)) throw new Error(`${node.name} is still running; stop it before destroying its data`);
      rmSync(node.dataDir, { recursive: true, force: true });
    }
  }

  /** The last lines of a member's log, for error messages. */
  logTail(index: number, lines = 15): string {
    const file = this.node(index).logFile;
    if (!existsSync(file)) return '(no log)';
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  }

  /** Runs etcdctl with the health-check client identity; `endpoints` defaults to every member. */
  async etcdctl(args: string[], endpoints: string[] = this.clientUrls, input?: string): Promise<string> {
    const env = cleanEnv({
      ETCDCTL_API: '3',
      ETCDCTL_ENDPOINTS: endpoints.join(','),
      ETCDCTL_CACERT: this.pki.caCert,
      ETCDCTL_CERT: this.pki.healthcheckClientCert,
      ETCDCTL_KEY: this.pki.healthcheckClientKey,
    });
    if (input === undefined) {
      const { stdout } = await execFileAsync(ETCDCTL_BINARY, args, { env, maxBuffer: 64 * 1024 * 1024 });
      return stdout;
    }
    return new Promise((resolve, reject) => {
      const child = execFile(ETCDCTL_BINARY, args, { env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
        if (error) reject(new Error(`etcdctl ${args.join(' ')} failed: ${stderr || error.message}`));
        else resolve(stdout);
      });
      child.stdin?.end(input);
    });
  }

  /**
   * Waits until every listed member answers `endpoint health` (a quorum read through each), failing with the
   * logs of members that exited or stayed unhealthy.
   */
  async waitHealthy(indexes: number[] = this.nodes.map((node) => node.index), timeoutMs = HEALTH_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastError = '';
    while (Date.now() < deadline) {
      const exited = indexes.filter((index) => !this.isRunning(index));
      if (exited.length > 0) {
        throw new Error(exited.map((index) => `${this.node(index).name} exited; log:\n${this.logTail(index)}`).join('\n'));
      }
      try {
        await this.etcdctl(['endpoint', 'health'], indexes.map((index) => this.node(index).clientUrl));
        return;
      } catch (error) {
        lastError = error instanceof Error ? error.message : String(error);
      }
      await sleep(250);
    }
    throw new Error(
      `members ${indexes.join(', ')} not healthy after ${timeoutMs} ms: ${lastError}\n` +
        indexes.map((index) => `${this.node(index).name} log:\n${this.logTail(index)}`).join('\n'),
    );
  }

  /** Stops every member and removes the temporary directory (kept when HANDBOOK_KEEP_SANDBOX=1, for debugging). */
  async close(): Promise<void> {
    await Promise.all(
      this.nodes.map(async (node) => {
        const child = node.process;
        if (!child?.pid) return;
        killGroup(child.pid, 'SIGKILL');
        await waitForExit(child, STOP_TIMEOUT_MS);
      }),
    );
    if (process.env['HANDBOOK_KEEP_SANDBOX'] === '1') {
      writeFileSync(path.join(this.root, KEPT_FILE), '');
      console.log(`sandbox kept at ${this.root}`);
      return;
    }
    rmSync(this.root, { recursive: true, force: true });
  }
}
