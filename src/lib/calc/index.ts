/**
 * Public API of the calculation library. Components import from here only.
 * An explicit list, grouped by topic, so the browser bundle keeps only what a page uses.
 */

// Errors and advice shared by every calculation
export { CalcInputError, type CalcIssue, type Note } from './errors';

// Quorum and failure tolerance (etcd FAQ)
export {
  quorum,
  majorityOf,
  MAX_MEMBERS,
  MAX_LEARNERS,
  type QuorumInput,
  type QuorumResult,
} from './quorum';

// Losing whole failure zones (derived from the quorum rule)
export { zoneLoss, MAX_ZONES, type ZoneLossInput, type ZoneLossResult } from './zone-loss';

// Availability of a quorum of independent members (Howard 2015, Brooker 2021)
export {
  availability,
  availabilityBySize,
  MINUTES_PER_YEAR,
  MAX_NINES,
  MAX_MTBF_HOURS,
  MAX_MTTR_HOURS,
  type AvailabilityInput,
  type MemberAvailabilityInput,
  type MtbfInput,
  type AvailabilityResult,
  type AvailabilityBySizeInput,
  type AvailabilityBySizePoint,
} from './availability';

// Cluster layout verdicts (seed 000 sizing guide, kubeadm ha-topology)
export {
  topology,
  VERDICTS,
  MAX_CONTROL_PLANE_NODES,
  MAX_WORKERS,
  type TopologyInput,
  type TopologyResult,
  type Verdict,
  type EtcdLayout,
  type LoadBalancerKind,
  type WorkerReplacement,
} from './topology';

// Leader election of kube-controller-manager and kube-scheduler (client-go tools/leaderelection)
export {
  leaderElection,
  simulateLeaderElection,
  clientGoValidationErrors,
  LEADER_ELECTION_PRESETS,
  JITTER_FACTOR,
  DEFAULT_STANDBYS,
  MAX_STANDBYS,
  MAX_LEADER_ELECTION_SECONDS,
  MAX_SIMULATION_TRIALS,
  KUBERNETES_MINORS,
  DEFAULT_KUBERNETES_MINOR,
  LEADER_ELECTION_COMPONENTS,
  LEADER_ELECTION_GATES,
  KCM_RELEASE_GATE,
  COORDINATED_LEADER_ELECTION_GATE,
  type KubernetesMinor,
  type LeaderElectionComponent,
  type FeatureGateStage,
  type LeaderElectionConfig,
  type LeaderElectionInput,
  type LeaderElectionPreset,
  type LeaderElectionResult,
  type FailoverSeconds,
  type SimulateLeaderElectionInput,
  type LeaderElectionSimulation,
  type FailoverDistribution,
} from './leader-election';
export type { HistogramBin } from './_internal/stats';

// etcd heartbeat and election timeout (etcd embed/config.go, raft.go, tuning guide)
export {
  etcdTiming,
  etcdValidationErrors,
  recommendFlags,
  ETCD_TIMING_PRESETS,
  MAX_ELECTION_TIMEOUT_MS,
  MAX_TIMING_MS,
  ETCD_PRE_VOTE_DEFAULT,
  type LeaderFailoverMs,
  type EtcdTimingInput,
  type EtcdTimingResult,
  type EtcdTimingPreset,
} from './etcd-timing';

// etcd write latency: commit rule, Monte Carlo percentiles, presets (etcd raft.go, performance.md, FAQ)
export {
  writeLatency,
  writeLatencyDistribution,
  writeLatencyBySize,
  WRITE_LATENCY_PRESETS,
  CHART_CLUSTER_SIZES,
  FSYNC_P99_TARGET_MS,
  MAX_LATENCY_SAMPLES,
  type WriteLatencyInput,
  type WriteLatencyResult,
  type LatencyDistribution,
  type LatencyPercentiles,
  type WriteLatencyDistributionInput,
  type WriteLatencyDistributionResult,
  type WriteLatencyBySizeInput,
  type WriteLatencyBySizePoint,
  type WriteLatencyPreset,
} from './write-latency';

// One-sentence answers, links from notes to the runbooks that act on them, and the two incident tools
export { quorumSentence } from './quorum';
export { availabilitySentence, readMemberAvailability, roundedPercent, MODEL_LIMIT_NINES, type MemberAvailabilityReading } from './availability';
export { writeLatencySummary, SLOW_REQUEST_P99_MS, type WriteLatencySummary, type WriteLatencyVerdict } from './write-latency';
export { leaderElectionSentence } from './leader-election';
export { etcdTimingSentence, etcdFlagSnippets, type FlagSnippet } from './etcd-timing';
export { topologySentence } from './topology';
export { noteAction, NOTE_ACTIONS, type NoteAction } from './actions';
export {
  recoveryMember,
  recoveryMemberSentence,
  recoveryMemberRows,
  shellQuote,
  MAX_PASTE_CHARS,
  type PastedMember,
  type RecoveryMemberResult,
} from './recovery-member';
export {
  nospaceForecast,
  nospaceSentence,
  readBytes,
  utcDate,
  DEFAULT_QUOTA_BYTES,
  SUGGESTED_MAX_QUOTA_BYTES,
  NOSPACE_THRESHOLDS,
  type NospaceInput,
  type NospaceResult,
  type NospaceThreshold,
  type ByteReading,
} from './nospace';
