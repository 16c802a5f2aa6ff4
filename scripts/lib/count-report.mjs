/**
 * Counts of one vitest JSON report. A file whose `beforeAll` (or import) failed has status "failed" while its tests
 * are reported as skipped: those tests did not pass and must not read as skipped, so they count as failed (at
 * least one per such file).
 */
export function countReport(report) {
  let passed = report.numPassedTests ?? 0;
  let failed = report.numFailedTests ?? 0;
  let skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  for (const file of report.testResults ?? []) {
    const assertions = file.assertionResults ?? [];
    if (file.status !== 'failed' || assertions.some((assertion) => assertion.status === 'failed')) continue;
    const notRun = assertions.filter((assertion) => assertion.status === 'skipped' || assertion.status === 'pending' || assertion.status === 'todo').length;
    failed += Math.max(1, notRun);
    skipped -= notRun;
  }
  return { passed, failed, skipped };
}
