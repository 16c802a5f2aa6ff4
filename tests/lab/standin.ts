/**
 * The lab's kubelet stand-in and the node tools that talk to it. Runs INSIDE a lab node (its network, mount and UTS
 * namespaces), started by Node directly (`node standin.ts <tool> ...`, type stripping; only `node:` modules and
 * `yaml`), so every path below is the node's own.
 *
 *   node standin.ts kubelet [--poll-ms 200] [--backoff-ms 10000]
 *       Watches /etc/kubernetes/manifests. Each file there (not starting with '.') holding a Pod is a static pod:
 *       its first container's command + args run as a process (PATH lookup, the container's env, workingDir),
 *       in a private mount namespace where each hostPath volume is bind-mounted at its mountPath, as a container
 *       runtime would (so a manifest whose hostPath says /var/lib/etcd-restored and whose mountPath says
 *       /var/lib/etcd gives etcd the restored data at /var/lib/etcd). A new manifest starts its pod, a changed one
 *       (different parsed content) restarts it, a removed one stops it (SIGTERM, SIGKILL after
 *       terminationGracePeriodSeconds, default 30). A pod that exits is restarted after a back-off of 10 s, doubling
 *       up to 5 min (the kubelet's schedule), reset after 10 min of running. Every action is logged with a UTC
 *       timestamp to /var/lib/kubelet/standin/kubelet.log.
 *       `systemctl stop kubelet` (below) makes it stop reacting: running pods keep running, exits are recorded but
 *       not restarted, manifest changes are ignored, exactly what stopping the real kubelet does. `start` resumes:
 *       pods whose manifest did not change are adopted, changed or missing ones are reconciled.
 *   node standin.ts systemctl <verb> [unit...]      systemctl shim (kubelet is the only unit it emulates)
 *   node standin.ts crictl <ps|stop|logs|pods> ...    crictl shim over the stand-in's pods
 *   node standin.ts journalctl [-u unit] [-n N] ...  journalctl shim (the stand-in's log for kubelet)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, createHash } from 'node:crypto';
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

const MANIFEST_DIR = '/etc/kubernetes/manifests';
const STATE_DIR = '/var/lib/kubelet/standin';
const STATE_FILE = `${STATE_DIR}/state.json`;
const DESIRED_FILE = `${STATE_DIR}/kubelet.desired`;
const LOG_FILE = `${STATE_DIR}/kubelet.log`;
const POD_LOG_DIR = '/var/log/pods';
const BACKOFF_MAX_MS = 300_000;
const BACKOFF_RESET_AFTER_MS = 600_000;
const EXITED_KEPT_PER_POD = 5;

export type KubeletState = 'active' | 'inactive';

/** One container of the stand-in, as the shims and the lab read it from state.json. */
export interface ContainerRecord {
  id: string;
  podId: string;
  /** metadata.name of the static pod (`etcd`). */
  pod: string;
  namespace: string;
  /** The container's name (`etcd`). */
  name: string;
  image: string;
  manifestFile: string;
  /** sha256 of the parsed manifest: a change restarts the pod. */
  hash: string;
  state: 'running' | 'exited';
  pid: number;
  attempt: number;
  startedAt: string;
  finishedAt?: string;
  exitCode?: number | null;
  signal?: string | null;
  command: string[];
  logPath: string;
}

export interface StandinState {
  node: string;
  kubelet: KubeletState;
  /** When the state last changed (the file is rewritten only then). */
  updatedAt: string;
  containers: ContainerRecord[];
}

const now = () => new Date().toISOString();

function log(message: string): void {
  appendFileSync(LOG_FILE, `${now()} ${message}\n`);
}

function readState(): StandinState | undefined {
  try {
    return JSON.parse(readFileSync(STATE_FILE, 'utf8')) as StandinState;
  } catch {
    return undefined;
  }
}

function readDesired(): KubeletState {
  try {
    return readFileSync(DESIRED_FILE, 'utf8').trim() === 'inactive' ? 'inactive' : 'active';
  } catch {
    return 'active';
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The kubelet loop
// ---------------------------------------------------------------------------------------------------------------

interface HostPathMount {
  hostPath: string;
  mountPath: string;
  readOnly: boolean;
  type: string;
}

interface PodSpec {
  file: string;
  hash: string;
  name: string;
  namespace: string;
  containerName: string;
  image: string;
  argv: string[];
  env: Record<string, string>;
  workingDir: string;
  mounts: HostPathMount[];
  graceSeconds: number;
}

interface RunningPod {
  spec: PodSpec;
  record: ContainerRecord;
  child: ChildProcess | undefined;
  stopping: boolean;
  backoffMs: number;
  nextStartAt: number;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.map((item) => String(item)) : [];
}

/** A static pod from one manifest file, or an error message saying why the file is not one. */
function parseManifest(file: string, text: string): PodSpec | string {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    return `not valid YAML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
  }
  const pod = asRecord(doc);
  if (!pod || pod['kind'] !== 'Pod') return 'not a Pod';
  const metadata = asRecord(pod['metadata']) ?? {};
  const spec = asRecord(pod['spec']) ?? {};
  const containers = Array.isArray(spec['containers']) ? spec['containers'] : [];
  const container = asRecord(containers[0]);
  if (!container) return 'the Pod has no container';
  const argv = [...stringList(container['command']), ...stringList(container['args'])];
  if (argv.length === 0) return 'the container has no command';
  const volumes = new Map<string, { path: string; type: string }>();
  for (const volume of Array.isArray(spec['volumes']) ? spec['volumes'] : []) {
    const entry = asRecord(volume);
    const hostPath = asRecord(entry?.['hostPath']);
    if (entry && hostPath) volumes.set(String(entry['name']), { path: String(hostPath['path']), type: String(hostPath['type'] ?? '') });
  }
  const mounts: HostPathMount[] = [];
  for (const mount of Array.isArray(container['volumeMounts']) ? container['volumeMounts'] : []) {
    const entry = asRecord(mount);
    if (!entry) continue;
    const volume = volumes.get(String(entry['name']));
    if (!volume) return `volumeMount ${String(entry['name'])} names no hostPath volume (the stand-in runs hostPath volumes only)`;
    mounts.push({ hostPath: volume.path, mountPath: String(entry['mountPath']), readOnly: entry['readOnly'] === true, type: volume.type });
  }
  const env: Record<string, string> = {};
  for (const variable of Array.isArray(container['env']) ? container['env'] : []) {
    const entry = asRecord(variable);
    if (entry && typeof entry['name'] === 'string' && entry['value'] !== undefined) env[entry['name']] = String(entry['value']);
  }
  const grace = spec['terminationGracePeriodSeconds'];
  return {
    file,
    hash: createHash('sha256').update(JSON.stringify(doc)).digest('hex'),
    name: String(metadata['name'] ?? ''),
    namespace: String(metadata['namespace'] ?? 'default'),
    containerName: String(container['name'] ?? 'container'),
    image: String(container['image'] ?? ''),
    argv,
    env,
    workingDir: typeof container['workingDir'] === 'string' ? container['workingDir'] : '/',
    mounts,
    graceSeconds: typeof grace === 'number' ? grace : 30,
  };
}

/**
 * The lab's stand-in for an etcd image: `handbook-lab/etcd:<version>-<n>` runs the etcd binaries the lab cache holds
 * for that version (`$HANDBOOK_LAB_IMAGE_CACHE/etcd-<version>/`), first on the pod's PATH, as a container runtime
 * runs the binary of the image the manifest names. So a page that changes only the image tag (an etcd upgrade)
 * really changes the etcd version. A tag the cache lacks fails to start, as an image that cannot be pulled does.
 * Without HANDBOOK_LAB_IMAGE_CACHE, or for any other image, the command runs from the node's PATH.
 */
export function etcdImageBinDir(image: string, cacheDir: string | undefined): { binDir: string } | { error: string } | undefined {
  const match = /^handbook-lab\/etcd:(\d+\.\d+\.\d+)-\d+$/.exec(image);
  if (!match || cacheDir === undefined || cacheDir === '') return undefined;
  const binDir = path.join(cacheDir, `etcd-${match[1]}`);
  if (!existsSync(path.join(binDir, 'etcd'))) return { error: `image ${image} is not in the lab (no ${binDir}/etcd; a kubelet would report ErrImagePull)` };
  return { binDir };
}

/**
 * Runs inside a fresh private mount namespace (`unshare --mount`): bind-mounts each hostPath at its mountPath, then
 * execs the container's command, so the pod's process id is the command's.
 */
const POD_START_SCRIPT = `
set -eu
while [ "$1" != "--" ]; do
  host="$1"; target="$2"; ro="$3"; shift 3
  if [ "$host" != "$target" ]; then
    mount --bind "$host" "$target"
    if [ "$ro" = ro ]; then mount -o remount,bind,ro "$target"; fi
  fi
done
shift
cd "$POD_WORKDIR"
unset POD_WORKDIR
exec "$@"
`;

class Kubelet {
  private readonly pods = new Map<string, RunningPod>();
  private readonly exited: ContainerRecord[] = [];
  private state: KubeletState = 'active';
  private readonly node: string;
  private readonly pollMs: number;
  private readonly backoffMs: number;

  constructor(node: string, pollMs: number, backoffMs: number) {
    this.node = node;
    this.pollMs = pollMs;
    this.backoffMs = backoffMs;
  }

  async run(): Promise<never> {
    log(`kubelet stand-in started on ${this.node} (pid ${process.pid}), watching ${MANIFEST_DIR} every ${this.pollMs} ms`);
    for (;;) {
      try {
        await this.tick();
      } catch (error) {
        log(`error: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, this.pollMs));
    }
  }

  private async tick(): Promise<void> {
    const desired = readDesired();
    if (desired !== this.state) {
      this.state = desired;
      if (desired === 'inactive') log('kubelet stopped (systemctl stop): running static pods keep running; manifest changes and exits are not acted on');
      else log('kubelet started (systemctl start): reconciling static pods with the manifests');
      if (desired === 'active') for (const pod of this.pods.values()) if (pod.record.state === 'exited') pod.nextStartAt = 0;
    }
    if (this.state === 'active') await this.reconcile();
    this.writeState();
  }

  private readManifests(): Map<string, PodSpec> {
    const specs = new Map<string, PodSpec>();
    if (!existsSync(MANIFEST_DIR)) return specs;
    for (const name of readdirSync(MANIFEST_DIR).sort()) {
      if (name.startsWith('.')) continue;
      const file = path.join(MANIFEST_DIR, name);
      let text: string;
      try {
        if (!statSync(file).isFile()) continue;
        text = readFileSync(file, 'utf8');
      } catch {
        continue;
      }
      // Parsed again only when the text changed: YAML-parsing every manifest five times a second made the six
      // stand-ins of two labs a steady share of a 2-core CI machine.
      const cached = this.parsedManifests.get(file);
      const parsed = cached && cached.text === text ? cached.parsed : parseManifest(file, text);
      if (!cached || cached.text !== text) this.parsedManifests.set(file, { text, parsed });
      if (typeof parsed === 'string') {
        this.warnOnce(`${file}:${createHash('sha256').update(text).digest('hex')}`, `could not process manifest ${file}: ${parsed}`);
        continue;
      }
      const key = `${parsed.namespace}/${parsed.name}`;
      const existing = specs.get(key);
      if (existing) {
        this.warnOnce(`${key}:${file}`, `manifest ${file} defines pod ${key} again (already in ${existing.file}); ignored`);
        continue;
      }
      specs.set(key, parsed);
    }
    return specs;
  }

  private readonly parsedManifests = new Map<string, { text: string; parsed: PodSpec | string }>();
  private readonly warned = new Set<string>();
  private warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    log(message);
  }

  private async reconcile(): Promise<void> {
    const specs = this.readManifests();
    const stops: Promise<void>[] = [];
    for (const [key, pod] of this.pods) {
      const spec = specs.get(key);
      if (!spec) {
        log(`manifest for pod ${key} is gone (${pod.spec.file}): stopping it`);
        stops.push(this.stop(key, pod));
      } else if (spec.hash !== pod.spec.hash) {
        log(`manifest ${spec.file} changed: restarting pod ${key}`);
        stops.push(this.stop(key, pod));
      }
    }
    await Promise.all(stops);
    const time = Date.now();
    for (const [key, spec] of specs) {
      const pod = this.pods.get(key);
      if (!pod) {
        log(`manifest ${spec.file} found: starting pod ${key}`);
        this.start(key, spec, 0, randomBytes(32).toString('hex'));
      } else if (pod.record.state === 'exited' && !pod.stopping && time >= pod.nextStartAt) {
        log(`restarting container ${spec.containerName} of pod ${key} (attempt ${pod.record.attempt + 1})`);
        this.retire(pod.record);
        this.start(key, spec, pod.record.attempt + 1, pod.record.podId, pod.backoffMs);
      }
    }
  }

  private start(key: string, spec: PodSpec, attempt: number, podId: string, backoffMs = 0): void {
    const logDir = path.join(POD_LOG_DIR, `${spec.namespace}_${spec.name}-${this.node}_${podId.slice(0, 32)}`, spec.containerName);
    mkdirSync(logDir, { recursive: true });
    const logPath = path.join(logDir, `${attempt}.log`);
    const record: ContainerRecord = {
      id: randomBytes(32).toString('hex'),
      podId,
      pod: spec.name,
      namespace: spec.namespace,
      name: spec.containerName,
      image: spec.image,
      manifestFile: spec.file,
      hash: spec.hash,
      state: 'running',
      pid: 0,
      attempt,
      startedAt: now(),
      command: spec.argv,
      logPath,
    };
    const entry: RunningPod = { spec, record, child: undefined, stopping: false, backoffMs, nextStartAt: 0 };
    this.pods.set(key, entry);
    const image = etcdImageBinDir(spec.image, process.env['HANDBOOK_LAB_IMAGE_CACHE']);
    if (image && 'error' in image) {
      this.failStart(entry, image.error);
      return;
    }
    const imagePath = image ? { PATH: `${image.binDir}:${process.env['PATH'] ?? ''}` } : {};
    const mountArgs: string[] = [];
    for (const mount of spec.mounts) {
      if (!existsSync(mount.hostPath)) {
        if (mount.type === 'DirectoryOrCreate' || mount.type === '') {
          mkdirSync(mount.hostPath, { recursive: true, mode: 0o755 });
          log(`pod ${key}: created hostPath ${mount.hostPath} (type ${mount.type || 'unset'})`);
        } else {
          this.failStart(entry, `hostPath ${mount.hostPath} (type ${mount.type}) does not exist`);
          return;
        }
      }
      if (mount.hostPath !== mount.mountPath && !existsSync(mount.mountPath)) {
        // A container runtime makes the mount point inside the container's own root; the stand-in has no
        // separate root, so it makes it on the node and says so.
        mkdirSync(mount.mountPath, { recursive: true, mode: 0o755 });
        log(`pod ${key}: created mount point ${mount.mountPath} on the node (a runtime would create it inside the container)`);
      }
      mountArgs.push(mount.hostPath, mount.mountPath, mount.readOnly ? 'ro' : 'rw');
    }
    const out = openSync(logPath, 'a');
    try {
      const child = spawn('unshare', ['--mount', '--propagation', 'private', '--', 'bash', '-c', POD_START_SCRIPT, 'pod', ...mountArgs, '--', ...spec.argv], {
        detached: true,
        stdio: ['ignore', out, out],
        env: { ...process.env, ...imagePath, ...spec.env, POD_WORKDIR: spec.workingDir },
      });
      record.pid = child.pid ?? 0;
      entry.child = child;
      const mountNote = spec.mounts.map((m) => (m.hostPath === m.mountPath ? m.hostPath : `${m.hostPath}->${m.mountPath}`)).join(', ');
      log(`started container ${spec.containerName} of pod ${key} from ${spec.file} (image ${spec.image}${image ? ` = ${image.binDir}` : ""}): pid ${record.pid}, attempt ${attempt}, volumes [${mountNote}]: ${spec.argv.join(' ')}`);
      child.on('error', (error) => {
        log(`container ${spec.containerName} of pod ${key} could not start: ${error.message}`);
      });
      child.on('exit', (code, signal) => this.onExit(key, entry, code, signal));
    } finally {
      closeSync(out);
    }
    this.writeState();
  }

  private failStart(entry: RunningPod, reason: string): void {
    entry.record.state = 'exited';
    entry.record.finishedAt = now();
    entry.record.exitCode = 128;
    log(`pod ${entry.spec.namespace}/${entry.spec.name}: cannot start: ${reason}`);
    this.scheduleRestart(entry);
  }

  private onExit(key: string, entry: RunningPod, code: number | null, signal: NodeJS.Signals | null): void {
    const record = entry.record;
    record.state = 'exited';
    record.finishedAt = now();
    record.exitCode = code;
    record.signal = signal;
    const ranMs = Date.parse(record.finishedAt) - Date.parse(record.startedAt);
    const how = signal === null ? `exit code ${code}` : `signal ${signal}`;
    if (entry.stopping) {
      log(`container ${record.name} of pod ${key} stopped (${how})`);
    } else {
      if (ranMs >= BACKOFF_RESET_AFTER_MS) entry.backoffMs = 0;
      const tail = tailFile(record.logPath, 5).replace(/\n/g, '\n    | ');
      log(`container ${record.name} of pod ${key} exited on its own (${how}) after ${ranMs} ms; last output:\n    | ${tail}`);
      if (this.state === 'active') this.scheduleRestart(entry);
      else log(`kubelet is stopped: container ${record.name} of pod ${key} stays exited`);
    }
    this.writeState();
  }

  private scheduleRestart(entry: RunningPod): void {
    entry.backoffMs = entry.backoffMs === 0 ? this.backoffMs : Math.min(entry.backoffMs * 2, BACKOFF_MAX_MS);
    entry.nextStartAt = Date.now() + entry.backoffMs;
    log(`back-off ${entry.backoffMs / 1000} s restarting failed container ${entry.record.name} of pod ${entry.spec.namespace}/${entry.spec.name}`);
  }

  private async stop(key: string, pod: RunningPod): Promise<void> {
    pod.stopping = true;
    const record = pod.record;
    if (record.state === 'running' && record.pid > 0) {
      signalGroup(record.pid, 'SIGTERM');
      const deadline = Date.now() + pod.spec.graceSeconds * 1000;
      while (record.state === 'running' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      if (record.state === 'running') {
        log(`container ${record.name} of pod ${key} did not stop within ${pod.spec.graceSeconds} s: SIGKILL`);
        signalGroup(record.pid, 'SIGKILL');
        while (record.state === 'running') await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    this.retire(record);
    this.pods.delete(key);
    log(`pod ${key} removed`);
    this.writeState();
  }

  /** Keeps a few exited containers listed, as the runtime does until garbage collection. */
  private retire(record: ContainerRecord): void {
    this.exited.push(record);
    const mine = this.exited.filter((item) => item.pod === record.pod && item.namespace === record.namespace);
    if (mine.length > EXITED_KEPT_PER_POD) this.exited.splice(this.exited.indexOf(mine[0] as ContainerRecord), 1);
  }

  private lastStateWritten = '';
  writeState(): void {
    const state: StandinState = {
      node: this.node,
      kubelet: this.state,
      updatedAt: now(),
      containers: [...[...this.pods.values()].map((pod) => pod.record), ...this.exited],
    };
    // Written when something in it changed, not at every tick (updatedAt then says when it last changed).
    const unchanged = JSON.stringify({ ...state, updatedAt: '' });
    if (unchanged === this.lastStateWritten && existsSync(STATE_FILE)) return;
    this.lastStateWritten = unchanged;
    const temporary = `${STATE_FILE}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`);
    renameSync(temporary, STATE_FILE);
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // Gone already.
    }
  }
}

function tailFile(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no output)';
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Shims
// ---------------------------------------------------------------------------------------------------------------

function unitName(unit: string): string {
  return unit.includes('.') ? unit : `${unit}.service`;
}

async function waitForKubelet(wanted: KubeletState): Promise<boolean> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (readState()?.kubelet === wanted) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

async function systemctl(args: string[]): Promise<number> {
  const flags = args.filter((arg) => arg.startsWith('-'));
  const words = args.filter((arg) => !arg.startsWith('-'));
  const verb = words[0];
  const units = words.slice(1);
  const quiet = flags.includes('--quiet') || flags.includes('-q');
  if (verb === 'daemon-reload') return 0;
  if (verb === undefined || units.length === 0) {
    process.stderr.write(`lab systemctl shim: "${args.join(' ')}" is not emulated (only stop|start|restart|status|is-active|enable|disable <unit> and daemon-reload)\n`);
    return 1;
  }
  let status = 0;
  for (const unit of units) {
    const full = unitName(unit);
    if (full !== 'kubelet.service') {
      status = Math.max(status, otherUnit(verb, full, quiet));
      continue;
    }
    const current = readState()?.kubelet ?? 'inactive';
    switch (verb) {
      case 'stop':
      case 'start':
      case 'restart': {
        if (verb === 'restart' || verb === 'stop') {
          writeFileSync(DESIRED_FILE, 'inactive\n');
          if (!(await waitForKubelet('inactive'))) return fail(`Job for kubelet.service: the stand-in did not stop within 10 s`);
        }
        if (verb === 'restart' || verb === 'start') {
          writeFileSync(DESIRED_FILE, 'active\n');
          if (!(await waitForKubelet('active'))) return fail(`Job for kubelet.service: the stand-in did not start within 10 s`);
        }
        break;
      }
      case 'is-active':
        if (!quiet) process.stdout.write(`${current}\n`);
        status = Math.max(status, current === 'active' ? 0 : 3);
        break;
      case 'status':
        process.stdout.write(
          `● kubelet.service - kubelet: The Kubernetes Node Agent (handbook lab stand-in)\n` +
            `     Loaded: loaded (/usr/lib/systemd/system/kubelet.service; enabled)\n` +
            `     Active: ${current === 'active' ? 'active (running)' : 'inactive (dead)'}\n\n${tailFile(LOG_FILE, 10)}\n`,
        );
        status = Math.max(status, current === 'active' ? 0 : 3);
        break;
      case 'enable':
      case 'disable':
      case 'is-enabled':
        if (verb === 'is-enabled') process.stdout.write('enabled\n');
        break;
      default:
        return fail(`lab systemctl shim: "${verb}" is not emulated for kubelet.service`);
    }
  }
  return status;
}

/**
 * Any other unit: real answers for a unit that does not exist; one the node has a unit file for is refused, not
 * faked. Only the node's own /etc/systemd/system counts: /usr/lib/systemd/system is the host's (Debian's etcd and
 * haproxy packages put units there that a kubeadm node does not have).
 */
function otherUnit(verb: string, unit: string, quiet: boolean): number {
  const unitFile = existsSync(path.join('/etc/systemd/system', unit));
  if (unitFile) {
    process.stderr.write(`lab systemctl shim: ${unit} exists on this node but the lab runs no systemd; "${verb}" is not emulated\n`);
    return 1;
  }
  switch (verb) {
    case 'is-active':
      if (!quiet) process.stdout.write('inactive\n');
      return 3;
    case 'status':
      process.stderr.write(`Unit ${unit} could not be found.\n`);
      return 4;
    case 'stop':
      process.stderr.write(`Failed to stop ${unit}: Unit ${unit} not loaded.\n`);
      return 5;
    default:
      process.stderr.write(`Failed to ${verb} ${unit}: Unit ${unit} not found.\n`);
      return 5;
  }
}

function fail(message: string): number {
  process.stderr.write(`${message}\n`);
  return 1;
}

function ago(iso: string): string {
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds} seconds ago`;
  const minutes = Math.round(seconds / 60);
  return minutes < 60 ? `${minutes} minutes ago` : `${Math.round(minutes / 60)} hours ago`;
}

/** Value of `--name X`, `--name=X`, or a short alias. */
function option(args: string[], names: string[]): string | undefined {
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] as string;
    for (const name of names) {
      if (arg === name) return args[i + 1];
      if (arg.startsWith(`${name}=`)) return arg.slice(name.length + 1);
    }
  }
  return undefined;
}

function crictl(args: string[]): Promise<number> | number {
  const subcommand = args.find((arg) => !arg.startsWith('-'));
  const rest = args.slice(args.indexOf(subcommand ?? '') + 1);
  const state = readState();
  const containers = state?.containers ?? [];
  switch (subcommand) {
    case 'ps': {
      // `-l`/`--latest`: crictl's "most recently created container (includes all states)".
      const latest = rest.includes('-l') || rest.includes('--latest');
      const all = latest || rest.includes('-a') || rest.includes('--all');
      const quiet = rest.includes('-q') || rest.includes('--quiet');
      const nameFilter = option(rest, ['--name']);
      const stateFilter = option(rest, ['--state', '-s']);
      const pattern = nameFilter === undefined ? undefined : new RegExp(nameFilter);
      const shown = containers
        .filter((c) => (stateFilter !== undefined ? c.state === stateFilter.toLowerCase() : all || c.state === 'running'))
        .filter((c) => pattern === undefined || pattern.test(c.name))
        .sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt))
        .slice(0, latest ? 1 : undefined);
      if (quiet) {
        for (const c of shown) process.stdout.write(`${c.id}\n`);
        return 0;
      }
      const rows = [['CONTAINER', 'IMAGE', 'CREATED', 'STATE', 'NAME', 'ATTEMPT', 'POD ID', 'POD', 'NAMESPACE']];
      for (const c of shown) {
        rows.push([c.id.slice(0, 13), c.image, ago(c.startedAt), c.state === 'running' ? 'Running' : 'Exited', c.name, String(c.attempt), c.podId.slice(0, 13), `${c.pod}-${state?.node ?? ''}`, c.namespace]);
      }
      // crictl's tabwriter: columns at least 20 wide, 3 spaces of padding.
      const widths = (rows[0] as string[]).map((_, column) => Math.max(20, ...rows.map((row) => (row[column] ?? '').length + 3)));
      process.stdout.write(`${rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 20)).join('').trimEnd()).join('\n')}\n`);
      return 0;
    }
    case 'stop':
      return crictlStop(rest, containers);
    case 'logs': {
      const tail = option(rest, ['--tail']);
      const id = rest.filter((arg, i) => !arg.startsWith('-') && rest[i - 1] !== '--tail').at(-1);
      const container = containers.find((c) => id !== undefined && c.id.startsWith(id));
      if (!container) return fail(`lab crictl shim: no container ${id ?? '(none given)'}`);
      const text = existsSync(container.logPath) ? readFileSync(container.logPath, 'utf8') : '';
      process.stdout.write(tail === undefined ? text : `${text.trimEnd().split('\n').slice(-Number(tail)).join('\n')}\n`);
      return 0;
    }
    default:
      return fail(`lab crictl shim: "${args.join(' ')}" is not emulated (only ps [-a] [-l] [-q] [--name RE] [--state S], stop ID..., logs [--tail N] ID)`);
  }
}

async function crictlStop(rest: string[], containers: ContainerRecord[]): Promise<number> {
  const timeoutSeconds = Number(option(rest, ['--timeout', '-t']) ?? '0');
  const ids = rest.filter((arg, i) => !arg.startsWith('-') && !['--timeout', '-t'].includes(rest[i - 1] ?? ''));
  if (ids.length === 0) return fail('ID cannot be empty');
  let status = 0;
  for (const id of ids) {
    const container = containers.find((c) => c.id.startsWith(id));
    if (!container) {
      status = fail(`lab crictl shim: no container ${id}`);
      continue;
    }
    if (container.state === 'running' && processAlive(container.pid)) {
      signalGroup(container.pid, 'SIGTERM');
      const deadline = Date.now() + Math.max(timeoutSeconds, 0) * 1000;
      while (processAlive(container.pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      if (processAlive(container.pid)) signalGroup(container.pid, 'SIGKILL');
      while (processAlive(container.pid)) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    process.stdout.write(`${id}\n`);
  }
  return status;
}

function journalctl(args: string[]): number {
  const unit = option(args, ['-u', '--unit']);
  const lines = option(args, ['-n', '--lines']);
  if (unit === undefined || unitName(unit) !== 'kubelet.service') {
    process.stdout.write('-- No entries --\n');
    return 0;
  }
  const text = existsSync(LOG_FILE) ? readFileSync(LOG_FILE, 'utf8').trimEnd() : '';
  process.stdout.write(`${lines === undefined ? text : text.split('\n').slice(-Number(lines)).join('\n')}\n`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [tool, ...args] = argv;
  switch (tool) {
    case 'kubelet': {
      // Read by Node at start-up only (lab.ts sets it for speed); static pods get the manifest's env, not this.
      delete process.env['NODE_COMPILE_CACHE'];
      mkdirSync(STATE_DIR, { recursive: true });
      mkdirSync(MANIFEST_DIR, { recursive: true });
      const node = option(args, ['--node']) ?? 'node';
      const kubelet = new Kubelet(node, Number(option(args, ['--poll-ms']) ?? '200'), Number(option(args, ['--backoff-ms']) ?? '10000'));
      kubelet.writeState();
      return kubelet.run();
    }
    case 'systemctl':
      return systemctl(args);
    case 'crictl':
      return crictl(args);
    case 'journalctl':
      return journalctl(args);
    default:
      process.stderr.write('usage: node standin.ts kubelet|systemctl|crictl|journalctl ...\n');
      return 2;
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
