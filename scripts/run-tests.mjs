/**
 * The full test suite, in the order a failure is cheapest to find: type check, unit tests, build, link check,
 * content tests, runbook verification, browser tests, budgets. Each stage prints its own output; the last line
 * is a plain `N passed, N failed` summary over every test case that ran.
 *
 * Usage: node scripts/run-tests.mjs [stage ...]   (default: every stage)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { countReport } from './lib/count-report.mjs';

/** A stage is a command; vitest stages report their counts through a JSON file. */
const STAGES = [
  { name: 'check', command: ['npm', 'run', 'check'] },
  { name: 'unit', vitest: 'unit', coverage: true },
  { name: 'build', command: ['npm', 'run', 'build'] },
  { name: 'links', command: ['node', 'scripts/check-links.ts', '--dir', 'dist'] },
  { name: 'content', vitest: 'content' },
  { name: 'runbooks', vitest: 'runbooks', optional: true },
  { name: 'e2e', vitest: 'e2e', optional: true },
  { name: 'budget', command: ['node', 'scripts/budget.ts'], requires: 'scripts/budget.ts' },
];

const requested = process.argv.slice(2);
const stages = requested.length > 0 ? STAGES.filter((stage) => requested.includes(stage.name)) : STAGES;
const reportDir = mkdtempSync(path.join(tmpdir(), 'handbook-tests-'));
let passed = 0;
let failed = 0;
let skipped = 0;
const failedStages = [];

function hasTests(project) {
  return existsSync(path.join('tests', project));
}

// The runbook and browser stages drive etcd, HAProxy and Chromium; install them first (as root on Debian) or say
// exactly which packages are missing.
if (stages.some((stage) => stage.name === 'runbooks' || stage.name === 'e2e')) {
  const packages = spawnSync('bash', ['scripts/system-packages.sh'], { stdio: 'inherit' });
  if (packages.status !== 0) {
    console.log('\n0 passed, 1 failed');
    process.exit(1);
  }
}

for (const stage of stages) {
  if (stage.requires && !existsSync(stage.requires)) continue;
  if (stage.vitest && stage.optional && !hasTests(stage.vitest)) continue;
  console.log(`\n=== ${stage.name} ===`);
  let command = stage.command;
  let reportFile;
  if (stage.vitest) {
    reportFile = path.join(reportDir, `${stage.name}.json`);
    command = ['npx', 'vitest', 'run', '--project', stage.vitest, '--reporter=default', '--reporter=json', `--outputFile.json=${reportFile}`];
    if (stage.coverage) command.push('--coverage');
  }
  const result = spawnSync(command[0], command.slice(1), { stdio: 'inherit', env: process.env });
  const failedBefore = failed;
  if (reportFile && existsSync(reportFile)) {
    const report = JSON.parse(readFileSync(reportFile, 'utf8'));
    const counts = countReport(report);
    passed += counts.passed;
    failed += counts.failed;
    skipped += counts.skipped;
  } else if (!stage.vitest) {
    // A non-vitest stage (type check, build, link check, budget) counts as one check.
    if (result.status === 0) passed += 1;
    else failed += 1;
  }
  if (result.status !== 0) {
    failedStages.push(stage.name);
    // A stage that failed without a failed test (no report, a coverage threshold, a crash) still counts once.
    if (failed === failedBefore) failed += 1;
  }
}

rmSync(reportDir, { recursive: true, force: true });
if (failedStages.length > 0) console.log(`\nFailed stages: ${failedStages.join(', ')}`);
console.log(`\n${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exitCode = failedStages.length > 0 ? 1 : 0;
