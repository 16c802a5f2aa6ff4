/**
 * Verifies the haproxy.cfg published on /runbooks/apiserver-load-balancing/ with the real HAProxy 2.6:
 * 1. it passes `haproxy -c`, without warnings;
 * 2. a copy with a deliberate error fails `haproxy -c` (so check 1 can fail);
 * 3. run in front of three stand-in API servers on loopback, with a client sending requests throughout,
 *    stopping one backend and making another answer 500 on /readyz moves all traffic to the healthy one
 *    within the health-check window, with no failed request after it; both come back after `rise` checks.
 * The page's health-check timers are used unchanged, so the windows below are derived from them, not shortened.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StandInApiServer, ephemeralPort, makeSelfSignedCertificate, portFreeOnAll, type TlsMaterial } from './lib/backends-haproxy';
import { startClient, type RequestRecord, type RunningClient } from './lib/client-haproxy';
import { extractCodeBlocks } from './lib/extract-blocks';
import {
  HAPROXY_BINARY,
  checkConfig,
  findPublishedConfig,
  findPublishedStatusCheck,
  healthCheckTimers,
  serverStates,
  startHaproxy,
  withLoopbackListeners,
  type HealthCheckTimers,
  type PublishedStatusCheck,
  type RunningHaproxy,
} from './lib/config-haproxy';

const execFileAsync = promisify(execFile);

const PAGE = path.resolve('src/content/runbooks/apiserver-load-balancing.mdx');
const BACKEND_NAME = 'kube-apiserver';
/** Three loopback addresses stand in for the three control-plane nodes; Linux routes all of 127/8 to lo. */
const NODES = [
  { name: 'cp-1', ip: '127.0.0.11' },
  { name: 'cp-2', ip: '127.0.0.12' },
  { name: 'cp-3', ip: '127.0.0.13' },
] as const;
const BASELINE_MS = 3_000;
const MEASURE_MS = 6_000;
const RECOVERED_MS = 4_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function between(records: readonly RequestRecord[], fromMs: number, toMs: number): RequestRecord[] {
  return records.filter((record) => record.sentAtMs >= fromMs && record.sentAtMs < toMs);
}

function countByBackend(records: readonly RequestRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const record of records) if (record.backend) counts[record.backend] = (counts[record.backend] ?? 0) + 1;
  return counts;
}

function failures(records: readonly RequestRecord[]): RequestRecord[] {
  return records.filter((record) => record.error !== undefined);
}

async function waitForStates(statsUrl: string, wanted: Record<string, string>, timeoutMs: number): Promise<Record<string, string>> {
  const deadline = Date.now() + timeoutMs;
  let states: Record<string, string> = {};
  while (Date.now() < deadline) {
    states = await serverStates(statsUrl, BACKEND_NAME).catch(() => ({}));
    if (Object.entries(wanted).every(([server, status]) => states[server] === status)) return states;
    await sleep(250);
  }
  return states;
}

describe('HAProxy in front of the API servers (page: apiserver-load-balancing)', () => {
  let workDir = '';
  let tls: TlsMaterial;
  let publishedConfig = '';
  let statusCheck: PublishedStatusCheck;
  let statsPort = 0;
  let configPath = '';
  let statsUrl = '';
  let frontendPort = 0;
  let timers: HealthCheckTimers;
  let env: NodeJS.ProcessEnv = {};
  const backends: StandInApiServer[] = [];
  let haproxy: RunningHaproxy | undefined;
  let client: RunningClient | undefined;

  beforeAll(async () => {
    const pageSource = await readFile(PAGE, 'utf8');
    publishedConfig = findPublishedConfig(pageSource).code;
    statusCheck = findPublishedStatusCheck(pageSource);
    timers = healthCheckTimers(publishedConfig);
    workDir = await mkdtemp(path.join(tmpdir(), 'haproxy-verify-'));
    tls = await makeSelfSignedCertificate(workDir, ['127.0.0.1', ...NODES.map((node) => node.ip)]);
    const apiserverPort = await portFreeOnAll(NODES.map((node) => node.ip));
    frontendPort = await ephemeralPort();
    statsPort = await ephemeralPort();
    statsUrl = `http://127.0.0.1:${statsPort}/stats`;
    // The same variables the page's systemd drop-in sets, with loopback values.
    env = {
      ...process.env,
      CP1_IP: NODES[0].ip,
      CP2_IP: NODES[1].ip,
      CP3_IP: NODES[2].ip,
      APISERVER_PORT: String(apiserverPort),
    };
    const runnable = withLoopbackListeners(publishedConfig, {
      binds: { 'kube-apiserver': `127.0.0.1:${frontendPort}`, stats: `127.0.0.1:${statsPort}` },
      dropPrivilegeLines: process.getuid?.() !== 0,
    });
    configPath = path.join(workDir, 'haproxy.cfg');
    await writeFile(configPath, `${runnable}\n`);
    for (const node of NODES) backends.push(new StandInApiServer(node.name, node.ip, apiserverPort, tls));
    await Promise.all(backends.map((backend) => backend.start()));
  });

  afterAll(async () => {
    await client?.stop();
    await haproxy?.stop();
    await Promise.all(backends.map((backend) => backend.stop()));
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('passes haproxy -c without warnings', async () => {
    const result = await checkConfig(configPath, env);
    console.log(`[haproxy] ${HAPROXY_BINARY} -c on the published config: exit ${result.exitCode}: ${result.output.trim()}`);
    expect(result.exitCode).toBe(0);
    expect(result.valid).toBe(true);
    expect(result.output).not.toMatch(/\[(WARNING|ALERT)\]/);
  });

  it('fails haproxy -c when the config has a syntax error', async () => {
    const valid = await readFile(configPath, 'utf8');
    const broken = `${valid}\nbackend broken\n    balance no-such-algorithm\n`;
    const brokenLine = broken.split('\n').indexOf('    balance no-such-algorithm') + 1;
    const brokenPath = path.join(workDir, 'broken.cfg');
    await writeFile(brokenPath, broken);
    const result = await checkConfig(brokenPath, env);
    console.log(`[haproxy] deliberately broken copy: exit ${result.exitCode}, valid=${result.valid}`);
    expect(result.exitCode).not.toBe(0);
    expect(result.valid).toBe(false);
    // HAProxy names the file and line of the bad directive.
    expect(result.output).toContain(`[ALERT]`);
    expect(result.output).toContain(`broken.cfg:${brokenLine}] : balance only supports`);
  });

  it('moves traffic off a stopped and a not-ready API server with no failed request after the check window', async () => {
    // Worst case to mark a server down: the fault lands just after a passing check, then `fall` failing checks
    // run `inter` apart, the last one taking up to `timeout check`; one more `inter` covers scheduling slack.
    const downWindowMs = timers.fall * timers.interMs + timers.checkTimeoutMs + timers.interMs;
    const upWindowMs = timers.rise * timers.interMs + timers.checkTimeoutMs + timers.interMs;
    console.log(`[haproxy] published timers: inter ${timers.interMs} ms, fall ${timers.fall}, rise ${timers.rise}, ` +
      `timeout check ${timers.checkTimeoutMs} ms -> down window ${downWindowMs} ms, up window ${upWindowMs} ms`);

    haproxy = startHaproxy(configPath, env);
    const initial = await waitForStates(statsUrl, { 'cp-1': 'UP', 'cp-2': 'UP', 'cp-3': 'UP' }, 15_000);
    expect(initial, `HAProxy did not report all servers UP; its output:\n${haproxy.output()}`).toEqual({
      'cp-1': 'UP', 'cp-2': 'UP', 'cp-3': 'UP',
    });

    // The status command the page gives readers, run as printed (only the stats port differs), must print
    // exactly the output the page promises.
    const pageCommand = statusCheck.command.replace(`127.0.0.1:${statusCheck.statsPort}/`, `127.0.0.1:${statsPort}/`);
    const { stdout: pageCommandOutput } = await execFileAsync('bash', ['-c', pageCommand]);
    console.log(`[haproxy] page's status command printed:\n${pageCommandOutput.trimEnd()}`);
    expect(pageCommandOutput.trim()).toBe(statusCheck.expectedOutput);

    const [cp1, cp2] = backends;
    if (!cp1 || !cp2) throw new Error('backends were not created');
    client = startClient({
      host: '127.0.0.1', port: frontendPort, caPem: tls.certPem,
      workers: 4, pauseMs: 25, requestTimeoutMs: 3_000, maxRequests: 20_000,
    });
    await sleep(BASELINE_MS);
    const faultAtMs = client.elapsedMs();
    await cp1.stop();
    cp2.health = 'not-ready';
    await sleep(downWindowMs + MEASURE_MS);
    const statesAfterFault = await serverStates(statsUrl, BACKEND_NAME);
    const recoverAtMs = client.elapsedMs();
    await cp1.start();
    cp2.health = 'ready';
    await sleep(upWindowMs + RECOVERED_MS);
    const statesAfterRecovery = await serverStates(statsUrl, BACKEND_NAME);
    const endMs = client.elapsedMs();
    await client.stop();
    const records = client.records;

    // A request still in flight when the fault hits belongs to the transition, not to the baseline.
    const baseline = records.filter((record) => record.sentAtMs + record.durationMs < faultAtMs);
    const transition = records.filter((record) => !baseline.includes(record) && record.sentAtMs < faultAtMs + downWindowMs);
    const degraded = between(records, faultAtMs + downWindowMs, recoverAtMs);
    const recovering = between(records, recoverAtMs, recoverAtMs + upWindowMs);
    const recovered = between(records, recoverAtMs + upWindowMs, endMs);
    const lastToUnhealthyMs = Math.max(
      ...records.filter((record) => record.sentAtMs >= faultAtMs && record.sentAtMs < recoverAtMs
        && (record.backend === 'cp-1' || record.backend === 'cp-2')).map((record) => record.sentAtMs - faultAtMs),
      0,
    );
    const report = [
      `requests sent ${records.length}, failed ${failures(records).length}, run ${(endMs / 1000).toFixed(1)} s`,
      `baseline   (${baseline.length}): ${JSON.stringify(countByBackend(baseline))}, failed ${failures(baseline).length}`,
      `transition (${transition.length}): ${JSON.stringify(countByBackend(transition))}, failed ${failures(transition).length}`,
      `degraded   (${degraded.length}): ${JSON.stringify(countByBackend(degraded))}, failed ${failures(degraded).length}`,
      `recovering (${recovering.length}): ${JSON.stringify(countByBackend(recovering))}, failed ${failures(recovering).length}`,
      `recovered  (${recovered.length}): ${JSON.stringify(countByBackend(recovered))}, failed ${failures(recovered).length}`,
      `last request to cp-1/cp-2 after the fault: +${(lastToUnhealthyMs / 1000).toFixed(1)} s`,
      `HAProxy states after fault ${JSON.stringify(statesAfterFault)}, after recovery ${JSON.stringify(statesAfterRecovery)}`,
      `health checks answered: ${backends.map((backend) => `${backend.name}=${backend.healthChecks}`).join(', ')}`,
    ];
    console.log(`[haproxy] ${report.join('\n[haproxy] ')}`);
    const firstFailures = failures(records).slice(0, 5).map((record) => `+${record.sentAtMs.toFixed(0)} ms: ${record.error ?? ''}`);
    if (firstFailures.length > 0) console.log(`[haproxy] failed requests (first 5): ${firstFailures.join('; ')}`);
    const downReasons = haproxy.output().split('\n').filter((line) => /Server kube-apiserver\/cp-\d is DOWN/.test(line));
    console.log(`[haproxy] HAProxy's own account:\n${downReasons.map((line) => `  ${line.replace(/^.*?: Server/, 'Server')}`).join('\n')}`);

    // Before the fault all three backends take traffic: proves the client can see which backend answered.
    const baselineCounts = countByBackend(baseline);
    expect(Object.keys(baselineCounts).sort()).toEqual(['cp-1', 'cp-2', 'cp-3']);
    expect(failures(baseline)).toEqual([]);
    // After the check window: every request succeeds, and only the healthy backend serves.
    expect(degraded.length).toBeGreaterThanOrEqual(20);
    expect(failures(degraded), `failures after the window: ${firstFailures.join('; ')}`).toEqual([]);
    expect(countByBackend(degraded)).toEqual({ 'cp-3': degraded.length });
    expect(statesAfterFault['cp-1']).toMatch(/^DOWN/);
    expect(statesAfterFault['cp-2']).toMatch(/^DOWN/);
    expect(statesAfterFault['cp-3']).toBe('UP');
    expect(lastToUnhealthyMs).toBeLessThanOrEqual(downWindowMs);
    // The stopped server fails at the connection, the not-ready one on the /readyz status: the HTTPS check is live.
    expect(downReasons.find((line) => line.includes('cp-1 is DOWN'))).toMatch(/Layer4 connection problem/);
    expect(downReasons.find((line) => line.includes('cp-2 is DOWN'))).toMatch(/Layer7 wrong status, code: 500/);
    // After `rise` passing checks both come back and share the load again, still without failures.
    expect(failures(recovering)).toEqual([]);
    expect(failures(recovered)).toEqual([]);
    expect(Object.keys(countByBackend(recovered)).sort()).toEqual(['cp-1', 'cp-2', 'cp-3']);
    expect(statesAfterRecovery).toEqual({ 'cp-1': 'UP', 'cp-2': 'UP', 'cp-3': 'UP' });
  });
});

/**
 * The keepalived block on the same page writes its files with shell here-documents from the page's shell
 * variables. Run it with the page's own "Set up your shell" values, writing into a temporary folder instead of
 * /etc/keepalived, and check the result with keepalived's parser. `npm test` installs keepalived
 * (scripts/system-packages.sh); the skip only applies to a machine where that install was declined.
 */
const KEEPALIVED_BINARY = '/usr/sbin/keepalived';

describe('keepalived configuration (page: apiserver-load-balancing)', () => {
  it.skipIf(!existsSync(KEEPALIVED_BINARY))('is accepted by keepalived --config-test, and a broken copy is not', async () => {
    const source = await readFile(PAGE, 'utf8');
    const blocks = extractCodeBlocks(source);
    const setup = blocks.find((block) => block.meta['title'] === 'Set up your shell');
    const writer = blocks.find((block) => block.meta['title'] === 'keepalived set-up');
    if (!setup || !writer) throw new Error('the page lost its set-up or keepalived block');
    const dir = await mkdtemp(path.join(tmpdir(), 'keepalived-verify-'));
    try {
      // Only the commands that write the files: everything before the page's own config test and restart.
      const writeOnly = (writer.code.split('keepalived --config-test')[0] ?? '')
        .replaceAll('sudo ', '')
        .replaceAll('/etc/keepalived/', `${dir}/`);
      await execFileAsync('bash', ['-euo', 'pipefail', '-c', `${setup.code}\n${writeOnly}`]);
      const configPath = path.join(dir, 'keepalived.conf');
      const config = await readFile(configPath, 'utf8');
      const good = await execFileAsync(KEEPALIVED_BINARY, ['--config-test', '-f', configPath]).then(
        () => ({ code: 0, output: '' }),
        (error: { code?: number; stderr?: string }) => ({ code: error.code ?? -1, output: error.stderr ?? '' }),
      );
      console.log(`[keepalived] --config-test on the page's configuration: exit ${good.code} ${good.output.trim()}`);
      expect(good.code).toBe(0);
      expect(config).toMatch(/virtual_ipaddress \{\s+10\.0\.0\.10\/24\s+\}/);

      const brokenPath = path.join(dir, 'broken.conf');
      await writeFile(brokenPath, config.replace('interval 2', 'intervall 2'));
      const broken = await execFileAsync(KEEPALIVED_BINARY, ['--config-test', '-f', brokenPath]).then(
        () => ({ code: 0, output: '' }),
        (error: { code?: number; stderr?: string }) => ({ code: error.code ?? -1, output: error.stderr ?? '' }),
      );
      console.log(`[keepalived] broken copy: exit ${broken.code} ${broken.output.trim()}`);
      expect(broken.code).not.toBe(0);
      expect(broken.output).toContain("Unknown keyword 'intervall'");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
