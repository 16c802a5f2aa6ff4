import * as z from 'zod/mini';
import { CalcInputError, type Note } from './errors';
import { mulberry32 } from './_internal/random';
import { histogram, niceBins, summarize, type HistogramBin } from './_internal/stats';
import { numberBetween, parseInput, positiveNumber, wholeNumber } from './_internal/validate';
import { seconds as secondsText } from './_internal/text';
import { MEASURED_FAILOVER, measuredReleasedFailover } from './leader-election-lab';

/**
 * Kubernetes leader election as implemented by client-go (`k8s.io/client-go/tools/leaderelection`), which
 * kube-controller-manager, kube-scheduler and most operators use. Line numbers below refer to client-go
 * 32ce75a7d6bc and apimachinery eed236ceee2c (see /work/shared/reference/calc-facts.md §1).
 *
 * The loops, with API latency taken as zero (it is milliseconds against seconds here):
 * - the leader renews every RP without jitter (`renew`: wait.UntilWithContext + PollUntilContextTimeout);
 * - a standby tries every U[RP, (1 + J)·RP) (`acquire`: wait.JitterUntilWithContext(RP, J, sliding)), one GET per try;
 * - a standby judges the lease expired once `observedTime + LeaseDurationSeconds <= now` (`isLeaseValid`), where
 *   observedTime is its own clock at the first try that saw the record change, and LeaseDurationSeconds is
 *   the holder's lease truncated to whole seconds (`int(LeaseDuration / time.Second)`);
 * - with ReleaseOnCancel the old leader writes an empty holder, which the next try of any standby takes.
 */

/** `JitterFactor = 1.2`: client-go tools/leaderelection/leaderelection.go, a package constant, not configurable. */
export const JITTER_FACTOR = 1.2;

/** Largest duration the calculator accepts, in seconds (one day); client-go has no upper limit. */
export const MAX_LEADER_ELECTION_SECONDS = 86_400;

/** Largest number of standby candidates accepted. */
export const MAX_STANDBYS = 20;

/**
 * Standbys when the input names none: a kubeadm-style HA control plane runs three kube-controller-manager and
 * three kube-scheduler replicas, one leader and two standbys each.
 */
export const DEFAULT_STANDBYS = 2;

const NANOSECONDS_PER_SECOND = 1e9;

/** Kubernetes minors the handbook covers (1.29 to 1.34 are end of life). */
export const KUBERNETES_MINORS = ['1.35', '1.36', '1.37'] as const;
export type KubernetesMinor = (typeof KUBERNETES_MINORS)[number];

/** The minor assumed when the input names none: the newest. */
export const DEFAULT_KUBERNETES_MINOR: KubernetesMinor = '1.37';

/** The programs the calculator knows; `other` is any client-go program, described by `releaseOnCancel`. */
export const LEADER_ELECTION_COMPONENTS = ['kube-controller-manager', 'kube-scheduler', 'other'] as const;
export type LeaderElectionComponent = (typeof LEADER_ELECTION_COMPONENTS)[number];

/** KEP-5366's gate: kube-controller-manager sets ReleaseOnCancel from it. */
export const KCM_RELEASE_GATE = 'ControllerManagerReleaseLeaderElectionLockOnExit';

/** KEP-4355's gate: the apiserver picks the leader among LeaseCandidates. */
export const COORDINATED_LEADER_ELECTION_GATE = 'CoordinatedLeaderElection';

export interface FeatureGateStage {
  stage: 'alpha' | 'beta';
  enabledByDefault: boolean;
}

/**
 * The two gates per minor; `releaseOnExit` is null where the gate does not exist. Sources (module sources at the tags):
 * - KCM_RELEASE_GATE: k8s.io/controller-manager v0.37.2 and v0.36.6 pkg/features/kube_features.go, versioned spec
 *   `{Version: 1.36, Default: false, PreRelease: Alpha}` and nothing later; absent from v0.35.10. The
 *   kube-controller-manager 1.37.2 binary's --help lists it as `(ALPHA - default=false)`. KEP-5366 planned beta
 *   in 1.37 (kubernetes/enhancements#6142), but 1.37.2 ships it as alpha.
 * - COORDINATED_LEADER_ELECTION_GATE: k8s.io/kubernetes v1.37.2 pkg/features/kube_features.go, `{1.31, false,
 *   Alpha}, {1.33, false, Beta}`: beta and off by default in every covered minor.
 */
export const LEADER_ELECTION_GATES: Readonly<Record<KubernetesMinor, { releaseOnExit: FeatureGateStage | null; coordinated: FeatureGateStage }>> = {
  '1.35': { releaseOnExit: null, coordinated: { stage: 'beta', enabledByDefault: false } },
  '1.36': { releaseOnExit: { stage: 'alpha', enabledByDefault: false }, coordinated: { stage: 'beta', enabledByDefault: false } },
  '1.37': { releaseOnExit: { stage: 'alpha', enabledByDefault: false }, coordinated: { stage: 'beta', enabledByDefault: false } },
};

/**
 * The expected crash failover treats the delay from lease expiry to the next try as a random instant's
 * residual. That holds once the lease spans a few tries: at lease ≥ 3·RP it is within 1% of the simulation
 * (tests), at lease ≈ 1.3·RP it is about 7% high.
 */
const APPROXIMATION_MIN_LEASE_RETRY_PERIODS = 3;

/** A leader-election configuration as the flags `--leader-elect-lease-duration`, `-renew-deadline`, `-retry-period` set it. */
export interface LeaderElectionConfig {
  /** LeaseDuration in seconds: how long standbys wait, from their last observed renewal, before taking over. */
  leaseDurationSeconds: number;
  /** RenewDeadline in seconds: how long the leader keeps retrying a failed renewal before it steps down. */
  renewDeadlineSeconds: number;
  /** RetryPeriod in seconds: the leader's renew interval and the base of the standbys' jittered try interval. */
  retryPeriodSeconds: number;
}

export interface LeaderElectionPreset extends LeaderElectionConfig {
  id: 'kubernetes' | 'openshift' | 'single-node-openshift';
  label: string;
  source: string;
}

/** Configurations people actually run, for the calculator's preset buttons. */
export const LEADER_ELECTION_PRESETS: readonly LeaderElectionPreset[] = [
  {
    id: 'kubernetes',
    label: 'Kubernetes default',
    leaseDurationSeconds: 15,
    renewDeadlineSeconds: 10,
    retryPeriodSeconds: 2,
    source: 'k8s.io/component-base config/v1alpha1/defaults.go, RecommendedDefaultLeaderElectionConfiguration',
  },
  {
    id: 'openshift',
    label: 'OpenShift',
    leaseDurationSeconds: 137,
    renewDeadlineSeconds: 107,
    retryPeriodSeconds: 26,
    source: 'openshift/library-go pkg/config/leaderelection/leaderelection.go, LeaderElectionDefaulting',
  },
  {
    id: 'single-node-openshift',
    label: 'Single-node OpenShift',
    leaseDurationSeconds: 270,
    renewDeadlineSeconds: 240,
    retryPeriodSeconds: 60,
    source: 'openshift/library-go pkg/config/leaderelection/leaderelection.go, LeaderElectionSNOConfig',
  },
];

export interface LeaderElectionInput extends LeaderElectionConfig {
  /** Standby candidates (replicas minus the leader). Whole number 1..MAX_STANDBYS; default DEFAULT_STANDBYS. */
  standbys?: number;
  /**
   * The program. kube-scheduler always releases its lease on a clean exit (ReleaseOnCancel: true,
   * cmd/kube-scheduler/app/options/options.go at v1.37.2 l.381); kube-controller-manager releases it only with
   * KCM_RELEASE_GATE on (cmd/kube-controller-manager/app/controllermanager.go at v1.37.2 l.863); `other` takes
   * `releaseOnCancel`. Default `other`.
   */
  component?: LeaderElectionComponent;
  /** Minor release of kube-controller-manager or kube-scheduler; default DEFAULT_KUBERNETES_MINOR. Not for `other`. */
  kubernetesVersion?: KubernetesMinor;
  /** `--feature-gates=ControllerManagerReleaseLeaderElectionLockOnExit=…`, kube-controller-manager 1.36 and later only; default the release's default. */
  releaseLockOnExitGate?: boolean;
  /** Whether the leader releases the lease on a clean shutdown; only for component `other`. Default false. */
  releaseOnCancel?: boolean;
}

/** Failover time in seconds, measured from the moment the leader stops (crash) or releases (graceful stop). */
export interface FailoverSeconds {
  /** Infimum over all timings: no failover can be faster. */
  bestSeconds: number;
  /** Mean over uniformly random crash and try phases (derived; checked against simulateLeaderElection). */
  expectedSeconds: number;
  /** Supremum: every failover is shorter. */
  worstSeconds: number;
}

export interface LeaderElectionResult {
  /** false when client-go's NewLeaderElector would refuse the configuration (the component exits at start). */
  valid: boolean;
  /** client-go's error strings, in the order it checks them; client-go reports only the first. */
  errors: string[];
  standbys: number;
  component: LeaderElectionComponent;
  /** The minor the figures are for; null for `other`. */
  kubernetesVersion: KubernetesMinor | null;
  /** Whether a clean shutdown releases the lease, as the component, version and gate decide. */
  releaseOnCancel: boolean;
  /** The lease as standbys see it: the record stores whole seconds. */
  leaseRecordSeconds: number;
  crashFailover: FailoverSeconds;
  /** Clean stop: with releaseOnCancel the next standby try takes the released lease; without it, the same as a crash. */
  gracefulFailover: FailoverSeconds;
  /** How long a leader cut off from the apiserver may go on acting after its last successful renewal: RP + RD. */
  isolatedLeaderMaxSeconds: number;
  /** Lease as seen by standbys − RD − RP; below zero the old leader may still act when a new one starts. */
  safetyMarginSeconds: number;
  /** LD − RD: the clock skew library-go's comments say the configuration tolerates. */
  clockSkewToleranceSeconds: number;
  /** library-go's apiserver-downtime tolerance: (⌊RD/RP⌋ − 1)·RP, the retries left after a failed renewal. */
  apiserverOutageToleranceSeconds: number;
  /** Lease API requests per second from one leader and its standbys: 1/RP + standbys/(1.6·RP); null when RP is zero. */
  apiRequestsPerSecond: number | null;
  notes: Note[];
}

const durationField = () => numberBetween(0, MAX_LEADER_ELECTION_SECONDS);

const componentField = () =>
  z.optional(z.enum(LEADER_ELECTION_COMPONENTS, { error: `must be one of ${LEADER_ELECTION_COMPONENTS.join(', ')}` }));
const versionField = () => z.optional(z.enum(KUBERNETES_MINORS, { error: `must be one of ${KUBERNETES_MINORS.join(', ')}` }));

const leaderElectionSchema = z.object({
  leaseDurationSeconds: durationField(),
  renewDeadlineSeconds: durationField(),
  retryPeriodSeconds: durationField(),
  standbys: z.optional(wholeNumber(1, MAX_STANDBYS)),
  component: componentField(),
  kubernetesVersion: versionField(),
  releaseLockOnExitGate: z.optional(z.boolean({ error: 'must be true or false' })),
  releaseOnCancel: z.optional(z.boolean({ error: 'must be true or false' })),
});

interface ComponentChoice {
  component?: LeaderElectionComponent | undefined;
  kubernetesVersion?: KubernetesMinor | undefined;
  releaseLockOnExitGate?: boolean | undefined;
  releaseOnCancel?: boolean | undefined;
}

interface ResolvedComponent {
  component: LeaderElectionComponent;
  kubernetesVersion: KubernetesMinor | null;
  releaseOnCancel: boolean;
}

/**
 * Whether a clean exit releases the lease, from the component, its minor and the gate; throws CalcInputError
 * naming the field for a combination that does not exist (a gate on a release without it, a field that the
 * component decides).
 */
function resolveComponent(functionName: string, choice: ComponentChoice): ResolvedComponent {
  const component = choice.component ?? 'other';
  const issues: { path: string; message: string }[] = [];
  if (component === 'other') {
    if (choice.kubernetesVersion !== undefined) issues.push({ path: 'kubernetesVersion', message: 'applies to kube-controller-manager and kube-scheduler only' });
    if (choice.releaseLockOnExitGate !== undefined) issues.push({ path: 'releaseLockOnExitGate', message: 'applies to kube-controller-manager only' });
  } else if (choice.releaseOnCancel !== undefined) {
    issues.push({ path: 'releaseOnCancel', message: `is decided by ${component}: leave it out, or set component to other` });
  }
  const kubernetesVersion = component === 'other' ? null : (choice.kubernetesVersion ?? DEFAULT_KUBERNETES_MINOR);
  if (component === 'kube-scheduler' && choice.releaseLockOnExitGate !== undefined) {
    issues.push({ path: 'releaseLockOnExitGate', message: 'applies to kube-controller-manager only' });
  }
  const gate = kubernetesVersion === null ? null : LEADER_ELECTION_GATES[kubernetesVersion].releaseOnExit;
  if (component === 'kube-controller-manager' && gate === null && choice.releaseLockOnExitGate === true) {
    issues.push({ path: 'releaseLockOnExitGate', message: `does not exist in kube-controller-manager ${kubernetesVersion} (it was added as alpha in 1.36)` });
  }
  if (issues.length > 0) throw new CalcInputError(functionName, issues);
  let releaseOnCancel: boolean;
  if (component === 'kube-scheduler') releaseOnCancel = true;
  else if (component === 'kube-controller-manager') releaseOnCancel = choice.releaseLockOnExitGate ?? gate?.enabledByDefault ?? false;
  else releaseOnCancel = choice.releaseOnCancel ?? false;
  return { component, kubernetesVersion, releaseOnCancel };
}

/** Seconds to a Go time.Duration (whole nanoseconds), as a flag value like "2s" or "1.5s" parses. */
function toNanoseconds(seconds: number): number {
  return Math.round(seconds * NANOSECONDS_PER_SECOND);
}

/**
 * client-go's own checks in NewLeaderElector (leaderelection.go l.76-91), in its order, with its exact words.
 * Durations are compared in nanoseconds, and the jitter bound is truncated as `time.Duration(1.2*float64(RP))`
 * truncates. The callback and lock checks that follow in client-go do not depend on timing and are left out.
 */
export function clientGoValidationErrors(config: LeaderElectionConfig): string[] {
  const leaseNs = toNanoseconds(config.leaseDurationSeconds);
  const renewNs = toNanoseconds(config.renewDeadlineSeconds);
  const retryNs = toNanoseconds(config.retryPeriodSeconds);
  const errors: string[] = [];
  if (leaseNs <= renewNs) errors.push('leaseDuration must be greater than renewDeadline');
  if (renewNs <= Math.trunc(JITTER_FACTOR * retryNs)) errors.push('renewDeadline must be greater than retryPeriod*JitterFactor');
  if (leaseNs < 1) errors.push('leaseDuration must be greater than zero');
  if (renewNs < 1) errors.push('renewDeadline must be greater than zero');
  if (retryNs < 1) errors.push('retryPeriod must be greater than zero');
  return errors;
}

/** The try interval of a standby is RP·(1 + JITTER_FACTOR·u), u uniform in [0, 1): apimachinery wait.Jitter. */
const TRY_INTERVAL_MIN = 1;
const TRY_INTERVAL_MAX = 1 + JITTER_FACTOR;
const TRY_INTERVAL_MEAN = (TRY_INTERVAL_MIN + TRY_INTERVAL_MAX) / 2;

/**
 * Survival function of the residual time to a standby's next try, seen from a random instant (the renewal-theory
 * "equilibrium" residual of the U[1, 2.2) try interval), in units of RP:
 * P(R > x) = 1 − x/1.6 on [0, 1], (2.2 − x)²/(2·1.2·1.6) on [1, 2.2], 0 beyond.
 */
function residualSurvival(x: number): number {
  if (x <= 0) return 1;
  if (x <= TRY_INTERVAL_MIN) return 1 - x / TRY_INTERVAL_MEAN;
  if (x >= TRY_INTERVAL_MAX) return 0;
  const left = TRY_INTERVAL_MAX - x;
  return (left * left) / (2 * (TRY_INTERVAL_MAX - TRY_INTERVAL_MIN) * TRY_INTERVAL_MEAN);
}

/** Density of the same residual: 1/1.6 on [0, 1), (2.2 − x)/(1.2·1.6) on [1, 2.2). */
function residualDensity(x: number): number {
  if (x < 0 || x >= TRY_INTERVAL_MAX) return 0;
  if (x < TRY_INTERVAL_MIN) return 1 / TRY_INTERVAL_MEAN;
  return (TRY_INTERVAL_MAX - x) / ((TRY_INTERVAL_MAX - TRY_INTERVAL_MIN) * TRY_INTERVAL_MEAN);
}

/**
 * E[min of k independent residuals] in units of RP, exactly: ∫ P(R > x)^k dx
 * = 1.6/(k+1)·(1 − 0.375^(k+1)) + 1.2^(2k+1) / ((2k+1)·3.84^k). k = 1 gives 0.8375.
 */
export function meanFirstTryAfterRelease(standbys: number): number {
  const atOne = residualSurvival(TRY_INTERVAL_MIN);
  const spread = TRY_INTERVAL_MAX - TRY_INTERVAL_MIN;
  const scale = 2 * spread * TRY_INTERVAL_MEAN;
  const linearPart = (TRY_INTERVAL_MEAN / (standbys + 1)) * (1 - atOne ** (standbys + 1));
  const quadraticPart = spread ** (2 * standbys + 1) / ((2 * standbys + 1) * scale ** standbys);
  return linearPart + quadraticPart;
}

const SUM_GRID_STEPS = 110;
let sumSurvivalGrid: Float64Array | undefined;

/**
 * P(R1 + R2 > x) on a grid over [0, 4.4] (units of RP), where R1, R2 are independent residuals: the delay from
 * the last renewal to the standby's next try (R1), plus the delay from lease expiry to its next try (R2).
 * Computed once by trapezoid integration of density(y)·survival(x − y).
 */
function sumSurvival(): Float64Array {
  if (sumSurvivalGrid) return sumSurvivalGrid;
  const grid = new Float64Array(SUM_GRID_STEPS + 1);
  const upper = 2 * TRY_INTERVAL_MAX;
  const innerSteps = SUM_GRID_STEPS / 2;
  const innerStep = TRY_INTERVAL_MAX / innerSteps;
  for (let index = 0; index <= SUM_GRID_STEPS; index += 1) {
    const x = (upper * index) / SUM_GRID_STEPS;
    let integral = 0;
    for (let inner = 0; inner <= innerSteps; inner += 1) {
      const y = inner * innerStep;
      const weight = inner === 0 || inner === innerSteps ? 0.5 : 1;
      integral += weight * residualDensity(y) * residualSurvival(x - y);
    }
    grid[index] = Math.min(1, integral * innerStep);
  }
  sumSurvivalGrid = grid;
  return grid;
}

/**
 * E[min over k standbys of (R1 + R2)] in units of RP, by integrating P(R1 + R2 > x)^k. For k = 1 this is
 * 2 × 0.8375 = 1.675 (this 110-step integration reproduces it to 1e-4; cheap enough for a cold first call).
 */
export function meanFirstTryAfterExpiry(standbys: number): number {
  const grid = sumSurvival();
  const step = (2 * TRY_INTERVAL_MAX) / SUM_GRID_STEPS;
  let integral = 0;
  for (let index = 0; index <= SUM_GRID_STEPS; index += 1) {
    const weight = index === 0 || index === SUM_GRID_STEPS ? 0.5 : 1;
    integral += weight * (grid[index] as number) ** standbys;
  }
  return integral * step;
}

/** Whole seconds of lease the standbys see: the record stores `int(LeaseDuration / time.Second)` (leaderelection.go l.449). */
function leaseRecordSecondsOf(leaseDurationSeconds: number): number {
  return Math.trunc(toNanoseconds(leaseDurationSeconds) / NANOSECONDS_PER_SECOND);
}

/**
 * Crash failover, derived (calc-facts.md §1.7). With lease = the record's whole seconds, RP the retry period,
 * J = 1.2 and k standbys; the crash falls uniformly between two renewals:
 * - best = max(0, lease − RP): the crash comes just before a renewal that never happens, and a standby saw the
 *   previous renewal at once and tries exactly at expiry;
 * - worst = lease + 2·(1 + J)·RP: a standby sees the last renewal up to 2.2·RP late, counts the lease from
 *   then, and its first try after expiry comes up to 2.2·RP later;
 * - expected = lease − RP/2 + RP·E[min_k(R1 + R2)]; for one standby lease + (2·0.8375 − 0.5)·RP = lease + 1.175·RP.
 * A lease of 0 s (LeaseDuration under 1 s) never protects the holder: the first try after the crash wins.
 */
function crashFailover(leaseRecordSeconds: number, retryPeriodSeconds: number, standbys: number): FailoverSeconds {
  const released = releasedFailover(retryPeriodSeconds, standbys);
  if (leaseRecordSeconds === 0) return released;
  const residualModel = leaseRecordSeconds - retryPeriodSeconds / 2 + retryPeriodSeconds * meanFirstTryAfterExpiry(standbys);
  return {
    bestSeconds: Math.max(0, leaseRecordSeconds - retryPeriodSeconds),
    // Takeover needs a try after the crash, so a crash is never faster than a release; this bound only binds
    // when the lease is shorter than the retry period, where the residual model is off.
    expectedSeconds: Math.max(residualModel, released.expectedSeconds),
    worstSeconds: leaseRecordSeconds + 2 * TRY_INTERVAL_MAX * retryPeriodSeconds,
  };
}

/** Failover after the lease is released: the first try of any standby, 0 to 2.2·RP, mean RP·E[min_k R] (0.8375·RP for one). */
function releasedFailover(retryPeriodSeconds: number, standbys: number): FailoverSeconds {
  return {
    bestSeconds: 0,
    expectedSeconds: retryPeriodSeconds * meanFirstTryAfterRelease(standbys),
    worstSeconds: TRY_INTERVAL_MAX * retryPeriodSeconds,
  };
}

/**
 * Failover times, overlap risk and API load of a client-go leader-election configuration.
 *
 * - `valid`/`errors`: client-go's NewLeaderElector checks (strictly LD > RD > 1.2·RP, each > 0), its words.
 *   A refused configuration is not an input error: the figures are still computed so the page can show them.
 * - `component`, `kubernetesVersion`, `releaseOnCancel`: whether a clean exit releases the lease (see
 *   LeaderElectionInput.component and LEADER_ELECTION_GATES).
 * - `crashFailover`: see the derivation above; `gracefulFailover` equals it unless the lease is released.
 * - `isolatedLeaderMaxSeconds` = RP + RD: the renew poll after the last success starts RP later and gives up RD
 *   after that (leaderelection.go `renew`), so the leader may act that long without a valid lease.
 * - `safetyMarginSeconds` = lease − RD − RP (derived): the earliest takeover is a lease after the last renewal.
 * - `apiRequestsPerSecond` = 1/RP (leader: one UPDATE per renewal) + standbys/(1.6·RP) (one GET per try; the
 *   mean try interval is (1 + 2.2)/2·RP).
 *
 * Notes (stable codes): `client-go-refuses` (critical), `leader-overlap` (critical, negative margin),
 * `lease-under-one-second` (critical), `lease-truncated` (warning), `expected-approximate` (info, lease < 3·RP),
 * `graceful-is-crash` or `lease-released` (info, one of them always), `coordinated-leader-election` (info, for
 * kube-controller-manager and kube-scheduler), `apiserver-outage` (info).
 *
 * @throws CalcInputError naming the field for a non-number, a negative or over-long duration, bad standbys, or a
 *   component choice that does not exist (the release gate on 1.35 or on kube-scheduler, releaseOnCancel with a
 *   named component).
 * @example leaderElection({ leaseDurationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: 2, standbys: 1 })
 *   // crashFailover ≈ { bestSeconds: 13, expectedSeconds: 17.35, worstSeconds: 23.8 }, safetyMarginSeconds: 3
 */
export function leaderElection(input: LeaderElectionInput): LeaderElectionResult {
  const parsed = parseInput('leaderElection', leaderElectionSchema, input);
  const { leaseDurationSeconds, renewDeadlineSeconds, retryPeriodSeconds } = parsed;
  const standbys = parsed.standbys ?? DEFAULT_STANDBYS;
  const { component, kubernetesVersion, releaseOnCancel } = resolveComponent('leaderElection', parsed);
  const errors = clientGoValidationErrors(parsed);
  const leaseRecordSeconds = leaseRecordSecondsOf(leaseDurationSeconds);
  const crash = crashFailover(leaseRecordSeconds, retryPeriodSeconds, standbys);
  const graceful = releaseOnCancel ? releasedFailover(retryPeriodSeconds, standbys) : crash;
  const safetyMarginSeconds = leaseRecordSeconds - renewDeadlineSeconds - retryPeriodSeconds;
  const retryNs = toNanoseconds(retryPeriodSeconds);
  const renewRetries = retryNs >= 1 ? Math.floor(toNanoseconds(renewDeadlineSeconds) / retryNs) : 0;

  const notes: Note[] = [];
  const [firstError] = errors;
  if (firstError !== undefined) {
    notes.push({
      severity: 'critical',
      code: 'client-go-refuses',
      message: `kube-controller-manager and kube-scheduler would refuse this configuration and exit: "${firstError}". The figures show what the loops would do if it ran.`,
    });
  }
  if (safetyMarginSeconds < 0) {
    notes.push({
      severity: 'critical',
      code: 'leader-overlap',
      message: `An isolated leader may keep acting for up to ${formatSeconds(renewDeadlineSeconds + retryPeriodSeconds)} (renew deadline + retry period), but a standby can take over ${formatSeconds(leaseRecordSeconds)} after the last renewal: two leaders may act together for up to ${formatSeconds(-safetyMarginSeconds)}. Leader election has no fencing. Keep lease duration > renew deadline + retry period.`,
    });
  }
  if (leaseRecordSeconds === 0) {
    notes.push({
      severity: 'critical',
      code: 'lease-under-one-second',
      message: 'The Lease object stores whole seconds, so a lease under 1 s is recorded as 0 s and any standby takes it over on its next try, even from a healthy leader.',
    });
  } else if (leaseRecordSeconds !== leaseDurationSeconds) {
    notes.push({
      severity: 'warning',
      code: 'lease-truncated',
      message: `The Lease object stores whole seconds: standbys count ${leaseRecordSeconds} s, not ${leaseDurationSeconds} s.`,
    });
  }
  if (leaseRecordSeconds > 0 && leaseRecordSeconds < APPROXIMATION_MIN_LEASE_RETRY_PERIODS * retryPeriodSeconds) {
    notes.push({
      severity: 'info',
      code: 'expected-approximate',
      message: `The lease is under ${APPROXIMATION_MIN_LEASE_RETRY_PERIODS} retry periods, so the expected crash failover is approximate (up to about 7% high); best and worst still hold, and the simulation gives the exact spread.`,
    });
  }
  notes.push(releaseNote({ component, kubernetesVersion, releaseOnCancel }, graceful));
  if (kubernetesVersion !== null) {
    const coordinated = LEADER_ELECTION_GATES[kubernetesVersion].coordinated;
    notes.push({
      severity: 'info',
      code: 'coordinated-leader-election',
      message: `Coordinated leader election (KEP-4355, feature gate ${COORDINATED_LEADER_ELECTION_GATE}) is ${coordinated.stage} and off by default in ${kubernetesVersion}; these figures assume it is off. With it on in kube-apiserver and ${component}, the apiserver picks the new leader from the LeaseCandidate objects (oldest emulation version first) instead of the first standby to try, which keeps version skew safe during upgrades.`,
    });
  }
  notes.push({
    severity: 'info',
    code: 'apiserver-outage',
    message: `The leader gives up after failing to renew for about ${formatSeconds(renewDeadlineSeconds)} (renew deadline) and the process exits: an apiserver or etcd outage longer than that restarts the component.`,
  });

  return {
    valid: errors.length === 0,
    errors,
    standbys,
    component,
    kubernetesVersion,
    releaseOnCancel,
    leaseRecordSeconds,
    crashFailover: crash,
    gracefulFailover: graceful,
    isolatedLeaderMaxSeconds: retryPeriodSeconds + renewDeadlineSeconds,
    safetyMarginSeconds,
    clockSkewToleranceSeconds: leaseDurationSeconds - renewDeadlineSeconds,
    apiserverOutageToleranceSeconds: Math.max(0, renewRetries - 1) * retryPeriodSeconds,
    apiRequestsPerSecond: retryNs >= 1 ? 1 / retryPeriodSeconds + standbys / (TRY_INTERVAL_MEAN * retryPeriodSeconds) : null,
    notes,
  };
}

/** The release gate's stage in a minor that has it (every minor where the gate can be on or is named). */
function gateStage(kubernetesVersion: KubernetesMinor | null): FeatureGateStage['stage'] {
  return (LEADER_ELECTION_GATES[kubernetesVersion as KubernetesMinor].releaseOnExit as FeatureGateStage).stage;
}

/** Who releases (or keeps) the lease on a clean exit, and what that means for the failover. */
function releaseNote(resolved: ResolvedComponent, graceful: FailoverSeconds): Note {
  const { component, kubernetesVersion, releaseOnCancel } = resolved;
  if (releaseOnCancel) {
    const who =
      component === 'kube-scheduler'
        ? `kube-scheduler ${kubernetesVersion} releases its lease when it stops cleanly (it always sets ReleaseOnCancel)`
        : component === 'kube-controller-manager'
          ? `kube-controller-manager ${kubernetesVersion} releases its lease when it stops cleanly, because ${KCM_RELEASE_GATE} is on (${gateStage(kubernetesVersion)}, off by default); it releases as soon as the signal arrives, while its controllers may still be stopping`
          : 'With ReleaseOnCancel the leader releases its lease when it stops cleanly';
    const lab = component === 'other' ? undefined : measuredReleasedFailover(component);
    const evidence =
      lab === undefined
        ? "This is modelled from client-go's release (the next try of any standby, over its jittered retry wait)."
        : `Measured in the handbook's lab on ${MEASURED_FAILOVER.date} (${component} ${MEASURED_FAILOVER.kubernetes}, etcd ${MEASURED_FAILOVER.etcd}, lease ${formatSeconds(lab.leaseDurationSeconds)}, renew deadline ${formatSeconds(lab.renewDeadlineSeconds)}, retry period ${formatSeconds(lab.retryPeriodSeconds)}, ${lab.standbys} standbys): ${lab.trials} clean stops handed over in ${formatSeconds(lab.minSeconds)} to ${formatSeconds(lab.maxSeconds)}, ${formatSeconds(lab.meanSeconds)} on average, where the model gives ${formatSeconds(releasedFailover(lab.retryPeriodSeconds, lab.standbys).expectedSeconds)} for that retry period.`;
    return {
      severity: 'info',
      code: 'lease-released',
      message: `${who}: a standby takes the lease on its next try, after about ${formatSeconds(graceful.expectedSeconds)} and at most ${formatSeconds(graceful.worstSeconds)}. ${evidence} A crash, SIGKILL or OOM kill still waits for the lease to run out.`,
    };
  }
  const message =
    component === 'kube-controller-manager'
      ? kubernetesVersion === '1.35'
        ? 'kube-controller-manager 1.35 keeps its lease on a clean shutdown (it does not set ReleaseOnCancel), so standbys wait as long as after a crash. From 1.36 the feature gate ' + KCM_RELEASE_GATE + ' (alpha, off by default) makes it release the lease.'
        : `kube-controller-manager ${kubernetesVersion} keeps its lease on a clean shutdown unless started with --feature-gates=${KCM_RELEASE_GATE}=true (${gateStage(kubernetesVersion)} in ${kubernetesVersion}, off by default), so standbys wait as long as after a crash.`
      : 'Without ReleaseOnCancel a clean shutdown leaves the lease in place, so standbys wait as long as after a crash.';
  return { severity: 'info', code: 'graceful-is-crash', message };
}

function formatSeconds(seconds: number): string {
  return `${Number(seconds.toFixed(2))} s`;
}

// ---------------------------------------------------------------------------------------------------------------
// Monte Carlo simulation of the loops, used to verify the closed forms above and to draw the failover histogram.

/** Largest number of simulated trials accepted. */
export const MAX_SIMULATION_TRIALS = 1_000_000;

/**
 * Cap on simulated standby tries per call (trials × standbys × tries per trial, over-counted), so a page never
 * freezes: about a fifth of a second of work. The 100k-trial default-configuration run is 4 million.
 */
const MAX_SIMULATED_TRIES = 20_000_000;

/**
 * Each standby started at a random time 4 to 8 retry periods before the last renewal. Its try phase at the
 * stop is then that of a long-running process: the simulated mean residual matches renewal theory's
 * 0.8375·RP within the Monte Carlo noise (see tests), and the warm-up costs only about four tries.
 */
const WARM_UP_MIN_RETRY_PERIODS = 4;
const WARM_UP_SPREAD_RETRY_PERIODS = 4;

export interface SimulateLeaderElectionInput extends LeaderElectionInput {
  /** Simulated failovers. Whole number 1..MAX_SIMULATION_TRIALS; default 20 000. */
  trials?: number;
  /** Seed of the pseudo-random generator; the same seed gives the same samples. Default 1. */
  seed?: number;
  /** About this many histogram bars between the best and worst case, each 1, 2 or 5 × 10ⁿ s wide from a round start. Default 24. */
  bins?: number;
}

export interface FailoverDistribution {
  meanSeconds: number;
  p50Seconds: number;
  p90Seconds: number;
  p99Seconds: number;
  minSeconds: number;
  maxSeconds: number;
  /** Equal-width bars from bestSeconds to worstSeconds of the closed form. */
  histogram: HistogramBin[];
  /** Every simulated failover, in trial order. */
  samplesSeconds: Float64Array;
}

export interface LeaderElectionSimulation {
  trials: number;
  seed: number;
  standbys: number;
  crashFailover: FailoverDistribution;
  /** The released-lease case when releaseOnCancel, otherwise the crash samples. */
  gracefulFailover: FailoverDistribution;
}

const simulationSchema = z.object({
  leaseDurationSeconds: positiveNumber(MAX_LEADER_ELECTION_SECONDS),
  renewDeadlineSeconds: positiveNumber(MAX_LEADER_ELECTION_SECONDS),
  retryPeriodSeconds: positiveNumber(MAX_LEADER_ELECTION_SECONDS),
  standbys: z.optional(wholeNumber(1, MAX_STANDBYS)),
  component: componentField(),
  kubernetesVersion: versionField(),
  releaseLockOnExitGate: z.optional(z.boolean({ error: 'must be true or false' })),
  releaseOnCancel: z.optional(z.boolean({ error: 'must be true or false' })),
  trials: z.optional(wholeNumber(1, MAX_SIMULATION_TRIALS)),
  seed: z.optional(wholeNumber(0, 4_294_967_295)),
  bins: z.optional(wholeNumber(1, 200)),
});

/**
 * Monte Carlo simulation of client-go's loops (see the module comment), one trial per leader stop:
 * the leader's last renewal is at t = 0 and it stops at U[0, RP); each standby, started 10–20 RP earlier,
 * tries at jittered intervals RP·(1 + 1.2·u). Its first try after t = 0 sees the record change and sets
 * observedTime; the first try at or after observedTime + lease (and after the stop) takes over. After a
 * release, the first try of any standby after the stop takes over. The failover is the earliest standby's
 * take-over time minus the stop time.
 *
 * @throws CalcInputError naming the field for invalid input, or `trials` when the run would be too long.
 * @example simulateLeaderElection({ leaseDurationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: 2, standbys: 1, seed: 7 })
 */
export function simulateLeaderElection(input: SimulateLeaderElectionInput): LeaderElectionSimulation {
  const parsed = parseInput('simulateLeaderElection', simulationSchema, input);
  const standbys = parsed.standbys ?? DEFAULT_STANDBYS;
  const trials = parsed.trials ?? 20_000;
  const seed = parsed.seed ?? 1;
  const binCount = parsed.bins ?? 24;
  const { releaseOnCancel } = resolveComponent('simulateLeaderElection', parsed);
  const retry = parsed.retryPeriodSeconds;
  const lease = leaseRecordSecondsOf(parsed.leaseDurationSeconds);

  const triesPerTrial = standbys * (WARM_UP_MIN_RETRY_PERIODS + WARM_UP_SPREAD_RETRY_PERIODS + lease / retry + 2 * TRY_INTERVAL_MAX);
  const maxTrials = Math.max(1, Math.floor(MAX_SIMULATED_TRIES / triesPerTrial));
  if (trials > maxTrials) {
    throw new CalcInputError('simulateLeaderElection', [
      { path: 'trials', message: `must be at most ${maxTrials} for this configuration (the simulation would take too long)` },
    ]);
  }

  const random = mulberry32(seed);
  const crashSamples = new Float64Array(trials);
  const releaseSamples = new Float64Array(trials);
  const jitterSpan = JITTER_FACTOR * retry;
  // The loops are inlined (no closures or tuples per standby): this runs up to millions of times per call.
  for (let trial = 0; trial < trials; trial += 1) {
    const stopAt = random() * retry;
    let earliestTakeover = Number.POSITIVE_INFINITY;
    let earliestTryAfterStop = Number.POSITIVE_INFINITY;
    for (let standby = 0; standby < standbys; standby += 1) {
      let tryAt = -retry * (WARM_UP_MIN_RETRY_PERIODS + WARM_UP_SPREAD_RETRY_PERIODS * random());
      while (tryAt <= 0) tryAt += retry + jitterSpan * random();
      // First try after the last renewal: the record changed, so observedTime = tryAt.
      const expiresAt = tryAt + lease;
      let firstTryAfterStop = Number.POSITIVE_INFINITY;
      while (tryAt < expiresAt || tryAt < stopAt) {
        if (tryAt >= stopAt && firstTryAfterStop === Number.POSITIVE_INFINITY) firstTryAfterStop = tryAt;
        tryAt += retry + jitterSpan * random();
      }
      if (firstTryAfterStop === Number.POSITIVE_INFINITY) firstTryAfterStop = tryAt;
      if (tryAt < earliestTakeover) earliestTakeover = tryAt;
      if (firstTryAfterStop < earliestTryAfterStop) earliestTryAfterStop = firstTryAfterStop;
    }
    crashSamples[trial] = earliestTakeover - stopAt;
    releaseSamples[trial] = earliestTryAfterStop - stopAt;
  }

  const closedForm = crashFailover(lease, retry, standbys);
  const crash = distributionOf(crashSamples, closedForm, binCount);
  const graceful = releaseOnCancel ? distributionOf(releaseSamples, releasedFailover(retry, standbys), binCount) : crash;
  return { trials, seed, standbys, crashFailover: crash, gracefulFailover: graceful };
}

/** Bins of 1, 2 or 5 × 10ⁿ seconds from a round start, about `binCount` of them, over the best-to-worst range. */
function niceHistogram(samples: Float64Array, bounds: FailoverSeconds, binCount: number): HistogramBin[] {
  const bins = niceBins(bounds.bestSeconds, bounds.worstSeconds, binCount);
  return histogram(samples, bins.from, bins.to, bins.count);
}

/**
 * Half-width of the 95 % confidence interval of a simulated share, in percentage points: 1.96·√(f(1−f)/n).
 * The chart states the largest over its bars, so wobble between bars is not read as a trend.
 */
export function shareNoisePercent(fraction: number, trials: number): number {
  return 196 * Math.sqrt((fraction * (1 - fraction)) / Math.max(1, trials));
}

function distributionOf(samples: Float64Array, bounds: FailoverSeconds, binCount: number): FailoverDistribution {
  const summary = summarize(samples);
  return {
    meanSeconds: summary.meanValue,
    p50Seconds: summary.p50,
    p90Seconds: summary.p90,
    p99Seconds: summary.p99,
    minSeconds: summary.min,
    maxSeconds: summary.max,
    histogram: niceHistogram(samples, bounds, binCount),
    samplesSeconds: samples,
  };
}

/**
 * The answer in one sentence. A refused configuration leads with the refusal (client-go's own words); otherwise
 * the expected and worst crash failover, the clean-shutdown handover (naming the component, version and gate
 * that decide it), and a warning when two leaders may overlap.
 *
 * @example leaderElectionSentence(leaderElection({ leaseDurationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: 2, component: 'kube-controller-manager' }))
 *   // 'If the leader crashes, a standby takes over after about 17 s (at worst 24 s); a clean shutdown takes as long, because kube-controller-manager 1.37 keeps the lease (ControllerManagerReleaseLeaderElectionLockOnExit is off).'
 */
export function leaderElectionSentence(result: LeaderElectionResult): string {
  const [firstError] = result.errors;
  if (firstError !== undefined) {
    return `kube-controller-manager and kube-scheduler would refuse this configuration and exit at start: "${firstError}".`;
  }
  const crash = `If the leader crashes, a standby takes over after about ${secondsText(result.crashFailover.expectedSeconds)} (at worst ${secondsText(result.crashFailover.worstSeconds)})`;
  const overlap =
    result.safetyMarginSeconds < 0 ? ` Two leaders may act at once for up to ${secondsText(-result.safetyMarginSeconds)}.` : '';
  return `${crash}; ${cleanShutdownClause(result)}.${overlap}`;
}

function cleanShutdownClause(result: LeaderElectionResult): string {
  const { component, kubernetesVersion } = result;
  if (result.releaseOnCancel) {
    const because =
      component === 'kube-scheduler'
        ? `kube-scheduler ${kubernetesVersion} releases the lease`
        : component === 'kube-controller-manager'
          ? `kube-controller-manager ${kubernetesVersion} releases the lease with ${KCM_RELEASE_GATE} on`
          : 'the lease is released';
    return `a clean shutdown hands over after about ${secondsText(result.gracefulFailover.expectedSeconds)}, because ${because}`;
  }
  if (component === 'kube-controller-manager') {
    const gate = LEADER_ELECTION_GATES[kubernetesVersion as KubernetesMinor].releaseOnExit === null ? '' : ` (${KCM_RELEASE_GATE} is off)`;
    return `a clean shutdown takes as long, because kube-controller-manager ${kubernetesVersion} keeps the lease${gate}`;
  }
  return 'a clean shutdown takes as long, because the lease is not released (ReleaseOnCancel is off)';
}
