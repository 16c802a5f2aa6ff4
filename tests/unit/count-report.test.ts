/**
 * scripts/lib/count-report.mjs: the summary line of `npm test` must not read "0 failed" when a runbook scenario's
 * beforeAll threw (test review M1). The reports below have the shape vitest's JSON reporter writes: for a file
 * whose beforeAll throws, the file's status is "failed", its tests are "skipped" and numFailedTests is 0.
 */
import { describe, expect, test } from 'vitest';
import { countReport } from '../../scripts/lib/count-report.mjs';

describe('countReport', () => {
  test('tests of a file whose beforeAll threw count as failed, not skipped', () => {
    const report = {
      numPassedTests: 3,
      numFailedTests: 0,
      numPendingTests: 2,
      numTodoTests: 0,
      testResults: [
        { status: 'passed', assertionResults: [{ status: 'passed' }, { status: 'passed' }, { status: 'passed' }] },
        { status: 'failed', message: 'beforeAll: scenario failed', assertionResults: [{ status: 'skipped' }, { status: 'skipped' }] },
      ],
    };
    expect(countReport(report)).toEqual({ passed: 3, failed: 2, skipped: 0 });
  });

  test('a failed file without any test (an import error) counts once', () => {
    expect(countReport({ numPassedTests: 0, numFailedTests: 0, numPendingTests: 0, numTodoTests: 0, testResults: [{ status: 'failed', assertionResults: [] }] })).toEqual({ passed: 0, failed: 1, skipped: 0 });
  });

  test('ordinary failures and deliberate skips are counted as vitest counts them', () => {
    const report = {
      numPassedTests: 1,
      numFailedTests: 1,
      numPendingTests: 1,
      numTodoTests: 1,
      testResults: [{ status: 'failed', assertionResults: [{ status: 'passed' }, { status: 'failed' }, { status: 'skipped' }, { status: 'todo' }] }],
    };
    expect(countReport(report)).toEqual({ passed: 1, failed: 1, skipped: 2 });
  });
});
