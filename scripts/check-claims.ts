/**
 * Fails when a runbook claims a (scenario, etcd minor) that no passed test of the runbooks stage ran
 * (tests/runbooks/lib/claims.ts). Reads the stage's vitest JSON report; scripts/run-tests.mjs passes it.
 *
 * Usage: node scripts/check-claims.ts <runbooks-report.json>
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { claimCoverage, readClaims, uncoveredClaims, type VitestJsonReport } from '../tests/runbooks/lib/claims.ts';

const reportFile = process.argv[2];
if (!reportFile || !existsSync(reportFile)) {
  console.error(`check-claims: no runbooks-stage report${reportFile ? ` at ${reportFile}` : ''}; run the runbooks stage first (node scripts/run-tests.mjs runbooks claims)`);
  process.exit(1);
}
const report = JSON.parse(readFileSync(reportFile, 'utf8')) as VitestJsonReport;
const claims = readClaims(path.join(import.meta.dirname, '../src/content/runbooks'));
for (const each of claimCoverage(claims, report)) {
  console.log(`${each.file} · ${each.scenario} · ${each.product} ${each.patch ?? `${each.minor} (not in lab/versions.json)`}: ${each.passedTests.length} passed test(s) ran it`);
}
const problems = uncoveredClaims(claims, report);
for (const problem of problems) console.error(`✗ ${problem}`);
console.log(problems.length === 0 ? `every claimed version was run by a passed test (${claims.length} verified runbooks)` : `${problems.length} claim(s) not backed by a passed test`);
process.exitCode = problems.length === 0 ? 0 : 1;
