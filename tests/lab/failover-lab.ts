/**
 * Leader-election failover on real binaries, on 127.0.0.1 only: one etcd (plain HTTP), one kube-apiserver, and
 * for each measured row one or more groups of three kube-controller-managers or kube-schedulers, each process in its
 * own UTS namespace (`unshare --uts`) with hostname cp1..cp3, so the Lease's holderIdentity (`<hostname>_<uuid>`)
 * names the instance. Every group has its own Lease (`--leader-elect-resource-name`), so groups run side by side.
 *
 * A trial stops the Lease holder (SIGKILL, or SIGTERM for a graceful stop) and takes the new holder's `acquireTime`
 * minus the moment of the signal as the failover time. The stopped instance is started again after each trial, so
 * there are always two standbys (the calculator's default), and the next trial waits until its try loop has run a
 * few jittered periods, so every standby's try phase is that of a long-running process, as the model assumes.
 *
 * No lab lock: it uses loopback ports only and no namespaces but UTS ones, so it can run beside the kubeadm lab.
 * Every process is started under `setpriv --pdeathsig KILL` (it dies with the process that started it), recorded in
 * a pid file, and killed on stop; a later run kills what a killed run left behind (pid files whose owner is gone).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { setPriority, tmpdir } from 'node:os';
import path from 'node:path';
import { labBinary, labVersion } from '../../lab/bin-path.mjs';

export const FAILOVER_KUBERNETES_MINOR = '1.37';
export const FAILOVER_ETCD_MINOR = '3.7';

export type FailoverComponent = 'kube-controller-manager' | 'kube-scheduler';
export type FailoverSignal = 'SIGKILL' | 'SIGTERM';

export interface FailoverTiming {
  leaseDurationSeconds: number;
  renewDeadlineSeconds: number;
  retryPeriodSeconds: number;
}

export interface FailoverRowPlan {
  component: FailoverComponent;
  signal: FailoverSignal;
  timing: FailoverTiming;
  /** kube-controller-manager's KEP-5366 gate (`--feature-gates=ControllerManagerReleaseLeaderElectionLockOnExit=true`). */
  releaseGate?: boolean;
  /** Groups of three instances run side by side on their own Leases; their samples are pooled. */
  groups: number;
  /** More flags for every instance (for example `-v=4` to log each standby try while investigating). */
  extraArgs?: string[];
  trialsPerGroup: number;
}

export interface FailoverRowResult {
  component: FailoverComponent;
  signal: FailoverSignal;
  timing: FailoverTiming;
  releaseGate: boolean;
  /** Whether the component releases its Lease on this stop: kube-scheduler always, kube-controller-manager with the gate. */
  releaseOnCancel: boolean;
  /** Seconds from the signal to the new holder's acquireTime, in trial order (groups interleaved by finish). */
  samplesSeconds: number[];
  /**
   * Per trial, seconds from the signal to the stopping leader's release of the Lease (the renewTime client-go writes
   * into the released record, seen on a watch), or null where no release was seen (a crash; a stop without release).
   */
  releaseDelaysSeconds: (number | null)[];
  /**
   * Per trial, the slowest of the lab's own GETs of the Lease between the signal and the new holder: how long a GET
   * took on the loaded machine then. The new holder stamps acquireTime after its own GET of the Lease, which the
   * calculator does not count (tryAcquireOrRenew, client-go v0.37.2).
   */
  apiGetMaxSeconds: number[];
}

type Log = (line: string) => void;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// --- process bookkeeping ----------------------------------------------------------------------------------------------
const STATE_DIR = path.join(tmpdir(), 'handbook-failover');
/**
 * Where a run's certificates, etcd data and logs go: /dev/shm (memory) when the machine has it. The measurement is of
 * client-go's timers; with etcd on a disk that the labs beside this test keep busy with fsyncs, a Lease renewal can
 * wait on the disk past the renew deadline, and the failover table would show the disk instead of the timers.
 */
const WORK_BASE = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
/**
 * The components' scheduling priority (root only): above the labs and the site track that run beside this test on a
 * 2-core machine, so a standby wakes when its retry period says and the leader renews on time.
 */
const COMPONENT_NICENESS = -5;
/** Marks every command line this lab starts (its temporary directory's prefix), so reaping never touches others. */
const DIR_PREFIX = 'handbook-failover-';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Kills what an earlier run that is gone left behind: pids in its pid file whose command line names our prefix. */
export function reapLeftovers(log: Log): void {
  if (!existsSync(STATE_DIR)) return;
  for (const file of readdirSync(STATE_DIR)) {
    const owner = Number(/^pids-(\d+)$/.exec(file)?.[1]);
    if (!Number.isInteger(owner) || (owner !== process.pid && alive(owner))) continue;
    const pidFile = path.join(STATE_DIR, file);
    const lines = readFileSync(pidFile, 'utf8').split('\n');
    for (const line of lines) {
      const pid = Number(line);
      if (!Number.isInteger(pid) || pid <= 1) continue;
      try {
        if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(DIR_PREFIX)) {
          process.kill(pid, 'SIGKILL');
          log(`killed leftover process ${pid} of an earlier failover run (pid ${owner})`);
        }
      } catch {
        // already gone
      }
    }
    // The first line names the killed run's folder (certificates, etcd data, logs): removed with it.
    const dir = /^# (.+)$/.exec(lines[0] ?? '')?.[1];
    if (dir?.startsWith(path.join(WORK_BASE, DIR_PREFIX))) rmSync(dir, { recursive: true, force: true });
    rmSync(pidFile, { force: true });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}

function sh(script: string, cwd: string): void {
  const result = spawnSync('bash', ['-euo', 'pipefail', '-c', script], { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`setup step failed:\n${script}\n${result.stdout}${result.stderr}`);
}

/** A CA, the API server's serving certificate, client certificates and kubeconfigs; all names are 127.0.0.1. */
function writePki(dir: string, apiserverPort: number, kubectl: string): void {
  const client = (name: string, cn: string, org: string) => `
openssl req -newkey rsa:2048 -nodes -keyout ${name}.key -subj "/CN=${cn}${org ? `/O=${org}` : ''}" -out ${name}.csr 2>/dev/null
openssl x509 -req -in ${name}.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -out ${name}.crt \
  -extfile <(printf 'keyUsage=critical,digitalSignature,keyEncipherment\\nextendedKeyUsage=clientAuth') 2>/dev/null
${kubectl} config set-cluster lab --server=https://127.0.0.1:${apiserverPort} --certificate-authority=ca.crt --embed-certs --kubeconfig=${name}.conf >/dev/null
${kubectl} config set-credentials u --client-certificate=${name}.crt --client-key=${name}.key --embed-certs --kubeconfig=${name}.conf >/dev/null
${kubectl} config set-context lab --cluster=lab --user=u --kubeconfig=${name}.conf >/dev/null
${kubectl} config use-context lab --kubeconfig=${name}.conf >/dev/null`;
  sh(`
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -subj "/CN=failover-lab-ca" -days 2 -out ca.crt 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout apiserver.key -subj "/CN=kube-apiserver" -out apiserver.csr 2>/dev/null
openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -out apiserver.crt \
  -extfile <(printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nextendedKeyUsage=serverAuth') 2>/dev/null
openssl genrsa -out sa.key 2048 2>/dev/null && openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
${client('admin', 'lab-admin', 'system:masters')}
${client('controller-manager', 'system:kube-controller-manager', '')}
${client('scheduler', 'system:kube-scheduler', '')}
`, dir);
}

interface LeaseSpec {
  holderIdentity?: string;
  acquireTime?: string;
  renewTime?: string;
  leaseDurationSeconds?: number;
}

/** One running component; `attemptingAtMs` is when client-go logged that it started its try loop. */
interface Instance {
  child: ChildProcess;
  attemptingAtMs: number | null;
}

/** The instances' Lease identity: `cp<N>_<uuid>`, N = 1..3. */
const HOLDER = /^cp([123])_/;

/** Instances of one group that may lose their Lease under load (and be started again) before the run fails. */
const MAX_RESTARTS_UNDER_LOAD = 3;

export class FailoverLab {
  readonly dir: string;
  readonly kubernetesVersion: string;
  readonly etcdVersion: string;
  private readonly children = new Set<ChildProcess>();
  private readonly pidFile: string;
  private apiserverPort = 0;
  private tls: { ca: Buffer; cert: Buffer; key: Buffer } | null = null;
  private readonly onExit = () => this.killAll();
  private readonly log: Log;
  /** True when the components could not be given normal priority (not root, test under `nice`). */
  niced = false;

  private constructor(log: Log) {
    this.log = log;
    mkdirSync(STATE_DIR, { recursive: true });
    this.pidFile = path.join(STATE_DIR, `pids-${process.pid}`);
    this.dir = mkdtempSync(path.join(WORK_BASE, DIR_PREFIX));
    writeFileSync(this.pidFile, `# ${this.dir}\n`);
    mkdirSync(path.join(this.dir, 'logs'));
    this.kubernetesVersion = labVersion('kubernetes', FAILOVER_KUBERNETES_MINOR);
    this.etcdVersion = labVersion('etcd', FAILOVER_ETCD_MINOR);
    process.once('exit', this.onExit);
  }

  /** etcd and kube-apiserver up and ready; throws (after stopping what it started) when they do not come up. */
  static async start(log: Log): Promise<FailoverLab> {
    reapLeftovers(log);
    const lab = new FailoverLab(log);
    try {
      await lab.startControlPlane();
    } catch (error) {
      lab.stop({ keepDir: true });
      throw error;
    }
    return lab;
  }

  private binary(name: string): string {
    return labBinary('kubernetes', FAILOVER_KUBERNETES_MINOR, name);
  }

  private async startControlPlane(): Promise<void> {
    const etcd = labBinary('etcd', FAILOVER_ETCD_MINOR, 'etcd');
    const [etcdClient, etcdPeer, apiserverPort] = [await freePort(), await freePort(), await freePort()];
    this.apiserverPort = apiserverPort;
    writePki(this.dir, apiserverPort, this.binary('kubectl'));
    this.tls = {
      ca: readFileSync(path.join(this.dir, 'ca.crt')),
      cert: readFileSync(path.join(this.dir, 'admin.crt')),
      key: readFileSync(path.join(this.dir, 'admin.key')),
    };
    const dir = this.dir;
    this.spawn('etcd', 'etcd', [etcd, '--name', 'lab', '--data-dir', path.join(dir, 'etcd'),
      '--listen-client-urls', `http://127.0.0.1:${etcdClient}`, '--advertise-client-urls', `http://127.0.0.1:${etcdClient}`,
      '--listen-peer-urls', `http://127.0.0.1:${etcdPeer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${etcdPeer}`,
      '--initial-cluster', `lab=http://127.0.0.1:${etcdPeer}`,
      // Nothing here needs fsync-grade durability; it keeps a busy disk from adding latency to Lease writes.
      '--unsafe-no-fsync']);
    this.spawn('kube-apiserver', 'cp1', [this.binary('kube-apiserver'),
      '--advertise-address=127.0.0.1', '--bind-address=127.0.0.1', `--secure-port=${apiserverPort}`,
      // The default reconciler would publish 127.0.0.1 in the kubernetes Endpoints, which validation refuses.
      '--endpoint-reconciler-type=none',
      `--etcd-servers=http://127.0.0.1:${etcdClient}`,
      `--client-ca-file=${dir}/ca.crt`, `--tls-cert-file=${dir}/apiserver.crt`, `--tls-private-key-file=${dir}/apiserver.key`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${dir}/sa.pub`, `--service-account-signing-key-file=${dir}/sa.key`,
      '--service-cluster-ip-range=10.96.0.0/12', '--authorization-mode=Node,RBAC']);
    const startedAtMs = Date.now();
    await this.waitFor('kube-apiserver /readyz', 180_000, async () => (await this.api('GET', '/readyz').catch(() => null))?.body === 'ok');
    this.log(`kube-apiserver ${this.kubernetesVersion} ready after ${((Date.now() - startedAtMs) / 1000).toFixed(1)} s (etcd ${this.etcdVersion}, lab in ${this.dir})`);
  }

  /** A process under `unshare --uts` and `setpriv --pdeathsig KILL`; the pid held is the component's own (exec chain). */
  private spawn(logName: string, hostname: string, argv: string[], onStderr?: (text: string) => void): ChildProcess {
    const script = 'hostname "$0" && exec "$@"';
    const child = spawn('unshare', ['--uts', 'setpriv', '--pdeathsig', 'KILL', 'sh', '-c', script, hostname, ...argv], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    if (child.pid === undefined) throw new Error(`could not start ${logName}`);
    writeFileSync(this.pidFile, `${child.pid}\n`, { flag: 'a' });
    // The measurement is of client-go's timers, so the components run above normal priority even when the test runs
    // under `nice` (they need about a fifth of a core): a niced standby on a busy machine wakes late and tries
    // less often than its retry period says, which shows up as slower failovers. Raising priority needs root;
    // without it they keep the test's niceness and the run prints it.
    try {
      setPriority(child.pid, COMPONENT_NICENESS);
    } catch {
      this.niced = true;
    }
    const logFile = path.join(this.dir, 'logs', `${logName}.log`);
    child.stderr?.on('data', (chunk: Buffer) => {
      writeFileSync(logFile, chunk, { flag: 'a' });
      onStderr?.(chunk.toString('utf8'));
    });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  /** A request to kube-apiserver with the admin client certificate. */
  private api(method: 'GET' | 'DELETE', urlPath: string): Promise<{ status: number; body: string }> {
    const tls = this.tls;
    if (!tls) return Promise.reject(new Error('no client certificate yet'));
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: this.apiserverPort, method, path: urlPath, ...tls, timeout: 10_000 }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath} timed out`)));
      req.on('error', reject);
      req.end();
    });
  }

  private async readLease(name: string): Promise<LeaseSpec | null> {
    const response = await this.api('GET', `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${name}`).catch(() => null);
    if (response?.status !== 200) return null;
    return ((JSON.parse(response.body) as { spec?: LeaseSpec }).spec) ?? null;
  }

  private async waitFor(what: string, timeoutMs: number, check: () => Promise<boolean> | boolean, intervalMs = 200): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await check()) return;
      await sleep(intervalMs);
    }
    throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what} (logs in ${this.dir}/logs)`);
  }

  /** Runs a row: its groups side by side, samples pooled. */
  async measure(plan: FailoverRowPlan, rowName: string): Promise<FailoverRowResult> {
    const groups = await Promise.all(Array.from({ length: plan.groups }, (_, group) => this.measureGroup(plan, `${rowName}-g${group + 1}`)));
    const samples = groups.flatMap((group) => group.samples);
    const releaseDelays = groups.flatMap((group) => group.releaseDelays);
    const apiGetMax = groups.flatMap((group) => group.apiGetMax);
    return {
      component: plan.component,
      signal: plan.signal,
      timing: plan.timing,
      releaseGate: plan.releaseGate ?? false,
      releaseOnCancel: plan.signal === 'SIGTERM' && (plan.component === 'kube-scheduler' || plan.releaseGate === true),
      samplesSeconds: samples,
      releaseDelaysSeconds: releaseDelays,
      apiGetMaxSeconds: apiGetMax,
    };
  }

  /**
   * Watches one Lease and keeps the time of every release: client-go's release() writes a record with no holder whose
   * renewTime is the releasing leader's clock at the release (tools/leaderelection/leaderelection.go, tryRelease(), client-go v0.37.2). A watch sees
   * it even when a standby takes the Lease a few milliseconds later, which polling would miss.
   */
  private watchReleases(leaseName: string): { releasesAtMs: number[]; stop: () => void } {
    const releasesAtMs: number[] = [];
    const tls = this.tls;
    if (!tls) return { releasesAtMs, stop: () => {} };
    const query = `watch=1&fieldSelector=${encodeURIComponent(`metadata.name=${leaseName}`)}`;
    const req = request({ host: '127.0.0.1', port: this.apiserverPort, method: 'GET', path: `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases?${query}`, ...tls }, (res) => {
      let pending = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        pending += chunk;
        let newline = pending.indexOf('\n');
        while (newline >= 0) {
          const line = pending.slice(0, newline);
          pending = pending.slice(newline + 1);
          newline = pending.indexOf('\n');
          try {
            const event = JSON.parse(line) as { type?: string; object?: { spec?: LeaseSpec } };
            const spec = event.object?.spec;
            if (event.type === 'MODIFIED' && spec && !spec.holderIdentity && spec.renewTime) releasesAtMs.push(Date.parse(spec.renewTime));
          } catch {
            // A line that is not an event (the stream closing): nothing to keep.
          }
        }
      });
    });
    req.on('error', () => {});
    req.end();
    return { releasesAtMs, stop: () => req.destroy() };
  }

  private async measureGroup(plan: FailoverRowPlan, leaseName: string): Promise<{ samples: number[]; releaseDelays: (number | null)[]; apiGetMax: number[] }> {
    const exitedOnItsOwn = (instance: Instance): boolean => instance.child.exitCode !== null || instance.child.signalCode !== null;
    const { component, timing, signal } = plan;
    const retryMs = timing.retryPeriodSeconds * 1000;
    const dir = this.dir;
    const kubeconfig = path.join(dir, component === 'kube-controller-manager' ? 'controller-manager.conf' : 'scheduler.conf');
    const ports = [await freePort(), await freePort(), await freePort()];
    const argvFor = (index: number) => [this.binary(component), `--kubeconfig=${kubeconfig}`, `--authentication-kubeconfig=${kubeconfig}`,
      `--authorization-kubeconfig=${kubeconfig}`, '--bind-address=127.0.0.1', `--secure-port=${ports[index]}`, '--leader-elect=true',
      `--leader-elect-resource-name=${leaseName}`,
      `--leader-elect-lease-duration=${timing.leaseDurationSeconds}s`,
      `--leader-elect-renew-deadline=${timing.renewDeadlineSeconds}s`,
      `--leader-elect-retry-period=${timing.retryPeriodSeconds}s`,
      ...(plan.releaseGate ? ['--feature-gates=ControllerManagerReleaseLeaderElectionLockOnExit=true'] : []),
      ...(component === 'kube-controller-manager'
        // A light controller set: only the Lease matters here, and many full controller managers would starve the machine.
        ? [`--service-account-private-key-file=${dir}/sa.key`, '--controllers=serviceaccount-controller,namespace-controller', '--use-service-account-credentials=false']
        : []),
      ...(plan.extraArgs ?? [])];
    let starts = 0;
    const startInstance = (index: number): Instance => {
      starts += 1;
      const instance: Instance = { child: null as unknown as ChildProcess, attemptingAtMs: null };
      instance.child = this.spawn(`${leaseName}-cp${index + 1}-${starts}`, `cp${index + 1}`, argvFor(index), (text) => {
        // client-go logs this line as acquire() starts its try loop (leaderelection.go l.258 at v0.37.2).
        if (instance.attemptingAtMs === null && text.includes('Attempting to acquire leader lease')) instance.attemptingAtMs = Date.now();
      });
      return instance;
    };
    const instances: Instance[] = [];
    for (const index of [0, 1, 2]) {
      instances.push(startInstance(index));
      // Staggered: three Go binaries starting at once on a loaded 2-core machine slow each other down.
      await sleep(500);
    }
    /** Every standby's loop must have run for three mean try intervals (1.6·RP each) before a stop. */
    const settledMs = 3 * 1.6 * retryMs;
    const settled = () => instances.every((instance) => instance.attemptingAtMs !== null && Date.now() - instance.attemptingAtMs >= settledMs);
    const samples: number[] = [];
    const releaseDelays: (number | null)[] = [];
    const apiGetMax: number[] = [];
    const releases = this.watchReleases(leaseName);
    try {
      await this.waitFor(`${leaseName}: a leader`, 120_000, async () => HOLDER.test((await this.readLease(leaseName))?.holderIdentity ?? ''));
      let restartsUnderLoad = 0;
      for (let trial = 0; trial < plan.trialsPerGroup; trial += 1) {
        await this.waitFor(`${leaseName}: every instance in its try loop`, 120_000, () => settled() || instances.some(exitedOnItsOwn));
        // A leader that cannot renew within the renew deadline (an API server slowed by a loaded machine: 3 s at
        // 4/3/1) exits, as kube-controller-manager and kube-scheduler do when they lose their Lease; a kubelet would
        // start it again, and so does this lab, before the trial (no trial is measured across it). More than a few
        // in one group means the machine is too loaded to measure, which fails the run.
        const exited = instances.map((instance, index) => (exitedOnItsOwn(instance) ? index : -1)).filter((index) => index >= 0);
        if (exited.length > 0) {
          restartsUnderLoad += exited.length;
          if (restartsUnderLoad > MAX_RESTARTS_UNDER_LOAD) throw new Error(`${leaseName}: ${restartsUnderLoad} instances exited on their own (lost the Lease under load); logs in ${dir}/logs`);
          for (const index of exited) instances[index] = startInstance(index);
          this.log(`  ${leaseName}: ${exited.map((index) => `cp${index + 1}`).join(', ')} exited on its own before trial ${trial + 1} (lost the Lease under load) and was started again`);
          trial -= 1;
          continue;
        }
        // A random phase against the leader's renewals (every RP): uniform over two periods.
        await sleep(Math.random() * 2 * retryMs);
        const holder = (await this.readLease(leaseName))?.holderIdentity ?? '';
        const index = Number(HOLDER.exec(holder)?.[1]) - 1;
        const victim = instances[index];
        if (!victim) throw new Error(`${leaseName}: Lease held by "${holder}", not by one of this group's instances`);
        const signalledAtMs = Date.now();
        victim.child.kill(signal);
        let acquireTime: string | undefined;
        let next = '';
        let slowestGetMs = 0;
        await this.waitFor(`${leaseName}: a new leader after ${signal}`, (timing.leaseDurationSeconds * 3 + 30) * 1000, async () => {
          const getStartedMs = Date.now();
          const lease = await this.readLease(leaseName);
          slowestGetMs = Math.max(slowestGetMs, Date.now() - getStartedMs);
          next = lease?.holderIdentity ?? '';
          acquireTime = lease?.acquireTime;
          return next !== '' && next !== holder;
        }, 100);
        if (!acquireTime) throw new Error(`${leaseName}: the new Lease holder has no acquireTime`);
        const acquiredAtMs = Date.parse(acquireTime);
        const failoverSeconds = (acquiredAtMs - signalledAtMs) / 1000;
        // The release of this trial: after the signal (a few ms of clock slack), before the new holder acquired.
        const releasedAtMs = releases.releasesAtMs.find((atMs) => atMs >= signalledAtMs - 5 && atMs <= acquiredAtMs);
        const releaseDelaySeconds = releasedAtMs === undefined ? null : Math.max(0, (releasedAtMs - signalledAtMs) / 1000);
        samples.push(failoverSeconds);
        releaseDelays.push(releaseDelaySeconds);
        apiGetMax.push(slowestGetMs / 1000);
        this.log(`  ${leaseName} trial ${trial + 1}: ${signal} ${holder.split('_')[0]} -> ${next.split('_')[0]} in ${failoverSeconds.toFixed(2)} s${releaseDelaySeconds === null ? '' : ` (released ${releaseDelaySeconds.toFixed(2)} s after the signal)`}`);
        await this.stopped(victim.child, 30_000);
        instances[index] = startInstance(index);
      }
    } finally {
      releases.stop();
      for (const instance of instances) instance.child.kill('SIGKILL');
      await Promise.all(instances.map((instance) => this.stopped(instance.child, 10_000)));
      await this.api('DELETE', `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${leaseName}`).catch(() => null);
    }
    return { samples, releaseDelays, apiGetMax };
  }

  /** Waits for a process to exit; SIGKILL when it takes longer than `graceMs` (a graceful stop that hangs). */
  private async stopped(child: ChildProcess, graceMs: number): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  private killAll(): void {
    for (const child of this.children) child.kill('SIGKILL');
  }

  /** Kills everything this lab started, removes its pid file, and its directory unless `keepDir` (logs of a failure). */
  stop({ keepDir }: { keepDir: boolean }): void {
    this.killAll();
    process.removeListener('exit', this.onExit);
    // SIGKILL is not instant: wait (briefly) for every pid to be gone before forgetting them.
    const deadline = Date.now() + 5_000;
    const pids = existsSync(this.pidFile) ? readFileSync(this.pidFile, 'utf8').split('\n').map(Number).filter((pid) => pid > 1) : [];
    while (Date.now() < deadline && pids.some((pid) => alive(pid) && readCmdline(pid).includes(DIR_PREFIX))) spawnSync('sleep', ['0.1']);
    rmSync(this.pidFile, { force: true });
    if (keepDir) {
      // The run's folder is in memory (/dev/shm, with etcd's data): keep only the logs, on disk.
      const kept = path.join(tmpdir(), `${path.basename(this.dir)}-logs`);
      cpSync(path.join(this.dir, 'logs'), kept, { recursive: true });
      this.log(`failover lab logs kept in ${kept}`);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function readCmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

/** Processes whose command line names a lab directory (for the "nothing survives" check). */
export function survivingLabProcesses(dir: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const cmdline = readCmdline(pid);
    if (cmdline.includes(dir)) found.push(pid);
  }
  return found;
}
