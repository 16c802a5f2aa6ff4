/**
 * etcd leader failover measured on the lab's real etcd binaries (lab/versions.json), with `--pre-vote` on and off,
 * and compared with `etcdTiming` from src/lib/calc.
 *
 * On 127.0.0.1 only: three members with plain HTTP on OS-assigned loopback ports, etcd's default timing
 * (100 ms heartbeat, 1000 ms election timeout). Each trial waits a random time, kills the leader with SIGKILL and
 * polls the two survivors' `/v3/maintenance/status` every few milliseconds; the failover is the time from the kill
 * to the first status that names a survivor as leader. The killed member is started again, and the cluster
 * checked healthy, before the next trial.
 *
 *   npm run lab:build                                  # the etcd binaries first
 *   node tests/lab/etcd-election.ts [--trials 20] [--minors 3.5,3.6,3.7]
 *
 * Every etcd runs in its own process group and is killed on exit, on failure and on Ctrl-C; the data directories
 * are removed. Exit status 1 when a failover exceeds the calculator's worst for its pre-vote setting by more than
 * SLACK_MS (poll interval plus the scheduling delays of a loaded machine), or when no trial could be measured.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { labBinary, labVersion, readLabVersions } from '../../lab/bin-path.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const HEARTBEAT_MS = 100;
const ELECTION_TIMEOUT_MS = 1000;
const POLL_MS = 5;
/** A failover may exceed the model's worst by the poll interval plus a tick of scheduling delay. */
const SLACK_MS = POLL_MS + HEARTBEAT_MS;
const HEALTH_TIMEOUT_MS = 30_000;

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}
const trials = Number(argument('--trials') ?? 20);
const minors = (argument('--minors') ?? Object.keys(readLabVersions().etcd).join(',')).split(',');

// --- the calculator, bundled from its TypeScript source so this script runs on plain Node ---------------------------
interface Failover { best: number; firstRoundWorst: number; worst: number; secondElectionShare: number }
type EtcdTimingFn = (input: { heartbeatMs: number; electionTimeoutMs: number; preVote?: boolean }) => { leaderFailoverMs: Failover | null };

async function loadCalculator(): Promise<EtcdTimingFn> {
  const bundle = await build({
    entryPoints: [path.join(repo, 'src/lib/calc/etcd-timing.ts')],
    bundle: true, format: 'esm', platform: 'node', write: false, logLevel: 'error',
  });
  const code = bundle.outputFiles[0]?.text ?? '';
  const module = (await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)) as { etcdTiming: EtcdTimingFn };
  return module.etcdTiming;
}

// --- processes -------------------------------------------------------------------------------------------------------
const groups = new Set<number>();
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
  groups.delete(pid);
}

function stopAll(): void {
  for (const pid of [...groups]) killGroup(pid);
}

/** `count` distinct free loopback ports: every listener stays open until all are known, then all are closed. */
async function freeLoopbackPorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  const ports: number[] = [];
  try {
    for (let index = 0; index < count; index += 1) {
      const server = createServer();
      servers.push(server);
      ports.push(
        await new Promise<number>((resolve, reject) => {
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => {
            const address = server.address();
            if (address && typeof address === 'object') resolve(address.port);
            else reject(new Error('no loopback port'));
          });
        }),
      );
    }
    return ports;
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}

interface Member { name: string; clientUrl: string; peerUrl: string; dataDir: string; process?: ChildProcess }

function startMember(etcd: string, member: Member, initialCluster: string, preVote: boolean, state: 'new' | 'existing'): void {
  const child = spawn(etcd, [
    `--name=${member.name}`,
    `--data-dir=${member.dataDir}`,
    `--listen-client-urls=${member.clientUrl}`,
    `--advertise-client-urls=${member.clientUrl}`,
    `--listen-peer-urls=${member.peerUrl}`,
    `--initial-advertise-peer-urls=${member.peerUrl}`,
    `--initial-cluster=${initialCluster}`,
    `--initial-cluster-state=${state}`,
    '--initial-cluster-token=etcd-election-lab',
    `--heartbeat-interval=${HEARTBEAT_MS}`,
    `--election-timeout=${ELECTION_TIMEOUT_MS}`,
    `--pre-vote=${preVote}`,
    '--log-level=error',
  ], { detached: true, stdio: 'ignore', env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' } });
  if (child.pid === undefined) throw new Error(`could not start ${member.name}`);
  groups.add(child.pid);
  member.process = child;
}

interface Status { memberId: string; leader: string }

async function status(member: Member, timeoutMs = 200): Promise<Status | undefined> {
  try {
    const response = await fetch(`${member.clientUrl}/v3/maintenance/status`, {
      method: 'POST',
      body: '{}',
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) return undefined;
    const body = (await response.json()) as { header?: { member_id?: string }; leader?: string };
    if (!body.header?.member_id || !body.leader || body.leader === '0') return undefined;
    return { memberId: body.header.member_id, leader: body.leader };
  } catch {
    return undefined;
  }
}

/** Waits until every member answers and all name the same leader; returns the leader's member. */
async function waitForLeader(members: Member[]): Promise<Member> {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const statuses = await Promise.all(members.map((member) => status(member, 1000)));
    const [first] = statuses;
    if (first && statuses.every((entry) => entry?.leader === first.leader)) {
      const index = statuses.findIndex((entry) => entry?.memberId === first.leader);
      const leader = members[index];
      if (leader) return leader;
    }
    await sleep(100);
  }
  throw new Error('the cluster did not agree on a leader within 30 s');
}

/** One kill: the failover in ms, from SIGKILL to a survivor reporting a survivor as leader. */
async function killLeaderOnce(members: Member[], leader: Member): Promise<number> {
  const survivors = members.filter((member) => member !== leader);
  const survivorIds = new Set<string>();
  for (const survivor of survivors) {
    const entry = await status(survivor, 1000);
    if (entry) survivorIds.add(entry.memberId);
  }
  if (survivorIds.size !== survivors.length) throw new Error('a survivor did not answer before the kill');
  const pid = leader.process?.pid;
  if (pid === undefined) throw new Error('the leader has no process');
  const killedAt = performance.now();
  killGroup(pid);
  const deadline = killedAt + 20_000;
  while (performance.now() < deadline) {
    const statuses = await Promise.all(survivors.map((survivor) => status(survivor, 200)));
    if (statuses.some((entry) => entry !== undefined && survivorIds.has(entry.leader))) return performance.now() - killedAt;
    await sleep(POLL_MS);
  }
  throw new Error('no new leader within 20 s of the kill');
}

interface Row { version: string; preVote: boolean; samples: number[] }

async function measure(minor: string, preVote: boolean): Promise<Row> {
  const version = labVersion('etcd', minor);
  const etcd = labBinary('etcd', minor, 'etcd');
  const dir = mkdtempSync(path.join(tmpdir(), 'handbook-etcd-election-'));
  try {
    const ports = await freeLoopbackPorts(6);
    const members: Member[] = [0, 1, 2].map((index) => ({
      name: `m${index + 1}`,
      clientUrl: `http://127.0.0.1:${ports[2 * index]}`,
      peerUrl: `http://127.0.0.1:${ports[2 * index + 1]}`,
      dataDir: path.join(dir, `m${index + 1}`),
    }));
    const initialCluster = members.map((member) => `${member.name}=${member.peerUrl}`).join(',');
    for (const member of members) startMember(etcd, member, initialCluster, preVote, 'new');
    const samples: number[] = [];
    let leader = await waitForLeader(members);
    for (let trial = 0; trial < trials; trial += 1) {
      // A random phase against the leader's heartbeat ticks, and time for every follower to hear a heartbeat.
      await sleep(500 + Math.random() * 500);
      const failoverMs = await killLeaderOnce(members, leader);
      samples.push(failoverMs);
      process.stdout.write(`  etcd ${version} pre-vote ${preVote ? 'on ' : 'off'} kill ${trial + 1}/${trials}: ${failoverMs.toFixed(0)} ms\n`);
      startMember(etcd, leader, initialCluster, preVote, 'existing');
      leader = await waitForLeader(members);
    }
    return { version, preVote, samples };
  } finally {
    stopAll();
    await sleep(200);
    rmSync(dir, { recursive: true, force: true });
  }
}

function onSignal(signal: NodeJS.Signals): void {
  stopAll();
  process.exit(signal === 'SIGINT' ? 130 : 143);
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
process.on('exit', stopAll);

const etcdTiming = await loadCalculator();
const rows: Row[] = [];
for (const minor of minors) {
  for (const preVote of [true, false]) rows.push(await measure(minor, preVote));
}

let failed = false;
const lines = [
  `etcd leader failover after SIGKILL, three members on 127.0.0.1, ${HEARTBEAT_MS}/${ELECTION_TIMEOUT_MS} ms, ${new Date().toISOString().slice(0, 10)}`,
  '',
  '| etcd | pre-vote | kills | min ms | median ms | max ms | > first-round worst | calc best | calc first-round worst | calc worst | within worst + slack |',
  '|---|---|---|---|---|---|---|---|---|---|---|',
];
for (const row of rows) {
  const calc = etcdTiming({ heartbeatMs: HEARTBEAT_MS, electionTimeoutMs: ELECTION_TIMEOUT_MS, preVote: row.preVote }).leaderFailoverMs;
  if (!calc || row.samples.length === 0) {
    failed = true;
    continue;
  }
  const sorted = [...row.samples].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
  const max = sorted[sorted.length - 1] ?? Number.NaN;
  const beyondFirst = sorted.filter((sample) => sample > calc.firstRoundWorst + SLACK_MS).length;
  const within = max <= calc.worst + SLACK_MS;
  if (!within) failed = true;
  lines.push(
    `| ${row.version} | ${row.preVote ? 'on' : 'off'} | ${sorted.length} | ${(sorted[0] ?? Number.NaN).toFixed(0)} | ${median.toFixed(0)} | ${max.toFixed(0)} | ${beyondFirst} | ${calc.best} | ${calc.firstRoundWorst} | ${calc.worst} | ${within ? 'yes' : 'NO'} |`,
  );
}
lines.push('', `Slack: ${SLACK_MS} ms (poll interval ${POLL_MS} ms plus one heartbeat of scheduling delay).`);
console.log(lines.join('\n'));
process.exit(failed ? 1 : 0);
