/**
 * The API server load-balancing runbook (apiserver-load-balancing.mdx) against the kubeadm lab's real
 * kube-apiservers. The page's haproxy.cfg runs unchanged, on cp-3 as a control-plane node that also carries the load
 * balancer (the page's own variant: LB_PORT 8443, because 6443 belongs to kube-apiserver there); its variables come
 * from the environment exactly as the page's systemd drop-in sets them. A client keeps sending authenticated API
 * requests through it from the host while the page's drill stops cp-1's API server gracefully (its manifest moved
 * away, so the kubelet stand-in sends SIGTERM) and the test kills cp-2's (SIGKILL). A probe reads cp-1's own
 * `/readyz?verbose` throughout, so the run shows what a graceful shutdown of the real API server does: when /readyz
 * starts failing, with which check, and when the port closes and the process exits.
 *
 * Non-destructive: both API servers come back, the page's HAProxy is stopped, and the lab's HAProxy shows three UP
 * backends before the suite ends.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { labVersion } from '../../../lab/bin-path.mjs';
import { KUBEADM_ETCD_MINOR, KUBERNETES_MINOR, type KubeLab, LB_DNS } from '../../lab/kube.ts';
import { PageRunner, scenarioBlocks, type PageBlock } from '../../lab/kube-runbook.ts';
import { REPO_ROOT } from '../../lab/versions.ts';
import { recordRun } from '../lib/claims.ts';
import { findPublishedConfig, findPublishedStatusCheck, healthCheckTimers, HAPROXY_BINARY, ownHaproxy, type RunningHaproxy } from '../lib/config-haproxy.ts';
import { haproxyStats, type KubeSuiteContext, recordKubePage, seconds, sleep } from './shared.ts';

export const APISERVER_LB = { runbook: 'src/content/runbooks/apiserver-load-balancing.mdx', scenario: 'apiserver-lb' } as const;
const PAGE = path.join(REPO_ROOT, APISERVER_LB.runbook);
/** The node that carries the page's HAProxy, and the port the page prescribes for HAProxy on a control-plane node. */
const LB_NODE = 3;
const PAGE_LB_PORT = 8443;
const NODE_IPS = ['10.0.0.11', '10.0.0.12', '10.0.0.13'] as const;
const APISERVER_PORT = 6443;
/** Longer than the page's check window (about 11 s), so HAProxy takes the server out while it still serves. */
const SHUTDOWN_DELAY_SECONDS = 15;

// ---------------------------------------------------------------------------------------------------------------
// A client through the page's load balancer, and a probe of one API server's /readyz

interface Credentials {
  ca: string;
  cert: string;
  key: string;
}

/** admin.conf's CA and client certificate (kubeadm embeds them as base64 *-data fields). */
function adminCredentials(kubeLab: KubeLab): Credentials {
  const config = parseYaml(readFileSync(kubeLab.lab.hostPath(1, '/etc/kubernetes/admin.conf'), 'utf8')) as {
    clusters: { cluster: Record<string, string> }[];
    users: { user: Record<string, string> }[];
  };
  const decode = (value: string | undefined, what: string): string => {
    if (value === undefined) throw new Error(`admin.conf has no ${what}`);
    return Buffer.from(value, 'base64').toString('utf8');
  };
  return {
    ca: decode(config.clusters[0]?.cluster['certificate-authority-data'], 'certificate-authority-data'),
    cert: decode(config.users[0]?.user['client-certificate-data'], 'client-certificate-data'),
    key: decode(config.users[0]?.user['client-key-data'], 'client-key-data'),
  };
}

interface ApiRequest {
  sentAtMs: number;
  doneAtMs: number;
  error: string | undefined;
}

interface RunningClient {
  records: ApiRequest[];
  stop(): Promise<void>;
}

/**
 * Loops that GET the kubeadm-config ConfigMap through the load balancer as cluster-admin, each request on a new TLS
 * connection (a fresh balancing decision), verifying the API server's certificate for LB_DNS as kubectl does.
 */
function startClient(host: string, port: number, credentials: Credentials, started: number, workers = 3, pauseMs = 40): RunningClient {
  const records: ApiRequest[] = [];
  let stopping = false;
  const once = () =>
    new Promise<string | undefined>((resolve) => {
      const outgoing = request(
        { host, port, servername: LB_DNS, path: '/api/v1/namespaces/kube-system/configmaps/kubeadm-config', ca: credentials.ca, cert: credentials.cert, key: credentials.key, agent: false, timeout: 5_000 },
        (response) => {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (body += chunk));
          response.on('end', () => resolve(response.statusCode === 200 && body.includes('ClusterConfiguration') ? undefined : `HTTP ${response.statusCode ?? '?'} ${body.slice(0, 120)}`));
          response.on('error', (error) => resolve(error.message));
        },
      );
      outgoing.on('timeout', () => outgoing.destroy(new Error('timed out after 5 s')));
      outgoing.on('error', (error) => resolve(error.message));
      outgoing.end();
    });
  const loop = async () => {
    while (!stopping) {
      const sentAtMs = Date.now() - started;
      const error = await once();
      records.push({ sentAtMs, doneAtMs: Date.now() - started, error });
      await sleep(pauseMs);
    }
  };
  const loops = Array.from({ length: workers }, () => loop());
  return {
    records,
    stop: async () => {
      stopping = true;
      await Promise.all(loops);
    },
  };
}

interface ReadyzSample {
  atMs: number;
  /** HTTP status, or the connection error's code (ECONNREFUSED once the listener is closed). */
  outcome: string;
  /** The failing checks `/readyz?verbose` lists (`[-]shutdown failed: …`). */
  failed: string[];
}

/** Reads one API server's `/readyz?verbose` directly (anonymously, as the page's curl -k does) every `everyMs`. */
function startReadyzProbe(ip: string, started: number, everyMs = 100): { samples: ReadyzSample[]; stop(): Promise<void> } {
  const samples: ReadyzSample[] = [];
  let stopping = false;
  const once = () =>
    new Promise<ReadyzSample>((resolve) => {
      const atMs = Date.now() - started;
      const outgoing = request({ host: ip, port: APISERVER_PORT, path: '/readyz?verbose', rejectUnauthorized: false, agent: false, timeout: 2_000 }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ atMs, outcome: String(response.statusCode), failed: body.split('\n').filter((line) => line.startsWith('[-]')) }));
        response.on('error', (error: NodeJS.ErrnoException) => resolve({ atMs, outcome: error.code ?? error.message, failed: [] }));
      });
      outgoing.on('timeout', () => outgoing.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
      outgoing.on('error', (error: NodeJS.ErrnoException) => resolve({ atMs, outcome: error.code ?? error.message, failed: [] }));
      outgoing.end();
    });
  const loop = (async () => {
    while (!stopping) {
      samples.push(await once());
      await sleep(everyMs);
    }
  })();
  return {
    samples,
    stop: async () => {
      stopping = true;
      await loop;
    },
  };
}

/** PIDs of the kube-apiserver advertising `ip` (the lab has no PID namespaces: the host sees every node's processes). */
function apiserverPids(ip: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (path.basename(argv[0] ?? '') === 'kube-apiserver' && argv.includes(`--advertise-address=${ip}`)) pids.push(Number(entry));
    } catch {
      // The process ended while the folder was read.
    }
  }
  return pids;
}

/** Waits for a kube-apiserver advertising `ip` whose command line has `flag`; its PID. */
async function waitForApiserver(ip: string, flag: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const pid of apiserverPids(ip)) {
      try {
        if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(flag)) return pid;
      } catch {
        // Gone meanwhile.
      }
    }
    await sleep(250);
  }
  throw new Error(`no kube-apiserver on ${ip} with ${flag} after ${timeoutMs} ms`);
}

function alive(pid: number): boolean {
  return existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
}

/** Waits for the process to end, polling every 50 ms; resolves with the time it was last seen alive. */
async function waitExit(pid: number, started: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = Date.now() - started;
  while (Date.now() < deadline) {
    if (!alive(pid)) return last;
    last = Date.now() - started;
    await sleep(50);
  }
  throw new Error(`kube-apiserver pid ${pid} still running ${timeoutMs} ms later`);
}

// ---------------------------------------------------------------------------------------------------------------
// The page's HAProxy on cp-3

/** The environment the page's systemd drop-in gives HAProxy (step 4), with the lab's addresses. */
function dropInEnv(): Record<string, string> {
  return { CP1_IP: NODE_IPS[0], CP2_IP: NODE_IPS[1], CP3_IP: NODE_IPS[2], APISERVER_PORT: String(APISERVER_PORT), LB_PORT: String(PAGE_LB_PORT) };
}

async function startPageHaproxy(kubeLab: KubeLab, config: string, print: (line: string) => void): Promise<RunningHaproxy> {
  const dir = path.join(kubeLab.lab.root, 'apiserver-lb');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'haproxy.cfg');
  writeFileSync(file, `${config}\n`);
  // The page's `chroot /var/lib/haproxy`: the Debian package creates it; cp-3's /var/lib is its own.
  mkdirSync(kubeLab.lab.hostPath(LB_NODE, '/var/lib/haproxy'), { recursive: true });
  const check = await kubeLab.lab.exec(LB_NODE, [HAPROXY_BINARY, '-c', '-f', file], { env: dropInEnv() });
  print(`page's haproxy.cfg, haproxy -c on cp-${LB_NODE}: exit ${check.code}: ${`${check.stdout}${check.stderr}`.trim()}`);
  expect(check.code).toBe(0);
  expect(`${check.stdout}${check.stderr}`).toContain('Configuration file is valid');
  expect(`${check.stdout}${check.stderr}`).not.toMatch(/\[(WARNING|ALERT)\]/);
  // In the foreground (-db overrides the page's `daemon`, as systemd's -Ws does), so the test owns the process.
  const child = kubeLab.lab.spawn(LB_NODE, [HAPROXY_BINARY, '-db', '-f', file], { env: dropInEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error('could not start the page\'s HAProxy');
  kubeLab.lab.trackProcess(child.pid);
  return ownHaproxy(child);
}

/** The page's HAProxy's server states, read on cp-3 with the page's own status command (step 5). */
async function pageStates(kubeLab: KubeLab, command: string): Promise<Record<string, string>> {
  const result = await kubeLab.lab.run(LB_NODE, command, { timeoutMs: 10_000 });
  return Object.fromEntries(result.stdout.trim().split('\n').filter(Boolean).map((line) => line.split(' ') as [string, string]));
}

async function waitStates(kubeLab: KubeLab, command: string, wanted: Record<string, string>, timeoutMs: number): Promise<Record<string, string>> {
  const deadline = Date.now() + timeoutMs;
  let states: Record<string, string> = {};
  while (Date.now() < deadline) {
    states = await pageStates(kubeLab, command);
    if (Object.entries(wanted).every(([server, status]) => states[server] === status)) return states;
    await sleep(500);
  }
  throw new Error(`the page's HAProxy did not reach ${JSON.stringify(wanted)} in ${timeoutMs} ms: ${JSON.stringify(states)}`);
}

async function waitLabHaproxyUp(kubeLab: KubeLab, timeoutMs: number): Promise<Record<string, { status: string; total: number }>> {
  const deadline = Date.now() + timeoutMs;
  let stats = await haproxyStats(kubeLab);
  while (Date.now() < deadline && !['cp-1', 'cp-2', 'cp-3'].every((name) => stats[name]?.status === 'UP')) {
    await sleep(1000);
    stats = await haproxyStats(kubeLab);
  }
  return stats;
}

// ---------------------------------------------------------------------------------------------------------------
// Figures

interface Figures {
  sent: number;
  failed: number;
  failedAfterWindow: number;
  longestGapMs: number;
  firstFailures: string[];
}

/**
 * `windowMs` after the fault, every request must succeed. The longest gap is the longest time without a completed
 * successful request, over the whole run: what a client retrying at once would have waited at worst.
 */
function figures(records: readonly ApiRequest[], faultAtMs: number, windowMs: number): Figures {
  const ok = records.filter((record) => record.error === undefined).map((record) => record.doneAtMs).sort((a, b) => a - b);
  let longestGapMs = 0;
  for (let i = 1; i < ok.length; i += 1) longestGapMs = Math.max(longestGapMs, (ok[i] ?? 0) - (ok[i - 1] ?? 0));
  const failed = records.filter((record) => record.error !== undefined);
  return {
    sent: records.length,
    failed: failed.length,
    failedAfterWindow: failed.filter((record) => record.sentAtMs >= faultAtMs + windowMs).length,
    longestGapMs,
    firstFailures: failed.slice(0, 5).map((record) => `+${seconds(record.sentAtMs - faultAtMs)}: ${record.error ?? ''}`),
  };
}

interface ShutdownTimeline {
  /** Milliseconds after the stop: first HTTP answer other than 200, first `[-]shutdown` check, last HTTP answer, first refused connection. */
  firstNotReadyMs: number | undefined;
  firstShutdownCheckMs: number | undefined;
  lastHttpMs: number | undefined;
  firstRefusedMs: number | undefined;
  refusal: string | undefined;
  exitedMs: number;
  failedChecks: string[];
}

function shutdownTimeline(samples: readonly ReadyzSample[], stopAtMs: number, untilMs: number, exitedAtMs: number): ShutdownTimeline {
  const window = samples.filter((sample) => sample.atMs >= stopAtMs && sample.atMs < untilMs);
  const http = (sample: ReadyzSample) => /^\d+$/.test(sample.outcome);
  const firstRefused = window.find((sample) => !http(sample));
  const served = window.filter((sample) => http(sample) && (firstRefused === undefined || sample.atMs < firstRefused.atMs));
  const at = (sample: ReadyzSample | undefined) => (sample === undefined ? undefined : sample.atMs - stopAtMs);
  return {
    firstNotReadyMs: at(served.find((sample) => sample.outcome !== '200')),
    firstShutdownCheckMs: at(served.find((sample) => sample.failed.some((line) => line.startsWith('[-]shutdown')))),
    lastHttpMs: at(served.at(-1)),
    firstRefusedMs: at(firstRefused),
    refusal: firstRefused?.outcome,
    exitedMs: exitedAtMs - stopAtMs,
    failedChecks: [...new Set(served.flatMap((sample) => sample.failed))],
  };
}

function describeTimeline(timeline: ShutdownTimeline): string {
  const when = (ms: number | undefined) => (ms === undefined ? 'never' : `+${seconds(ms)}`);
  const failingFor = timeline.firstNotReadyMs !== undefined && timeline.firstRefusedMs !== undefined ? seconds(timeline.firstRefusedMs - timeline.firstNotReadyMs) : '0 s (never seen failing)';
  return `/readyz first non-200 ${when(timeline.firstNotReadyMs)}, [-]shutdown first seen ${when(timeline.firstShutdownCheckMs)}, last HTTP answer ${when(timeline.lastHttpMs)}, ` +
    `first refused connection ${when(timeline.firstRefusedMs)} (${timeline.refusal ?? '-'}), process gone by +${seconds(timeline.exitedMs)}; ` +
    `/readyz failed while still serving for ${failingFor}; failing checks: ${timeline.failedChecks.join('; ') || '(none seen, 100 ms sampling)'}`;
}

function blockByTitle(blocks: readonly PageBlock[], title: string): PageBlock {
  const block = blocks.find((each) => each.title === title);
  if (block === undefined) throw new Error(`the page has no verify="${APISERVER_LB.scenario}:…" block titled "${title}"`);
  return block;
}

/** The lab has no sudo (everything runs as root); the page's `sudo mv` needs one that runs its command, as sudo does for root. */
function ensureSudoShim(kubeLab: KubeLab): void {
  const shim = path.join(kubeLab.lab.shimDir, 'sudo');
  if (!existsSync(shim)) writeFileSync(shim, '#!/bin/sh\n# handbook lab: every node shell is root already; sudo runs its command as is.\nexec "$@"\n', { mode: 0o755 });
}

export function apiserverLbSuite({ lab, print }: KubeSuiteContext): void {
  let haproxy: RunningHaproxy | undefined;

  afterAll(async () => {
    await haproxy?.stop();
  });

  test('apiserver-load-balancing.mdx on the real API servers: the page\'s haproxy.cfg in front of cp-1..cp-3, a graceful stop and a SIGKILL with a client running, no failed request after the check window', async ({ task }) => {
    const kubeLab = lab();
    const suiteStarted = Date.now();
    const source = readFileSync(PAGE, 'utf8');
    const blocks = scenarioBlocks(source, APISERVER_LB.scenario);
    const runner = new PageRunner(kubeLab, blocks);
    const config = findPublishedConfig(source).code;
    const timers = healthCheckTimers(config);
    const statusCommand = findPublishedStatusCheck(source);
    // Worst case to mark a server down: the fault lands just after a passing check, then `fall` failing checks run
    // `inter` apart, the last one taking up to `timeout check`; one more `inter` for scheduling on a loaded machine.
    const downWindowMs = timers.fall * timers.interMs + timers.checkTimeoutMs + timers.interMs;
    print(`page timers: inter ${timers.interMs} ms, fall ${timers.fall}, rise ${timers.rise}, timeout check ${timers.checkTimeoutMs} ms -> check window ${seconds(downWindowMs)}`);
    ensureSudoShim(kubeLab);

    // What kubeadm gives kube-apiserver for shutting down: the manifest's flags and the pod's grace period.
    const manifest = readFileSync(kubeLab.lab.hostPath(1, '/etc/kubernetes/manifests/kube-apiserver.yaml'), 'utf8');
    const shutdownFlags = manifest.split('\n').filter((line) => /--shutdown-|--request-timeout|terminationGracePeriodSeconds/.test(line)).map((line) => line.trim());
    print(`kubeadm's kube-apiserver manifest, shutdown-related lines: ${shutdownFlags.length === 0 ? '(none: kube-apiserver defaults, terminationGracePeriodSeconds default 30)' : shutdownFlags.join(', ')}`);

    // Steps 1 and 7 as printed: from the load-balancer node, then from cp-1 with admin.conf.
    const probe = await runner.runBlock(blockByTitle(blocks, 'Probe each API server'));
    print(`"Probe each API server" on cp-${LB_NODE}: ${probe.output.trim().replaceAll('\n', ' | ')}`);
    expect(probe.output.trim().split('\n')).toEqual(NODE_IPS.map((ip) => `${ip}: ok`));
    const names = await runner.runBlock(blockByTitle(blocks, 'Certificate names'));
    print(`"Certificate names": ${names.output.trim().replaceAll('\n', ' ')}`);
    expect(names.output).toContain(`DNS:${LB_DNS}`);
    const where = await runner.runBlock(blockByTitle(blocks, 'Where do clients connect?'));
    print(`"Where do clients connect?" on cp-1: ${where.output.trim().replaceAll('\n', ' | ')}`);
    expect(where.output.trim().split('\n').map((line) => line.trim())).toEqual([`controlPlaneEndpoint: ${LB_DNS}:6443`, `https://${LB_DNS}:6443`]);
    const repoint = await runner.runBlock(blockByTitle(blocks, 'Repoint a kubeconfig'));
    print(`"Repoint a kubeconfig" on cp-1: ${repoint.output.trim().replaceAll('\n', ' | ')}`);
    expect(repoint.output.trim().split('\n')).toEqual([`Cluster "kubernetes" set.`, 'ok']);

    // Steps 3-5: the page's haproxy.cfg, unchanged, on cp-3 with the drop-in's variables; the page's status command.
    haproxy = await startPageHaproxy(kubeLab, config, print);
    await waitStates(kubeLab, statusCommand.command, { 'cp-1': 'UP', 'cp-2': 'UP', 'cp-3': 'UP' }, 30_000);
    // HAProxy prints a transition ("UP 1/3": one failed check of three) when one check times out, which a loaded
    // 2-core machine running two labs can cause; the page shows the settled output, so read until it settles.
    let statusOutput = '';
    const settleDeadline = Date.now() + 30_000;
    do {
      statusOutput = (await kubeLab.lab.run(LB_NODE, statusCommand.command)).stdout.trim();
      if (statusOutput === statusCommand.expectedOutput) break;
      await sleep(1000);
    } while (Date.now() < settleDeadline);
    print(`page's status command on cp-${LB_NODE}: ${statusOutput.replaceAll('\n', ' | ')}`);
    expect(statusOutput).toBe(statusCommand.expectedOutput);

    const credentials = adminCredentials(kubeLab);
    const started = Date.now();
    const client = startClient(NODE_IPS[2], PAGE_LB_PORT, credentials, started);
    const readyz = startReadyzProbe(NODE_IPS[0], started);
    try {
      await sleep(5_000);
      const baseline = client.records.length;
      expect(client.records.filter((record) => record.error !== undefined)).toEqual([]);
      print(`client: ${baseline} requests through the page's HAProxy in the first 5 s, none failed`);

      // Graceful: the page's drill on cp-1 (manifest moved away; the kubelet stand-in sends SIGTERM).
      const [cp1Pid] = apiserverPids(NODE_IPS[0]);
      if (cp1Pid === undefined) throw new Error('no kube-apiserver process advertising 10.0.0.11');
      const gracefulAtMs = Date.now() - started;
      await runner.runBlock(blockByTitle(blocks, 'Stop kube-apiserver'));
      const exitedAtMs = await waitExit(cp1Pid, started, 90_000);
      const check = await runner.runBlock(blockByTitle(blocks, 'Check from outside'));
      print(`"Check from outside" on cp-${LB_NODE}: ${check.output.trim().replaceAll('\n', ' | ')}`);
      expect(check.output.trim().split('\n')).toEqual(['cp-1 DOWN', 'cp-2 UP', 'cp-3 UP', 'BACKEND UP', 'ok']);
      const afterGraceful = Date.now() - started;
      const graceTimeline = shutdownTimeline(readyz.samples, gracefulAtMs, afterGraceful, exitedAtMs);
      const graceful = figures(client.records.filter((record) => record.sentAtMs >= gracefulAtMs && record.sentAtMs < afterGraceful), gracefulAtMs, downWindowMs);
      print(`graceful stop of cp-1, kubeadm's flags (page's "Stop kube-apiserver"; SIGTERM from the kubelet stand-in): ${describeTimeline(graceTimeline)}`);
      print(`  client: sent ${graceful.sent}, failed ${graceful.failed} (${graceful.failedAfterWindow} after the ${seconds(downWindowMs)} window), longest gap ${seconds(graceful.longestGapMs)}${graceful.firstFailures.length > 0 ? `; failures: ${graceful.firstFailures.join('; ')}` : ''}`);
      expect(graceTimeline.firstRefusedMs, 'cp-1\'s API server never closed its port after the stop').toBeDefined();
      expect(graceful.failedAfterWindow).toBe(0);

      await runner.runBlock(blockByTitle(blocks, 'Start kube-apiserver'));
      const backStarted = Date.now();
      await waitStates(kubeLab, statusCommand.command, { 'cp-1': 'UP', 'cp-2': 'UP', 'cp-3': 'UP' }, 180_000);
      print(`cp-1 back UP in the page's HAProxy ${seconds(Date.now() - backStarted)} after "Start kube-apiserver"`);

      // Ungraceful: cp-2's kube-apiserver killed; the stand-in restarts it after its back-off, as the kubelet would.
      const [cp2Pid] = apiserverPids(NODE_IPS[1]);
      if (cp2Pid === undefined) throw new Error('no kube-apiserver process advertising 10.0.0.12');
      const killAtMs = Date.now() - started;
      process.kill(cp2Pid, 'SIGKILL');
      const down = await waitStates(kubeLab, statusCommand.command, { 'cp-2': 'DOWN' }, 60_000);
      const downAfterMs = Date.now() - started - killAtMs;
      await sleep(Math.max(0, downWindowMs + 5_000 - downAfterMs));
      const afterKill = Date.now() - started;
      const killed = figures(client.records.filter((record) => record.sentAtMs >= killAtMs && record.sentAtMs < afterKill), killAtMs, downWindowMs);
      print(`SIGKILL of cp-2's kube-apiserver: marked DOWN after ${seconds(downAfterMs)} (${JSON.stringify(down)}); client: sent ${killed.sent}, failed ${killed.failed} (${killed.failedAfterWindow} after the ${seconds(downWindowMs)} window), longest gap ${seconds(killed.longestGapMs)}${killed.firstFailures.length > 0 ? `; failures: ${killed.firstFailures.join('; ')}` : ''}`);
      expect(downAfterMs).toBeLessThanOrEqual(downWindowMs + 2_000);
      expect(killed.failedAfterWindow).toBe(0);
      const backKillStarted = Date.now();
      await waitStates(kubeLab, statusCommand.command, { 'cp-1': 'UP', 'cp-2': 'UP', 'cp-3': 'UP' }, 240_000);
      print(`cp-2 back UP in the page's HAProxy ${seconds(Date.now() - backKillStarted)} after it was marked DOWN (stand-in back-off, then start-up)`);

      // The same graceful stop with --shutdown-delay-duration, which kubeadm does not set: cp-1's manifest gains the
      // flag (the stand-in restarts the pod, as the kubelet does on a changed manifest), then the original is put
      // back. That second restart is the graceful stop of an API server running with the delay, observed as above.
      const manifestFile = kubeLab.lab.hostPath(1, '/etc/kubernetes/manifests/kube-apiserver.yaml');
      const original = readFileSync(manifestFile, 'utf8');
      const delayFlag = `--shutdown-delay-duration=${SHUTDOWN_DELAY_SECONDS}s`;
      const withDelay = original.replace(/^(\s*)- kube-apiserver$/m, `$1- kube-apiserver\n$1- ${delayFlag}`);
      expect(withDelay).not.toBe(original);
      try {
        writeFileSync(manifestFile, withDelay);
        const delayedPid = await waitForApiserver(NODE_IPS[0], delayFlag, 120_000);
        await waitStates(kubeLab, statusCommand.command, { 'cp-1': 'UP', 'cp-2': 'UP', 'cp-3': 'UP' }, 180_000);
        await sleep(2_000);
        const delayStopAtMs = Date.now() - started;
        writeFileSync(manifestFile, original);
        await waitStates(kubeLab, statusCommand.command, { 'cp-1': 'DOWN' }, 60_000);
        const markedDownMs = Date.now() - started - delayStopAtMs;
        const delayedExitMs = await waitExit(delayedPid, started, 120_000);
        const afterDelay = Date.now() - started;
        const delayTimeline = shutdownTimeline(readyz.samples, delayStopAtMs, afterDelay, delayedExitMs);
        const delayed = figures(client.records.filter((record) => record.sentAtMs >= delayStopAtMs && record.sentAtMs < afterDelay), delayStopAtMs, downWindowMs);
        print(`graceful stop of cp-1 with ${delayFlag} (manifest changed back; SIGTERM from the stand-in): ${describeTimeline(delayTimeline)}; the page's HAProxy marked it DOWN after ${seconds(markedDownMs)}`);
        print(`  client: sent ${delayed.sent}, failed ${delayed.failed} (${delayed.failedAfterWindow} after the ${seconds(downWindowMs)} window), longest gap ${seconds(delayed.longestGapMs)}${delayed.firstFailures.length > 0 ? `; failures: ${delayed.firstFailures.join('; ')}` : ''}`);
        // What the flag's help promises: /readyz fails at once (the shutdown check) while requests are still served
        // for the delay, so the load balancer takes the server out before its port closes.
        expect(delayTimeline.firstShutdownCheckMs).toBeDefined();
        expect(delayTimeline.lastHttpMs ?? 0).toBeGreaterThanOrEqual((SHUTDOWN_DELAY_SECONDS - 1) * 1000);
        expect(markedDownMs).toBeLessThan(delayTimeline.firstRefusedMs ?? Number.POSITIVE_INFINITY);
        expect(delayed.failedAfterWindow).toBe(0);
      } finally {
        if (readFileSync(manifestFile, 'utf8') !== original) writeFileSync(manifestFile, original);
      }
      const backDelay = Date.now();
      await waitStates(kubeLab, statusCommand.command, { 'cp-1': 'UP', 'cp-2': 'UP', 'cp-3': 'UP' }, 240_000);
      print(`cp-1 back UP with kubeadm's manifest ${seconds(Date.now() - backDelay)} after its delayed shutdown ended`);
      await sleep(3_000);
    } finally {
      await client.stop();
      await readyz.stop();
    }
    const all = figures(client.records, 0, 0);
    print(`client over the whole run (${seconds(Date.now() - started)}): sent ${all.sent}, failed ${all.failed}, longest gap ${seconds(all.longestGapMs)}`);
    const downLines = haproxy.output().split('\n').filter((line) => /Server kube-apiserver\/cp-\d is (DOWN|UP)/.test(line)).map((line) => line.replace(/^.*?Server /, 'Server '));
    print(`page's HAProxy's own account:\n    ${downLines.join('\n    ')}`);

    await haproxy.stop();
    haproxy = undefined;
    const lab3 = await waitLabHaproxyUp(kubeLab, 120_000);
    print(`lab HAProxy: ${Object.entries(lab3).map(([name, stat]) => `${name} ${stat.status}`).join(', ')}`);
    expect(Object.fromEntries(Object.entries(lab3).map(([name, stat]) => [name, stat.status]))).toEqual({ 'cp-1': 'UP', 'cp-2': 'UP', 'cp-3': 'UP' });
    await kubeLab.waitNodesReady([1, 2, 3], 120_000);
    print(`apiserver-lb suite ${seconds(Date.now() - suiteStarted)}`);
    recordKubePage({
      runbook: APISERVER_LB.runbook,
      scenario: APISERVER_LB.scenario,
      ranLines: runner.runs.map((run) => run.line).filter((line) => line > 0),
      outcomes: [`client through the page's HAProxy over the whole run: sent ${all.sent}, failed ${all.failed}, longest gap ${seconds(all.longestGapMs)}; all three API servers UP again`],
      durationMs: Date.now() - suiteStarted,
      failed: false,
    });
    recordRun(task, { scenario: APISERVER_LB.scenario, kubernetes: labVersion('kubernetes', KUBERNETES_MINOR), etcd: labVersion('etcd', KUBEADM_ETCD_MINOR) });
  }, 900_000);
}
