/**
 * The full test suite in tracks that run at the same time:
 * - site: CPU work that never touches the lab: build, link check, content tests, browser tests (against build's
 *   dist/), budgets; it runs at a lower priority (nice) while another track runs;
 * - lab: mostly waiting on etcd and the pages' own bounded waits: lab binaries, the etcd pages' verification (in a
 *   network namespace of its own, scripts/in-own-network.sh), the claim check (reads both lab stages' JSON reports);
 * - kube: the pages on the kubeadm lab, on the host, beside the etcd pages' lab;
 * - loopback: the type check and unit tests (at the site track's priority) while the labs bring up their nodes, then
 *   runbook checks on loopback addresses that take no lab lock (HAProxy; leader-election failover) and the external-
 *   etcd kubeadm lab.
 * Within a track the stages run in the order listed, so each finds what the one before it made. Each stage's
 * output goes to a file that is printed whole when the stage ends, followed by its wall time; the end prints a
 * timing table, the failed stages, and as the last line a plain `N passed, N failed` summary over every test case
 * that ran. Stages of one track only (a subset such as `build e2e`) run one after another with live output.
 *
 * Usage: node scripts/run-tests.mjs [stage ...]   (default: every stage)
 *   HANDBOOK_TESTS_SERIAL=1   one stage at a time in the order listed below, output live (for debugging)
 *   HANDBOOK_TESTS_NICE=N     niceness of the site track, check and unit while other tracks run (default 10; 0 off), so
 *                             the lab's processes get the CPU first and the pages' time-outs hold
 *   HANDBOOK_TESTS_TWO_LABS=0 the kubeadm stage after the etcd pages on the lab track, both labs on the host
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { countReport, failuresOfReport } from './lib/count-report.mjs';

/**
 * Two labs side by side (the default; HANDBOOK_TESTS_TWO_LABS=0 turns it off): the etcd pages' lab runs in a network
 * namespace of its own (scripts/in-own-network.sh: its own bridge and addresses, its own HANDBOOK_LAB_BASE and node
 * network-namespace names) while the kubeadm lab runs on the host, which saves the etcd pages' 15-20 minutes. Both
 * share the host's mount namespace: an earlier version gave the second lab a mount namespace of its own, and pinning
 * node mount namespaces from inside it sometimes failed on kernel 6.18 (EINVAL); README, "CI".
 */
const TWO_LABS = !['0', 'false', 'no'].includes((process.env.HANDBOOK_TESTS_TWO_LABS ?? '1').toLowerCase());

/** A stage is a command; vitest stages report their counts through a JSON file. */
const STAGES = [
  // The unit tests and the type check need no build: they run on the loopback track while that track waits for the
  // labs' bring-ups (see the loopback stage), at the site track's low priority, so that the browser tests (the longest
  // stage) start right after the build instead of 4-5 minutes later. The type check waits for the build: both run
  // `astro sync`, which writes the repository's .astro/ folder.
  { name: 'unit', track: 'loopback', nice: true, vitest: 'unit', coverage: true },
  { name: 'check', track: 'loopback', nice: true, after: 'build', command: ['npm', 'run', 'check'] },
  { name: 'build', track: 'site', command: ['npm', 'run', 'build'] },
  { name: 'links', track: 'site', command: ['node', 'scripts/check-links.ts', '--dir', 'dist'] },
  { name: 'content', track: 'site', vitest: 'content' },
  // The lab's real etcd and Kubernetes binaries (lab/versions.json, built with Go into ~/.cache/handbook-lab when
  // missing, reused in about a second when present), so `npm ci && npm test` on a fresh machine has what the
  // runbooks and loopback stages run (kubeadm.test.ts and the failover test need Kubernetes). Runs whenever either
  // of those does, asked for or not.
  { name: 'lab', track: 'lab', command: ['npm', 'run', 'lab:build', '--', '--kubernetes'], with: ['runbooks', 'kubeadm', 'loopback', 'kubeadm-external'] },
  // The etcd pages and the lab runtime. With two labs (the default) they run in a network namespace of their own
  // (scripts/in-own-network.sh) while the kubeadm stage runs on the host beside them; see TWO_LABS.
  {
    name: 'runbooks',
    track: 'lab',
    vitest: 'runbooks',
    optional: true,
    ...(TWO_LABS ? { wrap: ['bash', 'scripts/in-own-network.sh'] } : {}),
    env: { HANDBOOK_RUNBOOK_REPORT_DIR: path.join('.cache', 'runbook-report', 'etcd-lab') },
  },
  // The pages run on a real kubeadm control plane (tests/runbooks/kubeadm.test.ts): after the etcd pages on the lab
  // track (one lab at a time), or with TWO_LABS on a track of its own after the lab stage has built the binaries.
  {
    name: 'kubeadm',
    track: TWO_LABS ? 'kube' : 'lab',
    vitest: 'kubeadm',
    after: 'lab',
    requires: 'tests/runbooks/kubeadm.test.ts',
    env: { HANDBOOK_RUNBOOK_REPORT_DIR: path.join('.cache', 'runbook-report', 'kubeadm-lab') },
  },
  // Every version a runbook claims was run by a passed runbook test: reads the JSON reports of the lab stages.
  { name: 'claims', track: 'lab', claimsOf: ['runbooks', 'kubeadm', 'kubeadm-external'], after: ['kubeadm', 'kubeadm-external'] },
  // Runbook checks on loopback addresses that take no lab lock (HAProxy in front of stand-ins; leader-election
  // failover of real components, about 6 minutes): after the type check and unit tests on their track. They start no
  // earlier than 4 minutes after the lab stage (whose Kubernetes binaries the failover test runs), when both labs are
  // past their bring-ups: started with them, the failover test's components (above normal priority,
  // tests/lab/failover-lab.ts) slowed the kubeadm lab's `kubeadm init` past its deadline; started after the etcd
  // pages, the track ended last.
  { name: 'loopback', track: 'loopback', vitest: 'loopback', after: 'lab', notBeforeSeconds: 240 },
  // The rebuild page's External etcd tab on a kubeadm lab with three etcd nodes of its own
  // (tests/runbooks/kubeadm-external.test.ts, about 3-5 minutes): a third lab, in a network namespace of its own with
  // its own lab base and node names, after the loopback stage (by then both other labs are past their bring-ups).
  {
    name: 'kubeadm-external',
    track: 'loopback',
    vitest: 'kubeadm-external',
    requires: 'tests/runbooks/kubeadm-external.test.ts',
    wrap: ['bash', 'scripts/in-own-network.sh'],
    env: {
      HANDBOOK_RUNBOOK_REPORT_DIR: path.join('.cache', 'runbook-report', 'kubeadm-external-lab'),
      HANDBOOK_LAB_BASE: '/run/handbook-lab-external',
      HANDBOOK_LAB_NETNS_PREFIX: 'xt-',
    },
  },
  { name: 'e2e', track: 'site', vitest: 'e2e', optional: true },
  { name: 'budget', track: 'site', command: ['node', 'scripts/budget.ts'], requires: 'scripts/budget.ts' },
];

/** Tracks that yield the CPU to the others: their work is throughput, the lab's is time-outs (also stages with `nice`). */
const NICE_TRACKS = new Set(['site']);
const HEARTBEAT_MS = Number(process.env.HANDBOOK_TESTS_HEARTBEAT_MS ?? 120_000);
const serial = ['1', 'true', 'yes'].includes((process.env.HANDBOOK_TESTS_SERIAL ?? '').toLowerCase());
const niceness = Number.parseInt(process.env.HANDBOOK_TESTS_NICE ?? '10', 10);
const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !STAGES.some((stage) => stage.name === name));
if (unknown.length > 0) {
  console.log(`Unknown stage ${unknown.join(', ')} (stages: ${STAGES.map((stage) => stage.name).join(', ')})`);
  console.log('\n0 passed, 1 failed');
  process.exit(1);
}
const stages = requested.length > 0 ? STAGES.filter((stage) => requested.includes(stage.name) || (stage.with ?? []).some((name) => requested.includes(name))) : STAGES;
const reportDir = mkdtempSync(path.join(tmpdir(), 'handbook-tests-'));
const runStarted = process.hrtime.bigint();
/** Per stage name: { seconds, status, passed, failed, skipped }, filled as stages end. */
const results = new Map();
/** When each running stage started (ms), for the progress line. */
const startedAt = new Map();
/** Per stage name: a promise that settles when the stage has ended (a stage with `after` waits for it). */
const ended = new Map();
/** Stages running now, with their output files, so an interrupted run still prints what they said. */
const running = new Map();

function hasTests(project) {
  return existsSync(path.join('tests', project));
}

function secondsSince(started) {
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function shouldRun(stage) {
  if (stage.requires && !existsSync(stage.requires)) return false;
  if (stage.vitest && stage.optional && !hasTests(stage.vitest)) return false;
  if (stage.claimsOf && !hasTests('runbooks')) return false;
  return true;
}

function commandOf(stage) {
  if (stage.claimsOf) {
    // Only the reports of lab stages this run has (a checkout without the external-etcd test has no such stage).
    const reports = stage.claimsOf.filter((name) => ended.has(name)).map((name) => path.join(reportDir, `${name}.json`));
    return { command: ['node', 'scripts/check-claims.ts', ...reports] };
  }
  if (stage.vitest) {
    const reportFile = path.join(reportDir, `${stage.name}.json`);
    const command = ['npx', 'vitest', 'run', '--project', stage.vitest, '--reporter=default', '--reporter=json', `--outputFile.json=${reportFile}`];
    if (stage.coverage) command.push('--coverage');
    return { command: [...(stage.wrap ?? []), ...command], reportFile };
  }
  return { command: stage.command };
}

/** Runs one stage to its end: live output when it runs alone, else into a file printed whole at the end. */
function runStage(stage, { niceTo, live }) {
  const { command, reportFile } = commandOf(stage);
  const full = niceTo > 0 ? ['nice', '-n', String(niceTo), ...command] : command;
  const started = process.hrtime.bigint();
  return new Promise((resolve) => {
    let logFile;
    let fd;
    if (live) {
      console.log(`\n=== ${stage.name} ===`);
    } else {
      logFile = path.join(reportDir, `${stage.name}.log`);
      fd = openSync(logFile, 'w');
      console.log(`--- ${stage.name} started (${stage.track} track${niceTo > 0 ? `, nice ${niceTo}` : ''}) at ${clock()}`);
      running.set(stage.name, logFile);
      startedAt.set(stage.name, Date.now());
    }
    const child = spawn(full[0], full.slice(1), { stdio: fd === undefined ? 'inherit' : ['ignore', fd, fd], env: { ...process.env, ...(stage.env ?? {}) } });
    // spawn has forked by now: the child holds its own copy of the descriptor.
    if (fd !== undefined) closeSync(fd);
    let spawnError;
    child.on('error', (error) => {
      spawnError = error;
    });
    child.on('close', (code, signal) => {
      running.delete(stage.name);
      const seconds = secondsSince(started);
      if (logFile) {
        console.log(`\n=== ${stage.name} (${stage.track} track) ===`);
        process.stdout.write(readFileSync(logFile, 'utf8'));
      }
      if (spawnError) console.log(`could not run ${full.join(' ')}: ${spawnError.message}`);
      const status = spawnError ? 1 : (code ?? 1);
      const counted = countStage(stage, reportFile, status);
      const outcome = status === 0 ? 'passed' : `FAILED (${signal ? `signal ${signal}` : `exit ${status}`})`;
      console.log(`--- ${stage.name}: ${seconds.toFixed(1)} s, ${outcome}`);
      results.set(stage.name, { seconds, status: status === 0 ? 'passed' : 'failed', ...counted });
      resolve();
    });
  });
}

/** A stage's test counts, the same way as ever: vitest's report, or the stage as one check. */
function countStage(stage, reportFile, status) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  let failures = [];
  if (reportFile && existsSync(reportFile)) {
    const report = JSON.parse(readFileSync(reportFile, 'utf8'));
    ({ passed, failed, skipped } = countReport(report));
    failures = failuresOfReport(report);
  } else if (!stage.vitest) {
    // A non-vitest stage (type check, build, link check, budget) counts as one check.
    if (status === 0) passed += 1;
    else failed += 1;
  }
  // A stage that failed without a failed test (no report, a coverage threshold, a crash) still counts once.
  if (status !== 0 && failed === 0) failed += 1;
  return { passed, failed, skipped, failures };
}

function clock() {
  return new Date().toISOString().slice(11, 19);
}

async function runTrack(trackStages, options) {
  for (const stage of trackStages) {
    // Another track's stage this one needs (the failover test runs the binaries the lab stage builds).
    for (const name of [stage.after ?? []].flat()) if (ended.has(name)) await ended.get(name).promise;
    const waitSeconds = stage.notBeforeSeconds ? stage.notBeforeSeconds - secondsSince(runStarted) : 0;
    if (waitSeconds > 0 && !serial && concurrent) {
      console.log(`--- ${stage.name} waits ${waitSeconds.toFixed(0)} s before it starts (${clock()}): the labs bring up their nodes first`);
      await new Promise((resolve) => setTimeout(resolve, waitSeconds * 1000));
    }
    await runStage(stage, { ...options, niceTo: stage.nice || NICE_TRACKS.has(stage.track) ? options.niceTo : 0 });
    ended.get(stage.name)?.resolve();
  }
}

/**
 * One stage after another (a single track, or HANDBOOK_TESTS_SERIAL=1): the listed order, except that a stage comes
 * after the stages it waits for (`after`), which another track would have run beside it.
 */
function inDependencyOrder(list) {
  const names = new Set(list.map((stage) => stage.name));
  const placed = [];
  const pending = [...list];
  while (pending.length > 0) {
    const index = pending.findIndex((stage) => [stage.after ?? []].flat().every((name) => !names.has(name) || placed.some((done) => done.name === name)));
    if (index < 0) throw new Error(`stages wait for each other: ${pending.map((stage) => stage.name).join(', ')}`);
    placed.push(...pending.splice(index, 1));
  }
  return placed;
}

function printTable(toRun, wallSeconds) {
  console.log('\nStage times (wall):');
  console.log(`  ${'stage'.padEnd(10)} ${'track'.padEnd(8)} ${'seconds'.padStart(8)}  status`);
  let sum = 0;
  for (const stage of toRun) {
    const result = results.get(stage.name);
    if (!result) {
      console.log(`  ${stage.name.padEnd(10)} ${stage.track.padEnd(8)} ${'-'.padStart(8)}  not run`);
      continue;
    }
    sum += result.seconds;
    console.log(`  ${stage.name.padEnd(10)} ${stage.track.padEnd(8)} ${result.seconds.toFixed(1).padStart(8)}  ${result.status}`);
  }
  for (const track of new Set(toRun.map((stage) => stage.track))) {
    const seconds = toRun.filter((stage) => stage.track === track).reduce((total, stage) => total + (results.get(stage.name)?.seconds ?? 0), 0);
    if (seconds > 0) console.log(`  ${`${track} track`.padEnd(19)} ${seconds.toFixed(1).padStart(8)}`);
  }
  console.log(`  ${'total'.padEnd(19)} ${wallSeconds.toFixed(1).padStart(8)}  (${!concurrent ? 'one stage at a time' : `tracks side by side; stages add up to ${sum.toFixed(1)} s`})`);
}

function finish(toRun) {
  removeMadeMountPoints();
  const wallSeconds = secondsSince(runStarted);
  printTable(toRun, wallSeconds);
  rmSync(reportDir, { recursive: true, force: true });
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const failedStages = [];
  // Stage order, not the order stages ended in, so two runs print the same list.
  for (const stage of toRun) {
    const result = results.get(stage.name);
    if (!result) continue;
    passed += result.passed;
    failed += result.failed;
    skipped += result.skipped;
    if (result.status !== 'passed') failedStages.push(stage.name);
  }
  if (failedStages.length > 0) {
    console.log(`\nFailed stages: ${failedStages.join(', ')}`);
    // Repeated here because a CI log is often read from its end: what failed and the first lines of why.
    for (const stage of toRun) {
      for (const failure of results.get(stage.name)?.failures ?? []) {
        console.log(`  ${stage.name}: ${failure.file} > ${failure.test}`);
        for (const line of failure.lines) console.log(`      ${line.slice(0, 300)}`);
      }
    }
  }
  console.log(`\n${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
  process.exitCode = failedStages.length > 0 ? 1 : 0;
}

// An interrupted run (Ctrl-C, a CI time-out) still shows what the running stages had printed; the children get the
// same signal from the terminal or their process group.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const [name, logFile] of running) {
      console.log(`\n=== ${name} (interrupted by ${signal}) ===`);
      if (existsSync(logFile)) process.stdout.write(readFileSync(logFile, 'utf8'));
    }
    rmSync(reportDir, { recursive: true, force: true });
    removeMadeMountPoints();
    console.log(`\nInterrupted by ${signal}`);
    process.exit(130);
  });
}

// The runbook and browser stages drive HAProxy, Chromium and the lab's namespaces; install them first (as root on
// Debian) or say exactly which packages are missing.
if (stages.some((stage) => ['runbooks', 'kubeadm', 'loopback', 'e2e'].includes(stage.name))) {
  const packages = spawnSync('bash', ['scripts/system-packages.sh'], { stdio: 'inherit' });
  if (packages.status !== 0) {
    console.log('\n0 passed, 1 failed');
    process.exit(1);
  }
}

const toRun = stages.filter(shouldRun);

/**
 * With labs side by side (lab stages on more than one track), the host folders their nodes mount onto
 * (/etc/kubernetes, /srv, ...) must not come and go with any one lab: a lab makes a missing one and removes it when it closes, and removing a folder that is a
 * mount point in another mount namespace detaches that mount there (Linux does this since 3.18), which would pull a
 * running node's /etc/kubernetes from under the other lab. So the run makes the missing ones first (the labs then
 * leave them alone) and removes those it made, if empty, when every stage has ended.
 */
const madeMountPoints = [];
if (!serial && toRun.filter((stage) => ['runbooks', 'kubeadm', 'kubeadm-external'].includes(stage.name)).map((stage) => stage.track).filter((track, i, all) => all.indexOf(track) === i).length > 1) {
  const { NODE_OWN_PATHS } = await import('../tests/lab/nodes.ts');
  for (const target of NODE_OWN_PATHS) {
    const missing = [];
    for (let dir = target; !existsSync(dir); dir = path.dirname(dir)) missing.unshift(dir);
    if (missing.length === 0) continue;
    mkdirSync(target, { recursive: true, mode: 0o755 });
    madeMountPoints.push(...missing);
  }
  if (madeMountPoints.length > 0) console.log(`Made the labs' host mount points for this run (removed at the end): ${madeMountPoints.join(', ')}`);
}
function removeMadeMountPoints() {
  for (const dir of [...madeMountPoints].reverse()) {
    try {
      rmdirSync(dir);
    } catch {
      // Not empty or already gone: leave it, as a lab would.
    }
  }
}
for (const stage of toRun) ended.set(stage.name, Promise.withResolvers());
const tracks = [...new Set(toRun.map((stage) => stage.track))];
const concurrent = !serial && tracks.length > 1;
if (!concurrent) {
  await runTrack(inDependencyOrder(toRun), { niceTo: 0, live: true });
} else {
  const niceTo = Number.isFinite(niceness) ? niceness : 10;
  const listed = tracks.map((track) => `${track} = ${toRun.filter((stage) => stage.track === track).map((stage) => stage.name).join(', ')}`);
  console.log(`Tracks side by side (HANDBOOK_TESTS_SERIAL=1 runs one stage at a time): ${listed.join('; ')}. Each stage's output follows when it ends.`);
  // Buffered stages say nothing until they end; a line every two minutes shows the run is alive (and keeps CI
  // systems that stop a silent job from doing so during a cold lab build).
  const heartbeat = setInterval(() => {
    const now = [...running.keys()].map((name) => `${name} ${((Date.now() - startedAt.get(name)) / 60_000).toFixed(0)} min`);
    if (now.length > 0) console.log(`--- ${clock()} still running: ${now.join(', ')}`);
  }, HEARTBEAT_MS);
  heartbeat.unref();
  await Promise.all(tracks.map((track) => runTrack(toRun.filter((stage) => stage.track === track), { niceTo, live: false })));
}
finish(toRun);
