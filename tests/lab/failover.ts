/**
 * Leader-election failover measured on real binaries and compared with `leaderElection` from src/lib/calc.
 *
 * On 127.0.0.1 only: one etcd (3.6, plain HTTP), one kube-apiserver, three kube-controller-managers and three
 * kube-schedulers, each component in its own UTS namespace (`unshare --uts`) with hostname cp1..cp3, so the Lease's
 * holderIdentity (`<hostname>_<uuid>`) names the instance. Each trial waits a random time, stops the Lease holder
 * (SIGKILL, or SIGTERM for a graceful stop), and takes the new holder's `acquireTime` minus the moment of the signal
 * as the failover time; the stopped instance is started again before the next trial, so there are always two
 * standbys, as the calculator's default assumes.
 *
 *   npm run lab:build -- --kubernetes      # binaries first
 *   node tests/lab/failover.ts [--quick]   # --quick: fewer trials
 *
 * Everything it starts is stopped on exit, on failure and on Ctrl-C; a later run stops leftovers of a killed run.
 * Exit status 1 when a measurement falls outside the calculator's best-worst range or a mean misses the expected
 * value by more than 10 %.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { labBinary, labVersion } from '../../lab/bin-path.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const quick = process.argv.includes('--quick');

// --- the calculator, bundled from its TypeScript source so this script runs on plain Node --------------------------
interface Failover { bestSeconds: number; expectedSeconds: number; worstSeconds: number }
interface CalcResult { crashFailover: Failover; gracefulFailover: Failover; valid: boolean; errors: string[] }
type LeaderElectionFn = (input: {
  leaseDurationSeconds: number; renewDeadlineSeconds: number; retryPeriodSeconds: number; standbys?: number; releaseOnCancel?: boolean;
}) => CalcResult;

async function loadCalculator(): Promise<LeaderElectionFn> {
  const bundle = await build({
    entryPoints: [path.join(repo, 'src/lib/calc/leader-election.ts')],
    bundle: true, format: 'esm', platform: 'node', write: false, logLevel: 'error',
  });
  const code = bundle.outputFiles[0]?.text ?? '';
  const module = (await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)) as { leaderElection: LeaderElectionFn };
  return module.leaderElection;
}

// --- processes ------------------------------------------------------------------------------------------------------
const stateDir = path.join(tmpdir(), 'handbook-failover');
const pidFile = path.join(stateDir, 'pids');
const children = new Set<ChildProcess>();

/** Stops what a killed earlier run left behind: only pids it recorded whose command line still names its directory. */
function reapLeftovers(): void {
  if (!existsSync(pidFile)) return;
  for (const line of readFileSync(pidFile, 'utf8').split('\n')) {
    const pid = Number(line);
    if (!Number.isInteger(pid) || pid <= 1) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes('handbook-failover-')) {
        process.kill(pid, 'SIGKILL');
        console.log(`stopped leftover process ${pid} of an earlier run`);
      }
    } catch {
      // already gone
    }
  }
  rmSync(pidFile, { force: true });
}

function recordPid(pid: number): void {
  writeFileSync(pidFile, `${pid}\n`, { flag: 'a' });
}

function start(name: string, hostname: string, argv: string[], logDir: string): ChildProcess {
  // unshare execs sh, which sets the hostname and execs the binary: the pid we hold is the component's own.
  const script = 'hostname "$0" && exec "$@"';
  const child = spawn('unshare', ['--uts', 'sh', '-c', script, hostname, ...argv], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const log = path.join(logDir, `${name}.log`);
  child.stderr?.on('data', (chunk: Buffer) => writeFileSync(log, chunk, { flag: 'a' }));
  if (child.pid === undefined) throw new Error(`could not start ${name}`);
  recordPid(child.pid);
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

function stopAll(): void {
  for (const child of children) child.kill('SIGKILL');
}

function exitWhenStopped(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function sh(script: string, cwd: string): void {
  const result = spawnSync('bash', ['-euo', 'pipefail', '-c', script], { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`setup step failed:\n${script}\n${result.stdout}${result.stderr}`);
}

/** A CA, serving and client certificates and kubeconfigs; kube-apiserver only ever listens on 127.0.0.1. */
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
  -extfile <(printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\\nextendedKeyUsage=serverAuth') 2>/dev/null
openssl genrsa -out sa.key 2048 2>/dev/null && openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
${client('admin', 'lab-admin', 'system:masters')}
${client('controller-manager', 'system:kube-controller-manager', '')}
${client('scheduler', 'system:kube-scheduler', '')}
`, dir);
}

function kubectlJson(kubectl: string, kubeconfig: string, args: string[]): unknown {
  const result = spawnSync(kubectl, ['--kubeconfig', kubeconfig, ...args, '-o', 'json'], { encoding: 'utf8', timeout: 10_000 });
  if (result.status !== 0) return null;
  return JSON.parse(result.stdout) as unknown;
}

interface LeaseSpec { holderIdentity?: string; acquireTime?: string; renewTime?: string; leaseDurationSeconds?: number; leaseTransitions?: number }

function readLease(kubectl: string, kubeconfig: string, name: string): LeaseSpec | null {
  const lease = kubectlJson(kubectl, kubeconfig, ['-n', 'kube-system', 'get', 'lease', name]) as { spec?: LeaseSpec } | null;
  return lease?.spec ?? null;
}

async function waitFor(what: string, timeoutMs: number, check: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return;
    await sleep(200);
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
}

// --- the experiment ---------------------------------------------------------------------------------------------------
interface Timing { leaseDurationSeconds: number; renewDeadlineSeconds: number; retryPeriodSeconds: number }
interface Row { component: string; signal: string; timing: Timing; extra: string; releaseOnCancel: boolean; samples: number[] }

async function main(): Promise<number> {
  mkdirSync(stateDir, { recursive: true });
  reapLeftovers();
  const etcd = labBinary('etcd', '3.6', 'etcd');
  const k = (binary: string) => labBinary('kubernetes', '1.37', binary);
  const kubectl = k('kubectl');
  const leaderElection = await loadCalculator();
  const dir = mkdtempSync(path.join(tmpdir(), 'handbook-failover-'));
  const logDir = path.join(dir, 'logs');
  mkdirSync(logDir);
  console.log(`failover lab in ${dir}: etcd ${labVersion('etcd', '3.6')}, Kubernetes ${labVersion('kubernetes', '1.37')}`);

  const [etcdClient, etcdPeer, apiserverPort] = [await freePort(), await freePort(), await freePort()];
  writePki(dir, apiserverPort, kubectl);
  const admin = path.join(dir, 'admin.conf');

  start('etcd', 'etcd', [etcd, '--name', 'lab', '--data-dir', path.join(dir, 'etcd'),
    '--listen-client-urls', `http://127.0.0.1:${etcdClient}`, '--advertise-client-urls', `http://127.0.0.1:${etcdClient}`,
    '--listen-peer-urls', `http://127.0.0.1:${etcdPeer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${etcdPeer}`,
    '--initial-cluster', `lab=http://127.0.0.1:${etcdPeer}`], logDir);
  start('kube-apiserver', 'cp1', [k('kube-apiserver'),
    '--advertise-address=127.0.0.1', '--bind-address=127.0.0.1', `--secure-port=${apiserverPort}`,
    // The default reconciler would publish 127.0.0.1 in the kubernetes Endpoints, which validation refuses.
    '--endpoint-reconciler-type=none',
    `--etcd-servers=http://127.0.0.1:${etcdClient}`,
    `--client-ca-file=${dir}/ca.crt`, `--tls-cert-file=${dir}/apiserver.crt`, `--tls-private-key-file=${dir}/apiserver.key`,
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${dir}/sa.pub`, `--service-account-signing-key-file=${dir}/sa.key`,
    '--service-cluster-ip-range=10.96.0.0/12', '--authorization-mode=Node,RBAC'], logDir);
  await waitFor('kube-apiserver /readyz', 180_000, () =>
    spawnSync(kubectl, ['--kubeconfig', admin, 'get', '--raw', '/readyz'], { encoding: 'utf8', timeout: 10_000 }).stdout === 'ok');
  console.log('kube-apiserver ready');

  const rows: Row[] = [];
  const short: Timing = { leaseDurationSeconds: 4, renewDeadlineSeconds: 3, retryPeriodSeconds: 1 };
  const standard: Timing = { leaseDurationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: 2 };
  const plan: { component: 'kube-controller-manager' | 'kube-scheduler'; timing: Timing; signal: NodeJS.Signals; trials: number; gates?: string }[] = [
    { component: 'kube-controller-manager', timing: short, signal: 'SIGKILL', trials: quick ? 3 : 10 },
    { component: 'kube-scheduler', timing: short, signal: 'SIGKILL', trials: quick ? 3 : 10 },
    { component: 'kube-controller-manager', timing: short, signal: 'SIGTERM', trials: quick ? 2 : 5 },
    { component: 'kube-controller-manager', timing: short, signal: 'SIGTERM', trials: quick ? 2 : 5, gates: 'ControllerManagerReleaseLeaderElectionLockOnExit=true' },
    { component: 'kube-scheduler', timing: short, signal: 'SIGTERM', trials: quick ? 2 : 5 },
    { component: 'kube-controller-manager', timing: standard, signal: 'SIGKILL', trials: quick ? 1 : 3 },
    { component: 'kube-scheduler', timing: standard, signal: 'SIGKILL', trials: quick ? 1 : 3 },
  ];

  for (const step of plan) {
    const { component, timing, signal } = step;
    const flags = [
      `--leader-elect-lease-duration=${timing.leaseDurationSeconds}s`,
      `--leader-elect-renew-deadline=${timing.renewDeadlineSeconds}s`,
      `--leader-elect-retry-period=${timing.retryPeriodSeconds}s`,
      ...(step.gates ? [`--feature-gates=${step.gates}`] : []),
    ];
    const kubeconfig = path.join(dir, component === 'kube-controller-manager' ? 'controller-manager.conf' : 'scheduler.conf');
    const ports = [await freePort(), await freePort(), await freePort()];
    const argvFor = (i: number) => [k(component), `--kubeconfig=${kubeconfig}`, `--authentication-kubeconfig=${kubeconfig}`,
      `--authorization-kubeconfig=${kubeconfig}`, '--bind-address=127.0.0.1', `--secure-port=${ports[i]}`, '--leader-elect=true',
      ...(component === 'kube-controller-manager'
        // A light controller set: only the Lease matters here, and six full controller managers would starve the machine.
        ? [`--service-account-private-key-file=${dir}/sa.key`, '--controllers=serviceaccount-controller,namespace-controller', '--use-service-account-credentials=false']
        : []),
      ...flags];
    const instances: (ChildProcess | null)[] = [0, 1, 2].map((i) => start(`${component}-cp${i + 1}`, `cp${i + 1}`, argvFor(i), logDir));
    const samples: number[] = [];
    const leaseName = component;
    await waitFor(`a ${component} leader`, 120_000, () => /^cp[123]_/.test(readLease(kubectl, admin, leaseName)?.holderIdentity ?? ''));
    await sleep((timing.leaseDurationSeconds + 2) * 1000);
    for (let trial = 0; trial < step.trials; trial += 1) {
      // A random phase against the leader's renew loop and the standbys' try loops, as the model assumes.
      await sleep(Math.random() * 2 * timing.retryPeriodSeconds * 1000);
      // After a released Lease the holder can be empty for a moment; stop only an instance that holds it.
      await waitFor(`a ${component} leader`, 60_000, () => /^cp[123]_/.test(readLease(kubectl, admin, leaseName)?.holderIdentity ?? ''));
      const before = readLease(kubectl, admin, leaseName);
      const holder = before?.holderIdentity ?? '';
      const index = Number(/^cp([123])_/.exec(holder)?.[1]) - 1;
      const victim = instances[index];
      if (!(index >= 0) || !victim) throw new Error(`Lease ${leaseName} is held by "${holder}", not by one of our instances`);
      const signalledAtMs = Date.now();
      victim.kill(signal);
      let after: LeaseSpec | null = null;
      await waitFor(`a new ${component} leader`, (timing.leaseDurationSeconds * 3 + 30) * 1000, () => {
        after = readLease(kubectl, admin, leaseName);
        const next = after?.holderIdentity ?? '';
        return next !== '' && next !== holder;
      });
      const acquired = (after as LeaseSpec | null)?.acquireTime;
      if (!acquired) throw new Error(`new ${component} Lease has no acquireTime`);
      const failoverSeconds = (Date.parse(acquired) - signalledAtMs) / 1000;
      samples.push(failoverSeconds);
      console.log(`  ${component} ${signal} ${timing.leaseDurationSeconds}/${timing.renewDeadlineSeconds}/${timing.retryPeriodSeconds}${step.gates ? ' +gate' : ''}: trial ${trial + 1}: ${holder.split('_')[0]} -> ${(after as LeaseSpec | null)?.holderIdentity?.split('_')[0]} in ${failoverSeconds.toFixed(2)} s`);
      await exitWhenStopped(victim);
      instances[index] = start(`${component}-cp${index + 1}`, `cp${index + 1}`, argvFor(index), logDir);
      // Let the new standby come up and observe the Lease before the next stop.
      await sleep((timing.leaseDurationSeconds + 3) * 1000);
    }
    for (const instance of instances) instance?.kill('SIGKILL');
    await Promise.all(instances.map((instance) => (instance ? exitWhenStopped(instance) : Promise.resolve())));
    // The next step starts with the lease free: delete it so the old holder's record does not delay the first leader.
    spawnSync(kubectl, ['--kubeconfig', admin, '-n', 'kube-system', 'delete', 'lease', leaseName, '--ignore-not-found'], { encoding: 'utf8' });
    const releaseOnCancel = signal === 'SIGTERM' && (component === 'kube-scheduler' || step.gates !== undefined);
    rows.push({ component, signal, timing, extra: step.gates ? 'gate on' : '', releaseOnCancel, samples });
  }

  // --- the table ----------------------------------------------------------------------------------------------------
  let failures = 0;
  const lines = [
    `Failover measured ${new Date().toISOString().slice(0, 10)}: etcd ${labVersion('etcd', '3.6')}, Kubernetes v${labVersion('kubernetes', '1.37')}, 2 standbys, seconds from signal to the new holder's acquireTime`,
    '| component | stop | LD/RD/RP s | release | trials | min | mean | max | calc best | calc expected | calc worst | in range | mean vs expected |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const row of rows) {
    const calc = leaderElection({ ...row.timing, standbys: 2, releaseOnCancel: row.releaseOnCancel });
    const model = row.signal === 'SIGTERM' ? calc.gracefulFailover : calc.crashFailover;
    const min = Math.min(...row.samples);
    const max = Math.max(...row.samples);
    const mean = row.samples.reduce((sum, value) => sum + value, 0) / row.samples.length;
    const inRange = row.samples.every((value) => value >= model.bestSeconds - 0.05 && value <= model.worstSeconds + 0.05);
    const deviation = (mean - model.expectedSeconds) / model.expectedSeconds;
    if (!inRange || Math.abs(deviation) > 0.1) failures += 1;
    const t = row.timing;
    lines.push(`| ${row.component} | ${row.signal}${row.extra ? ` (${row.extra})` : ''} | ${t.leaseDurationSeconds}/${t.renewDeadlineSeconds}/${t.retryPeriodSeconds} | ${row.releaseOnCancel ? 'yes' : 'no'} | ${row.samples.length} | ${min.toFixed(2)} | ${mean.toFixed(2)} | ${max.toFixed(2)} | ${model.bestSeconds.toFixed(2)} | ${model.expectedSeconds.toFixed(2)} | ${model.worstSeconds.toFixed(2)} | ${inRange ? 'yes' : 'NO'} | ${(deviation * 100).toFixed(1)} % |`);
  }
  console.log(`\n${lines.join('\n')}`);
  writeFileSync(path.join(stateDir, 'last-table.md'), `${lines.join('\n')}\n`);
  console.log(`\n(table also in ${path.join(stateDir, 'last-table.md')})`);
  labDir = dir;
  return failures === 0 ? 0 : 1;
}

let exitCode = 1;
/** Set once the measurements are done; removed on success, kept (with its logs) when the run failed. */
let labDir: string | null = null;
const onSignal = () => {
  stopAll();
  process.exit(130);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
try {
  exitCode = await main();
  if (exitCode !== 0) console.log('FAILED: a measurement is outside the calculator range or a mean is more than 10 % off (see the table)');
} catch (error) {
  console.error(`FAILED: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  stopAll();
  await sleep(300);
  rmSync(pidFile, { force: true });
  if (labDir && exitCode === 0) rmSync(labDir, { recursive: true, force: true });
}
process.exit(exitCode);
