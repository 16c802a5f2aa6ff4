/**
 * Fails when a runbook claims a (scenario, etcd or Kubernetes minor) that no passed test of the lab stages ran
 * (tests/runbooks/lib/claims.ts). Reads the vitest JSON reports of the runbooks stage (etcd lab) and the kubeadm
 * stage (kubeadm lab); scripts/run-tests.mjs passes both. A report that is missing is said, and the claims only it
 * could back then fail.
 *
 * Usage: node scripts/check-claims.ts <report.json> [<report.json> ...]
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { claimCoverage, readClaims, uncoveredClaims, type VitestJsonReport } from '../tests/runbooks/lib/claims.ts';

const reportFiles = process.argv.slice(2);
if (reportFiles.length === 0) {
  console.error('check-claims: give the lab stages\' JSON reports (node scripts/run-tests.mjs runbooks kubeadm claims)');
  process.exit(1);
}
const report: VitestJsonReport = { testResults: [] };
for (const file of reportFiles) {
  if (!existsSync(file)) {
    console.log(`check-claims: no report at ${file} (its stage did not run or wrote none); claims only it could back will fail`);
    continue;
  }
  report.testResults.push(...(JSON.parse(readFileSync(file, 'utf8')) as VitestJsonReport).testResults);
}
if (report.testResults.length === 0) {
  console.error('check-claims: none of the reports exists; run the lab stages first (node scripts/run-tests.mjs runbooks kubeadm claims)');
  process.exit(1);
}
const claims = readClaims(path.join(import.meta.dirname, '../src/content/runbooks'));
for (const each of claimCoverage(claims, report)) {
  console.log(`${each.file} · ${each.scenario} · ${each.product} ${each.patch ?? `${each.minor} (not in lab/versions.json)`}: ${each.passedTests.length} passed test(s) ran it`);
}
const problems = uncoveredClaims(claims, report);
for (const problem of problems) console.error(`✗ ${problem}`);
console.log(problems.length === 0 ? `every claimed version was run by a passed test (${claims.length} verified runbooks)` : `${problems.length} claim(s) not backed by a passed test`);
process.exitCode = problems.length === 0 ? 0 : 1;
