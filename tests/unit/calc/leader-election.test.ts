import { describe, expect, it } from 'vitest';
import { inputError } from './helpers/input-error';
import {
  JITTER_FACTOR,
  KUBERNETES_MINORS,
  LEADER_ELECTION_GATES,
  LEADER_ELECTION_PRESETS,
  clientGoValidationErrors,
  leaderElection,
  meanFirstTryAfterExpiry,
  meanFirstTryAfterRelease,
  simulateLeaderElection,
  type LeaderElectionConfig,
} from '../../../src/lib/calc/leader-election';

const config = (leaseDurationSeconds: number, renewDeadlineSeconds: number, retryPeriodSeconds: number): LeaderElectionConfig => ({
  leaseDurationSeconds,
  renewDeadlineSeconds,
  retryPeriodSeconds,
});
const kubernetes = config(15, 10, 2);
const openshift = config(137, 107, 26);
const singleNodeOpenshift = config(270, 240, 60);


describe('client-go validation (NewLeaderElector, tools/leaderelection/leaderelection.go)', () => {
  it('uses JitterFactor 1.2', () => {
    expect(JITTER_FACTOR).toBe(1.2);
  });

  it.each([
    ['Kubernetes default', kubernetes, []],
    ['LD equal to RD', config(10, 10, 2), ['leaseDuration must be greater than renewDeadline']],
    ['LD below RD', config(9, 10, 2), ['leaseDuration must be greater than renewDeadline']],
    ['RD exactly 1.2·RP', config(15, 2.4, 2), ['renewDeadline must be greater than retryPeriod*JitterFactor']],
    ['RD one nanosecond above 1.2·RP', config(15, 2.400000001, 2), []],
    // 1.2 × 1000000001 ns = 1200000001.2 ns, truncated by time.Duration() to 1200000001 ns.
    ['RD equal to the truncated bound', config(15, 1.200000001, 1.000000001), ['renewDeadline must be greater than retryPeriod*JitterFactor']],
    ['RD one nanosecond above the truncated bound', config(15, 1.200000002, 1.000000001), []],
    ['RD above RP but not above 1.2·RP (LD > RD + RP is not required)', config(15, 14, 12), ['renewDeadline must be greater than retryPeriod*JitterFactor']],
    ['RP zero', config(15, 10, 0), ['retryPeriod must be greater than zero']],
    [
      'everything zero: every rule, in client-go order',
      config(0, 0, 0),
      [
        'leaseDuration must be greater than renewDeadline',
        'renewDeadline must be greater than retryPeriod*JitterFactor',
        'leaseDuration must be greater than zero',
        'renewDeadline must be greater than zero',
        'retryPeriod must be greater than zero',
      ],
    ],
  ])('%s', (_name, input, expected) => {
    expect(clientGoValidationErrors(input)).toEqual(expected);
    const result = leaderElection(input);
    expect(result.valid).toBe(expected.length === 0);
    expect(result.errors).toEqual(expected);
  });

  it('sub-nanosecond durations count as zero, as a time.Duration would hold them', () => {
    expect(clientGoValidationErrors(config(15, 10, 4e-10))).toEqual(['retryPeriod must be greater than zero']);
  });

  it('a refused configuration is a result, not an exception, and says so first', () => {
    const result = leaderElection(config(10, 10, 2));
    expect(result.valid).toBe(false);
    expect(result.notes[0]).toMatchObject({ severity: 'critical', code: 'client-go-refuses' });
    expect(result.notes[0]?.message).toContain('leaseDuration must be greater than renewDeadline');
  });

  it('accepts 15/14/2 (validation only needs LD > RD) but warns that leaders can overlap', () => {
    const result = leaderElection(config(15, 14, 2));
    expect(result.valid).toBe(true);
    expect(result.safetyMarginSeconds).toBe(-1);
    expect(result.notes.find((note) => note.code === 'leader-overlap')?.severity).toBe('critical');
  });
});

describe('input errors (CalcInputError) name the field', () => {
  it.each([
    [{ ...kubernetes, leaseDurationSeconds: -1 }, 'leaseDurationSeconds', 'must be at least 0'],
    [{ ...kubernetes, renewDeadlineSeconds: Number.NaN }, 'renewDeadlineSeconds', 'must be a number'],
    [{ ...kubernetes, retryPeriodSeconds: '2' }, 'retryPeriodSeconds', 'must be a number'],
    [{ ...kubernetes, retryPeriodSeconds: Number.POSITIVE_INFINITY }, 'retryPeriodSeconds', 'must be a number'],
    [{ ...kubernetes, leaseDurationSeconds: 86_401 }, 'leaseDurationSeconds', 'must be at most 86400'],
    [{ ...kubernetes, standbys: 0 }, 'standbys', 'must be at least 1'],
    [{ ...kubernetes, standbys: 1.5 }, 'standbys', 'must be a whole number'],
    [{ ...kubernetes, releaseOnCancel: 'yes' }, 'releaseOnCancel', 'must be true or false'],
    [{ ...kubernetes, component: 'kube-apiserver' }, 'component', 'must be one of kube-controller-manager, kube-scheduler, other'],
    [{ ...kubernetes, component: 'kube-scheduler', kubernetesVersion: '1.34' }, 'kubernetesVersion', 'must be one of 1.35, 1.36, 1.37'],
    [{ ...kubernetes, component: 'kube-controller-manager', releaseLockOnExitGate: 1 }, 'releaseLockOnExitGate', 'must be true or false'],
    [{ ...kubernetes, kubernetesVersion: '1.37' }, 'kubernetesVersion', 'applies to kube-controller-manager and kube-scheduler only'],
    [{ ...kubernetes, component: 'other', releaseLockOnExitGate: true }, 'releaseLockOnExitGate', 'applies to kube-controller-manager only'],
    [{ ...kubernetes, component: 'kube-scheduler', releaseLockOnExitGate: false }, 'releaseLockOnExitGate', 'applies to kube-controller-manager only'],
    [
      { ...kubernetes, component: 'kube-controller-manager', kubernetesVersion: '1.35', releaseLockOnExitGate: true },
      'releaseLockOnExitGate',
      'does not exist in kube-controller-manager 1.35 (it was added as alpha in 1.36)',
    ],
    [
      { ...kubernetes, component: 'kube-scheduler', releaseOnCancel: false },
      'releaseOnCancel',
      'is decided by kube-scheduler: leave it out, or set component to other',
    ],
  ])('%j -> %s', (input, path, message) => {
    const error = inputError(() => leaderElection(input as never));
    expect(error.issues).toEqual([{ path, message }]);
    expect(error.message).toBe(`leaderElection: ${path} ${message}`);
  });
});

describe('closed forms (derived in calc-facts.md §1.7)', () => {
  it('residual means: 0.8375·RP for one standby (E[X²]/2E[X] of U[RP, 2.2RP)), less with more standbys', () => {
    // E[X] = 1.6, E[X²] = (1 + 2.2 + 4.84)/3 = 2.68, so E[X²]/(2E[X]) = 0.8375 (units of RP).
    expect(meanFirstTryAfterRelease(1)).toBeCloseTo(0.8375, 12);
    // ∫(1 − x/1.6)² on [0,1] + ∫((2.2 − x)²/3.84)² on [1,2.2] = 0.505208… + 0.03375, worked by hand.
    expect(meanFirstTryAfterRelease(2)).toBeCloseTo(0.505_208_333 + 0.033_75, 8);
    expect(meanFirstTryAfterExpiry(1)).toBeCloseTo(2 * 0.8375, 3);
    expect(meanFirstTryAfterExpiry(2)).toBeLessThan(meanFirstTryAfterExpiry(1));
  });

  it('Kubernetes default 15/10/2, one standby: best LD − RP, expected LD + 1.175·RP, worst LD + 4.4·RP', () => {
    const result = leaderElection({ ...kubernetes, standbys: 1 });
    expect(result.crashFailover.bestSeconds).toBe(13);
    expect(result.crashFailover.expectedSeconds).toBeCloseTo(15 + 1.175 * 2, 3);
    expect(result.crashFailover.worstSeconds).toBeCloseTo(23.8, 10);
    expect(result.gracefulFailover).toEqual(result.crashFailover);
    expect(result.isolatedLeaderMaxSeconds).toBe(12);
    expect(result.safetyMarginSeconds).toBe(3);
    expect(result.apiserverOutageToleranceSeconds).toBe(8);
    expect(result.apiRequestsPerSecond).toBeCloseTo(1 / 2 + 1 / 3.2, 12);
    expect(result.notes.map((note) => note.code)).toEqual(['graceful-is-crash', 'apiserver-outage']);
  });

  it('ReleaseOnCancel: graceful failover is the first standby try, 0 to 2.2·RP, mean 0.8375·RP', () => {
    const result = leaderElection({ ...kubernetes, standbys: 1, releaseOnCancel: true });
    expect(result.gracefulFailover).toEqual({ bestSeconds: 0, expectedSeconds: 1.675, worstSeconds: 4.4 });
    expect(result.notes.some((note) => note.code === 'graceful-is-crash')).toBe(false);
  });

  it('OpenShift 137/107/26 against library-go comments (LeaderElectionDefaulting)', () => {
    const result = leaderElection({ ...openshift, standbys: 1, releaseOnCancel: true });
    expect(result.valid).toBe(true);
    expect(result.clockSkewToleranceSeconds).toBe(30); // "clock skew tolerance is leaseDuration-renewDeadline == 30s"
    expect(result.apiserverOutageToleranceSeconds).toBe(78); // "lastRetry - retryPeriod == 78s"
    expect(result.safetyMarginSeconds).toBe(4);
    expect(result.isolatedLeaderMaxSeconds).toBe(133);
    // library-go's hand formulas ignore the 1.2 jitter: worst graceful "RP = 26s", worst non-graceful "LD + RP = 163s".
    expect(result.gracefulFailover.worstSeconds).toBeCloseTo(57.2, 10);
    expect(result.crashFailover.worstSeconds).toBeCloseTo(251.4, 10);
    expect(result.crashFailover.bestSeconds).toBe(111);
  });

  it('single-node OpenShift 270/240/60 (LeaderElectionSNOConfig): valid, but a negative margin of −30 s', () => {
    const result = leaderElection({ ...singleNodeOpenshift, standbys: 1, releaseOnCancel: true });
    expect(result.valid).toBe(true);
    expect(result.clockSkewToleranceSeconds).toBe(30);
    expect(result.apiserverOutageToleranceSeconds).toBe(180); // "lastRetry - retryPeriod == 180s"
    expect(result.safetyMarginSeconds).toBe(-30);
    expect(result.notes.find((note) => note.code === 'leader-overlap')?.severity).toBe('critical');
    expect(result.gracefulFailover.worstSeconds).toBeCloseTo(132, 10);
    expect(result.crashFailover.worstSeconds).toBeCloseTo(534, 10);
  });

  it('presets match their sources and all pass client-go validation', () => {
    expect(LEADER_ELECTION_PRESETS.map((preset) => [preset.id, preset.leaseDurationSeconds, preset.renewDeadlineSeconds, preset.retryPeriodSeconds])).toEqual([
      ['kubernetes', 15, 10, 2],
      ['openshift', 137, 107, 26],
      ['single-node-openshift', 270, 240, 60],
    ]);
    for (const preset of LEADER_ELECTION_PRESETS) expect(leaderElection(preset).valid).toBe(true);
  });

  it('defaults to two standbys and ReleaseOnCancel false', () => {
    const result = leaderElection(kubernetes);
    expect(result.standbys).toBe(2);
    expect(result.releaseOnCancel).toBe(false);
    expect(result.apiRequestsPerSecond).toBeCloseTo(0.5 + 2 / 3.2, 12);
    expect(result.crashFailover.expectedSeconds).toBeLessThan(leaderElection({ ...kubernetes, standbys: 1 }).crashFailover.expectedSeconds);
  });

  it('the lease record holds whole seconds: 15.5 s is seen as 15 s', () => {
    const result = leaderElection({ ...config(15.5, 10, 2), standbys: 1 });
    expect(result.leaseRecordSeconds).toBe(15);
    expect(result.crashFailover.bestSeconds).toBe(13);
    expect(result.notes.find((note) => note.code === 'lease-truncated')?.message).toContain('15 s, not 15.5 s');
    // The margin uses the recorded lease: 15 − 10 − 2 = 3, not 15.5 − 10 − 2 = 3.5.
    expect(result.safetyMarginSeconds).toBe(3);
    expect(leaderElection({ ...config(16.9, 10, 2), standbys: 1 }).safetyMarginSeconds).toBe(4);
  });

  it('a lease under one second is recorded as 0 s: standbys take over on their next try', () => {
    const result = leaderElection({ ...config(0.9, 0.5, 0.4), standbys: 1 });
    expect(result.valid).toBe(true);
    expect(result.leaseRecordSeconds).toBe(0);
    expect(result.crashFailover).toEqual({ bestSeconds: 0, expectedSeconds: 0.8375 * 0.4, worstSeconds: 2.2 * 0.4 });
    expect(result.notes.find((note) => note.code === 'lease-under-one-second')?.severity).toBe('critical');
  });

  it('zero retry period: no Infinity or NaN, API rate null', () => {
    const result = leaderElection(config(15, 10, 0));
    expect(result.apiRequestsPerSecond).toBeNull();
    expect(result.crashFailover).toEqual({ bestSeconds: 15, expectedSeconds: 15, worstSeconds: 15 });
    expect(result.apiserverOutageToleranceSeconds).toBe(0);
  });
});

describe('component and Kubernetes version decide whether a clean exit releases the lease', () => {
  // Sources, read at the tags: k8s.io/controller-manager v0.36.6 and v0.37.2 pkg/features/kube_features.go give
  // ControllerManagerReleaseLeaderElectionLockOnExit one spec, {1.36, default false, Alpha}; v0.35.10 has no such
  // gate. k8s.io/kubernetes v1.37.2: kube-controller-manager sets ReleaseOnCancel from the gate
  // (controllermanager.go l.863), kube-scheduler sets ReleaseOnCancel: true (options.go l.381), and
  // CoordinatedLeaderElection is {1.31 Alpha, 1.33 Beta}, default false (pkg/features/kube_features.go l.2380).
  it('gate stages per minor', () => {
    expect(KUBERNETES_MINORS).toEqual(['1.35', '1.36', '1.37']);
    expect(LEADER_ELECTION_GATES).toEqual({
      '1.35': { releaseOnExit: null, coordinated: { stage: 'beta', enabledByDefault: false } },
      '1.36': { releaseOnExit: { stage: 'alpha', enabledByDefault: false }, coordinated: { stage: 'beta', enabledByDefault: false } },
      '1.37': { releaseOnExit: { stage: 'alpha', enabledByDefault: false }, coordinated: { stage: 'beta', enabledByDefault: false } },
    });
  });

  it.each([
    ['kube-controller-manager', '1.35', undefined, false],
    ['kube-controller-manager', '1.36', undefined, false],
    ['kube-controller-manager', '1.37', undefined, false],
    ['kube-controller-manager', '1.36', true, true],
    ['kube-controller-manager', '1.37', true, true],
    ['kube-controller-manager', '1.37', false, false],
    ['kube-controller-manager', '1.35', false, false],
    ['kube-scheduler', '1.35', undefined, true],
    ['kube-scheduler', '1.37', undefined, true],
  ] as const)('%s %s, gate %s: releases %s', (component, kubernetesVersion, gate, releases) => {
    const result = leaderElection({ ...kubernetes, component, kubernetesVersion, ...(gate === undefined ? {} : { releaseLockOnExitGate: gate }) });
    expect(result).toMatchObject({ component, kubernetesVersion, releaseOnCancel: releases });
    const codes = result.notes.map((note) => note.code);
    expect(codes).toContain(releases ? 'lease-released' : 'graceful-is-crash');
    expect(codes).not.toContain(releases ? 'graceful-is-crash' : 'lease-released');
    expect(codes).toContain('coordinated-leader-election');
    // The handover equals the generic released-lease case, or the crash.
    const same = leaderElection({ ...kubernetes, releaseOnCancel: releases });
    expect(result.gracefulFailover).toEqual(same.gracefulFailover);
    expect(result.crashFailover).toEqual(same.crashFailover);
  });

  it('a graceful kube-controller-manager restart with the gate on: about 1.08 s with two standbys at RP = 2 s', () => {
    // By hand: E[min of 2 residuals] = 1.6/3·(1 − 0.375³) + 1.2⁵/(5·3.84²) = 0.505208 + 0.033750 = 0.538958 RP;
    // × 2 s = 1.0779 s. Worst: the next try is at most 2.2·RP = 4.4 s away.
    const result = leaderElection({ ...kubernetes, component: 'kube-controller-manager', kubernetesVersion: '1.37', releaseLockOnExitGate: true });
    expect(result.gracefulFailover.bestSeconds).toBe(0);
    expect(result.gracefulFailover.expectedSeconds).toBeCloseTo(1.0779, 4);
    expect(result.gracefulFailover.worstSeconds).toBeCloseTo(4.4, 12);
    const note = result.notes.find((entry) => entry.code === 'lease-released');
    expect(note?.message).toContain('kube-controller-manager 1.37 releases its lease when it stops cleanly, because ControllerManagerReleaseLeaderElectionLockOnExit is on (alpha, off by default)');
    expect(note?.message).toContain('after about 1.08 s and at most 4.4 s');
    // The lab's figures in the note are checked against the data file in leader-election-lab.test.ts.
    expect(note?.message).toContain("Measured in the handbook's lab");
  });

  it('notes name the gate and the release that lacks it', () => {
    const kcm135 = leaderElection({ ...kubernetes, component: 'kube-controller-manager', kubernetesVersion: '1.35' });
    expect(kcm135.notes.find((note) => note.code === 'graceful-is-crash')?.message).toMatch(/^kube-controller-manager 1\.35 keeps its lease .* From 1\.36 the feature gate ControllerManagerReleaseLeaderElectionLockOnExit/);
    const kcm137 = leaderElection({ ...kubernetes, component: 'kube-controller-manager' });
    expect(kcm137.kubernetesVersion).toBe('1.37');
    expect(kcm137.notes.find((note) => note.code === 'graceful-is-crash')?.message).toContain(
      'unless started with --feature-gates=ControllerManagerReleaseLeaderElectionLockOnExit=true (alpha in 1.37, off by default)',
    );
    expect(kcm137.notes.find((note) => note.code === 'coordinated-leader-election')?.message).toContain('is beta and off by default in 1.37');
    const scheduler = leaderElection({ ...kubernetes, component: 'kube-scheduler', kubernetesVersion: '1.36' });
    expect(scheduler.notes.find((note) => note.code === 'lease-released')?.message).toMatch(/^kube-scheduler 1\.36 releases its lease when it stops cleanly \(it always sets ReleaseOnCancel\)/);
    // A program the calculator does not know: no version, no coordinated-election note.
    const other = leaderElection({ ...kubernetes, component: 'other', releaseOnCancel: true });
    expect(other).toMatchObject({ component: 'other', kubernetesVersion: null, releaseOnCancel: true });
    expect(other.notes.map((note) => note.code)).not.toContain('coordinated-leader-election');
    expect(other.notes.find((note) => note.code === 'lease-released')?.message).toMatch(/^With ReleaseOnCancel the leader releases its lease/);
  });

  it('the simulation resolves the component the same way', () => {
    const simulated = simulateLeaderElection({ ...kubernetes, component: 'kube-scheduler', trials: 2000, seed: 3 });
    expect(simulated.gracefulFailover).not.toBe(simulated.crashFailover);
    expect(simulated.gracefulFailover.maxSeconds).toBeLessThanOrEqual(4.4);
    const kcm = simulateLeaderElection({ ...kubernetes, component: 'kube-controller-manager', trials: 2000, seed: 3 });
    expect(kcm.gracefulFailover).toBe(kcm.crashFailover);
    expect(inputError(() => simulateLeaderElection({ ...kubernetes, component: 'kube-scheduler', releaseOnCancel: true })).issues).toEqual([
      { path: 'releaseOnCancel', message: 'is decided by kube-scheduler: leave it out, or set component to other' },
    ]);
  });
});

describe('simulateLeaderElection (Monte Carlo of the client-go loops)', { timeout: 120_000 }, () => {
  const cases = [
    ['Kubernetes default', kubernetes],
    ['OpenShift', openshift],
    ['single-node OpenShift', singleNodeOpenshift],
    ['LD/RP = 4', config(8, 6, 2)],
  ] as const;

  // Measured over these 12 cases with these seeds and 40 000 trials (2026-12): the closed form and the simulated mean
  // differ by at most 0.71 % (LD/RP = 4, three standbys, crash). The bound sits just above that, so a formula that is
  // off by 1 % or more (for example 2·E[min_k R] in place of E[min_k(R1 + R2)], 2.1 % off at 15/10/2 with two standbys)
  // fails. The sampling error of a 40 000-trial mean is about 0.05 %; the rest is the model's approximation.
  const CLOSED_FORM_TOLERANCE = 0.0085;

  for (const [name, preset] of cases) {
    for (const standbys of [1, 2, 3]) {
      it(`${name}, ${standbys} standby(s): closed-form expectation within 0.85% of the simulated mean; bounds hold`, () => {
        const closed = leaderElection({ ...preset, standbys, releaseOnCancel: true });
        const closedCrash = leaderElection({ ...preset, standbys }).crashFailover;
        const simulated = simulateLeaderElection({ ...preset, standbys, releaseOnCancel: true, trials: 40_000, seed: 11 + standbys });
        expect(Math.abs(closedCrash.expectedSeconds / simulated.crashFailover.meanSeconds - 1)).toBeLessThan(CLOSED_FORM_TOLERANCE);
        expect(Math.abs(closed.gracefulFailover.expectedSeconds / simulated.gracefulFailover.meanSeconds - 1)).toBeLessThan(CLOSED_FORM_TOLERANCE);
        expect(simulated.crashFailover.minSeconds).toBeGreaterThanOrEqual(closedCrash.bestSeconds);
        expect(simulated.crashFailover.maxSeconds).toBeLessThanOrEqual(closedCrash.worstSeconds);
        expect(simulated.gracefulFailover.minSeconds).toBeGreaterThanOrEqual(0);
        expect(simulated.gracefulFailover.maxSeconds).toBeLessThanOrEqual(closed.gracefulFailover.worstSeconds);
        const outside = simulated.crashFailover.samplesSeconds.filter(
          (sample) => sample < closedCrash.bestSeconds || sample > closedCrash.worstSeconds,
        );
        expect(outside.length).toBe(0);
      });
    }
  }

  it('the warm-up gives a long-running try phase: the released-lease mean is 0.8375·RP within 1%', () => {
    const simulated = simulateLeaderElection({ ...kubernetes, standbys: 1, releaseOnCancel: true, trials: 200_000, seed: 5 });
    expect(simulated.gracefulFailover.meanSeconds / (0.8375 * 2)).toBeGreaterThan(0.99);
    expect(simulated.gracefulFailover.meanSeconds / (0.8375 * 2)).toBeLessThan(1.01);
  });

  it('agrees with the independent 40k-trial simulation in calc-facts.md §1.7 (within 1.5%)', () => {
    const kubernetesRun = simulateLeaderElection({ ...kubernetes, standbys: 1, trials: 100_000, seed: 2 }).crashFailover;
    expect(kubernetesRun.meanSeconds).toBeCloseTo(17.4, 0);
    expect(Math.abs(kubernetesRun.p99Seconds / 21.1 - 1)).toBeLessThan(0.015);
    expect(Math.abs(simulateLeaderElection({ ...kubernetes, standbys: 2, trials: 100_000, seed: 3 }).crashFailover.meanSeconds / 16.5 - 1)).toBeLessThan(0.015);
    const openshiftRun = simulateLeaderElection({ ...openshift, standbys: 1, trials: 100_000, seed: 4 }).crashFailover;
    expect(Math.abs(openshiftRun.meanSeconds / 168.7 - 1)).toBeLessThan(0.015);
    expect(Math.abs(openshiftRun.p99Seconds / 217 - 1)).toBeLessThan(0.015);
    // library-go's "worst non-graceful acquisition = LD + RP = 163s" is exceeded by about one failover in ten.
    expect(openshiftRun.p90Seconds).toBeGreaterThan(163);
    expect(Math.abs(simulateLeaderElection({ ...singleNodeOpenshift, standbys: 1, trials: 100_000, seed: 6 }).crashFailover.meanSeconds / 342 - 1)).toBeLessThan(0.015);
  });

  it('is reproducible from its seed, and different seeds give different samples', () => {
    const first = simulateLeaderElection({ ...kubernetes, trials: 1000, seed: 42 });
    const again = simulateLeaderElection({ ...kubernetes, trials: 1000, seed: 42 });
    const other = simulateLeaderElection({ ...kubernetes, trials: 1000, seed: 43 });
    expect(Array.from(again.crashFailover.samplesSeconds)).toEqual(Array.from(first.crashFailover.samplesSeconds));
    expect(other.crashFailover.meanSeconds).not.toBe(first.crashFailover.meanSeconds);
    expect(first).toMatchObject({ trials: 1000, seed: 42, standbys: 2 });
  });

  it('runs 20 000 trials with about 24 round histogram bars unless told otherwise', () => {
    const result = simulateLeaderElection(kubernetes);
    expect(result.trials).toBe(20_000);
    expect(result.crashFailover.samplesSeconds).toHaveLength(20_000);
    // Best 13 s, worst 23.8 s: 10.8 s / 24 = 0.45 s → bars of 0.5 s from 13 s, 22 of them (to 24 s).
    expect(result.crashFailover.histogram).toHaveLength(22);
    expect(result.crashFailover.histogram[1]?.from).toBe(13.5);
  });

  it('histogram: round bins cover best..worst and hold every sample', () => {
    const result = simulateLeaderElection({ ...kubernetes, trials: 5000, seed: 9, bins: 10 });
    const bins = result.crashFailover.histogram;
    // 10.8 s / 10 = 1.08 s → bars of 2 s from 12 s (a multiple of 2 below 13) to 24 s: six bars.
    expect(bins).toHaveLength(6);
    expect(bins[0]?.from).toBe(12);
    expect(bins[5]?.to).toBe(24);
    expect(bins.every((bin) => bin.to - bin.from === 2)).toBe(true);
    expect(bins.reduce((sum, bin) => sum + bin.count, 0)).toBe(5000);
    expect(bins.reduce((sum, bin) => sum + bin.fraction, 0)).toBeCloseTo(1, 12);
    expect(result.gracefulFailover).toBe(result.crashFailover);
  });

  it('a zero-second lease record: the crash failover is the first try after the crash', () => {
    const result = simulateLeaderElection({ ...config(0.9, 0.5, 0.4), standbys: 1, trials: 50_000, seed: 8 });
    expect(result.crashFailover.meanSeconds / (0.8375 * 0.4)).toBeCloseTo(1, 1);
    expect(result.crashFailover.maxSeconds).toBeLessThanOrEqual(2.2 * 0.4);
  });

  it('short leases (under 3·RP): the expectation is flagged as approximate and stays within 8% of the simulation', () => {
    const shortLease = config(3, 2.5, 2);
    const result = leaderElection({ ...shortLease, standbys: 2 });
    expect(result.notes.some((note) => note.code === 'expected-approximate')).toBe(true);
    expect(leaderElection({ ...kubernetes, standbys: 2 }).notes.some((note) => note.code === 'expected-approximate')).toBe(false);
    const simulated = simulateLeaderElection({ ...shortLease, standbys: 2, trials: 40_000, seed: 12 }).crashFailover;
    expect(result.crashFailover.expectedSeconds / simulated.meanSeconds - 1).toBeGreaterThan(0);
    expect(result.crashFailover.expectedSeconds / simulated.meanSeconds - 1).toBeLessThan(0.08);
  });

  it('rejects input it cannot simulate, naming the field', () => {
    expect(inputError(() => simulateLeaderElection({ ...kubernetes, retryPeriodSeconds: 0 })).issues[0]?.path).toBe('retryPeriodSeconds');
    expect(inputError(() => simulateLeaderElection({ ...kubernetes, trials: 0 })).issues[0]?.path).toBe('trials');
    expect(inputError(() => simulateLeaderElection({ ...kubernetes, seed: -1 })).issues[0]?.path).toBe('seed');
    const tooLong = inputError(() => simulateLeaderElection({ ...config(86_400, 80_000, 0.5), trials: 1_000_000 }));
    expect(tooLong.issues[0]?.path).toBe('trials');
    expect(tooLong.message).toMatch(/^simulateLeaderElection: trials must be at most \d+ for this configuration/);
  });
});
