/**
 * scripts/lib/count-report.mjs: the summary line of `npm test` must not read "0 failed" when a runbook scenario's
 * beforeAll threw (test review M1). The reports below have the shape vitest's JSON reporter writes: for a file
 * whose beforeAll throws, the file's status is "failed", its tests are "skipped" and numFailedTests is 0.
 */
import { describe, expect, test } from 'vitest';
import { countReport, failuresOfReport } from '../../scripts/lib/count-report.mjs';

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

describe('failuresOfReport', () => {
  test('names each failed test with the first lines of its message, colours removed, and a failed file once', () => {
    const report = {
      testResults: [
        {
          name: '/tmp/ci/repo/tests/runbooks/etcd.test.ts',
          status: 'failed',
          assertionResults: [
            { status: 'passed', fullName: 'etcd 3.6 backup' },
            { status: 'failed', fullName: 'etcd 3.6 nospace', failureMessages: ['\u001b[31mAssertionError: expected 1 to be 2\u001b[39m\n\n    at a.ts:1\n    at b.ts:2\n    at c.ts:3\n    at d.ts:4'] },
          ],
        },
        { name: '/tmp/ci/repo/tests/runbooks/kubeadm.test.ts', status: 'failed', message: 'Hook timed out in 600000ms', assertionResults: [{ status: 'skipped' }] },
        { name: '/tmp/ci/repo/tests/unit/ok.test.ts', status: 'passed', assertionResults: [{ status: 'passed', fullName: 'ok' }] },
      ],
    };
    expect(failuresOfReport(report)).toEqual([
      { file: 'tests/runbooks/etcd.test.ts', test: 'etcd 3.6 nospace', lines: ['AssertionError: expected 1 to be 2', '    at a.ts:1', '    at b.ts:2', '    at c.ts:3'] },
      { file: 'tests/runbooks/kubeadm.test.ts', test: '(the file: beforeAll, import or collection)', lines: ['Hook timed out in 600000ms'] },
    ]);
  });

  test('a report without failures lists none', () => {
    expect(failuresOfReport({ testResults: [{ status: 'passed', assertionResults: [{ status: 'passed' }] }] })).toEqual([]);
  });
});
