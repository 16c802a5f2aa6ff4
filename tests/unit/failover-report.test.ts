/**
 * The failover test's checks (tests/lab/failover-report.ts) on made-up rows, so that the CI test can fail: a trial
 * outside the calculator's range, a mean off by more than its bar, and the choice of bar.
 */
import { describe, expect, it } from 'vitest';
import { compareFailover, failoverTable } from '../lab/failover-report';
import type { MeasuredFailoverRow } from '../../src/lib/calc/leader-election-lab';

const crash = (samplesSeconds: number[]): MeasuredFailoverRow => ({
  component: 'kube-scheduler',
  stop: 'SIGKILL',
  releaseLockOnExitGate: false,
  releaseOnCancel: false,
  leaseDurationSeconds: 4,
  renewDeadlineSeconds: 3,
  retryPeriodSeconds: 1,
  standbys: 2,
  samplesSeconds,
});
const released = (samplesSeconds: number[]): MeasuredFailoverRow => ({ ...crash(samplesSeconds), stop: 'SIGTERM', releaseOnCancel: true });

describe('failover checks against the calculator', () => {
  // Calculator at 4/3/1 s, two standbys: crash best 3 s (LD − RP), worst 8.4 s (LD + 4.4·RP), expected ≈ 4.76 s;
  // released Lease: 0 to 2.2 s, expected 0.539 s (E[min of 2 residuals] = 0.538958·RP).
  it('16 crash trials around the expected value pass the 10 % bar', () => {
    const result = compareFailover(crash(Array.from({ length: 16 }, (_, index) => 4.76 + (index % 2 === 0 ? 0.5 : -0.5))));
    expect(result.meanCheck).toBe('10 %');
    expect(result.meanToleranceSeconds).toBeCloseTo(0.476, 2);
    expect(result).toMatchObject({ inRange: true, meanOk: true });
  });

  it('a mean 12 % above expected fails; a trial below LD − RP fails the range', () => {
    expect(compareFailover(crash(Array.from({ length: 16 }, () => 4.76 * 1.12))).meanOk).toBe(false);
    const early = compareFailover(crash([2.9, ...Array.from({ length: 15 }, () => 4.8)]));
    expect(early.inRange).toBe(false);
    expect(early.outOfRange).toEqual([2.9]);
    expect(compareFailover(crash([8.5, 4.7, 4.7])).inRange).toBe(false);
  });

  it('a released Lease is checked at ±3 standard errors, since 10 % would need hundreds of trials', () => {
    const result = compareFailover(released(Array.from({ length: 12 }, () => 0.54)));
    expect(result.meanCheck).toBe('3 SE');
    // σ of the min of two residuals is about 0.39 s at RP = 1 s: 3 × 0.39 / √12 ≈ 0.34 s.
    expect(result.meanToleranceSeconds).toBeGreaterThan(0.3);
    expect(result.meanToleranceSeconds).toBeLessThan(0.38);
    expect(compareFailover(released(Array.from({ length: 12 }, () => 1.0))).meanOk).toBe(false);
  });

  it('fewer than 5 trials: range only, and the table says so', () => {
    const result = compareFailover(crash([9, 9, 9]));
    expect(result).toMatchObject({ meanCheck: 'range only', meanToleranceSeconds: null, meanOk: true, inRange: false });
    expect(failoverTable('t', [result])).toContain('not checked (< 5 trials)');
  });
});

describe('a stop that releases the Lease, checked from the release', () => {
  // Trials of 2.3 s from the signal are past the 2.2 s worst case; 0.4 s of each went to the component's shutdown
  // before it released, so from the release they took 1.9 s: inside the range.
  const slowShutdown = released(Array.from({ length: 12 }, () => 2.3));
  const delays = Array.from({ length: 12 }, () => 0.4);

  it('subtracts each trial\'s signal-to-release delay before the range and mean checks, and says so in the table', () => {
    const fromSignal = compareFailover(slowShutdown);
    expect(fromSignal).toMatchObject({ checkedFrom: 'signal', inRange: false, releaseDelayMaxSeconds: null });
    const fromRelease = compareFailover(slowShutdown, { releaseDelaysSeconds: delays });
    expect(fromRelease).toMatchObject({ checkedFrom: 'release', inRange: true, releaseDelayMaxSeconds: 0.4 });
    // min/mean/max stay what a reader waits: from the signal.
    expect(fromRelease.meanSeconds).toBeCloseTo(2.3, 6);
    expect(fromRelease.deviation).toBeCloseTo((1.9 - fromRelease.model.expectedSeconds) / fromRelease.model.expectedSeconds, 6);
    expect(failoverTable('t', [fromRelease])).toContain('| 0.40 | - |');
    expect(failoverTable('t', [fromRelease])).toContain('yes (from the release)');
  });

  it('stays from the signal when a release was not seen for every trial, and for a crash', () => {
    expect(compareFailover(slowShutdown, { releaseDelaysSeconds: [...delays.slice(0, 11), null] }).checkedFrom).toBe('signal');
    expect(compareFailover(crash([4.8, 4.7, 4.9]), { releaseDelaysSeconds: [0.1, 0.1, 0.1] })).toMatchObject({ checkedFrom: 'signal', releaseDelayMaxSeconds: null });
  });
});

describe('the slowest GET the lab saw in a trial widens that trial\'s upper bound', () => {
  it('a crash trial 0.3 s past the worst case passes with a 0.4 s GET in that trial, and fails with 0.2 s', () => {
    // 8.4 s worst case at 4/3/1 with two standbys, 0.05 s slack.
    const late = crash([8.7, 4.7, 4.7]);
    expect(compareFailover(late).inRange).toBe(false);
    expect(compareFailover(late, { apiGetMaxSeconds: [0.4, 0.01, 0.01] })).toMatchObject({ inRange: true, apiGetMaxSeconds: 0.4 });
    expect(compareFailover(late, { apiGetMaxSeconds: [0.2, 0.5, 0.5] }).outOfRange).toEqual([8.7]);
    expect(failoverTable('t', [compareFailover(late, { apiGetMaxSeconds: [0.4, 0.01, 0.01] })])).toContain('| - | 0.40 |');
  });

  it('never widens the lower end', () => {
    expect(compareFailover(crash([2.9, 4.7, 4.7]), { apiGetMaxSeconds: [1, 1, 1] }).outOfRange).toEqual([2.9]);
  });
});
