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

/**
 * The failed tests of one vitest JSON report, each with the first lines of its failure, so the last screen of a CI
 * log (often all a reader of CI gets) names what failed and why, not only how many. A file that failed without a
 * failed test (its beforeAll threw, an import error) is listed once with the file's own message.
 */
export function failuresOfReport(report, linesPerFailure = 4) {
  const firstLines = (text) =>
    String(text ?? '')
      // vitest's messages carry ANSI colours; the summary is read as plain text.
      .replace(/\u001b\[[0-9;]*m/g, '')
      .split('\n')
      .map((line) => line.trimEnd())
      .filter((line) => line.trim() !== '')
      .slice(0, linesPerFailure);
  const failures = [];
  for (const file of report.testResults ?? []) {
    const fileName = String(file.name ?? '?').replace(/^.*?\/tests\//, 'tests/');
    const assertions = file.assertionResults ?? [];
    const failedAssertions = assertions.filter((assertion) => assertion.status === 'failed');
    for (const assertion of failedAssertions) {
      failures.push({ file: fileName, test: assertion.fullName ?? assertion.title ?? '?', lines: firstLines((assertion.failureMessages ?? []).join('\n')) });
    }
    if (file.status === 'failed' && failedAssertions.length === 0) {
      failures.push({ file: fileName, test: '(the file: beforeAll, import or collection)', lines: firstLines(file.message) });
    }
  }
  return failures;
}
