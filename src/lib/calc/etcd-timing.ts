import * as z from 'zod/mini';
import type { Note } from './errors';
import { parseInput, positiveNumber, wholeNumber } from './_internal/validate';
import { milliseconds as msText, twoFigures } from './_internal/text';

/**
 * etcd's heartbeat interval and election timeout: etcd's own validation, the tuning guide's advice and a
 * leader-failover estimate. Sources (calc-facts.md §2): etcd server/embed/config.go (`Config.Validate`,
 * `ElectionTicks`), etcd-io/raft raft.go (`resetRandomizedElectionTimeout`, pre-vote, CheckQuorum) and the
 * tuning guide (website content/en/docs/v3.6/tuning.md). The error strings were also checked against the
 * etcd 3.4.23 binary.
 */

/** `maxElectionMs = 50000`: etcd server/embed/config.go; a longer --election-timeout is refused. */
export const MAX_ELECTION_TIMEOUT_MS = 50_000;

/** etcd refuses an election timeout shorter than 5 heartbeats (`5*TickMs > ElectionMs`, embed/config.go). */
export const MIN_ELECTION_TO_HEARTBEAT_RATIO = 5;

/** raft.go's advice: ElectionTick = 10 × HeartbeatTick; also etcd's defaults (100 ms / 1000 ms). */
export const SUGGESTED_ELECTION_TO_HEARTBEAT_RATIO = 10;

/** Tuning guide: the election timeout should be at least 10 × the round-trip time between members. */
export const MIN_ELECTION_TO_RTT_RATIO = 10;

/** `TickMs: 100` and `ElectionMs: 1000`: etcd's defaults (embed/config.go NewConfig, help.go). */
export const ETCD_DEFAULT_HEARTBEAT_MS = 100;
export const ETCD_DEFAULT_ELECTION_TIMEOUT_MS = 1000;

/** Largest flag value the calculator accepts, in ms (one hour); etcd's flags are unsigned integers. */
export const MAX_TIMING_MS = 3_600_000;

/** Vote, then the new leader's first (empty) entry: two round trips after the timeout fires; pre-vote adds one. */
const ELECTION_ROUND_TRIPS = 2;

/**
 * `--pre-vote` when the flag is not given, per etcd minor: `PreVote: true` in NewConfig (server/embed/config.go) at
 * v3.5.35, v3.6.16 and v3.7.3, and `--pre-vote 'true'` in the help of those binaries; the etcd 3.4.23 binary
 * prints `--pre-vote 'false'` (3.4 is end of life).
 */
export const ETCD_PRE_VOTE_DEFAULT: Readonly<Record<'3.4' | '3.5' | '3.6' | '3.7', boolean>> = {
  '3.4': false,
  '3.5': true,
  '3.6': true,
  '3.7': true,
};

export interface EtcdTimingInput {
  /** `--heartbeat-interval` in ms (whole number; 0 is accepted and reported the way etcd reports it). */
  heartbeatMs: number;
  /** `--election-timeout` in ms (whole number). */
  electionTimeoutMs: number;
  /** Round-trip time between members in ms; use the largest average RTT among member pairs. Optional. */
  rttMs?: number;
  /** `--pre-vote`. Default true, etcd's default since 3.5 (ETCD_PRE_VOTE_DEFAULT); etcd 3.4 defaulted to false. */
  preVote?: boolean;
}

export interface EtcdTimingResult {
  /** false when etcd would refuse to start with these flags. */
  valid: boolean;
  /** etcd's messages, in the order `Config.Validate` checks them; etcd stops at the first. */
  errors: string[];
  /** floor(electionTimeoutMs / heartbeatMs): the election timeout raft actually uses, in ticks (0 when heartbeat is 0). */
  electionTicks: number;
  /** Flags that follow the tuning guide for the given RTT (etcd's defaults on a fast network). */
  recommended: { heartbeatMs: number; electionTimeoutMs: number };
  /** The `preVote` the estimate used (the input, or etcd's default). */
  preVote: boolean;
  /** Time from the leader's failure to a new leader that can commit, in ms; null when the ticks are 0. */
  leaderFailoverMs: LeaderFailoverMs | null;
  notes: Note[];
}

/**
 * Failover from the leader's failure, in ms, for a three-member cluster (two survivors) in the tick model of
 * `etcdTiming`. Not a bound on every failover: see `worst`.
 */
export interface LeaderFailoverMs {
  /** No failover is faster. */
  best: number;
  /** Slowest failover decided by the first election. */
  firstRoundWorst: number;
  /**
   * Slowest failover unless two members time out within about one round trip of each other and split the vote
   * (which starts another election and may, rarely, repeat). With pre-vote this equals `firstRoundWorst`;
   * without it, it covers the second election that follows a vote ignored under CheckQuorum's leader lease.
   */
  worst: number;
  /**
   * Share of failovers whose first election fails because the other survivor still counts the old leader as
   * alive and ignores the vote request (1/T without pre-vote; 0 with pre-vote, where it costs no extra election).
   */
  secondElectionShare: number;
}

export interface EtcdTimingPreset {
  id: 'same-zone' | 'multi-zone' | 'slow-disk' | 'cross-region';
  label: string;
  heartbeatMs: number;
  electionTimeoutMs: number;
  rttMs: number;
  preVote: boolean;
  source: string;
}

/**
 * Typical deployments, all with pre-vote on (etcd's default since 3.5). RTTs from calc-facts.md §4: same zone
 * ~0.5 ms (same-AZ ping sample 0.45 ms), across zones ~2 ms (AWS: AZs < 2 ms apart), across US regions ~130 ms
 * (the tuning guide's continental figure). The slow-disk profile is OpenShift's "Slower" control-plane hardware
 * speed (500 ms / 2500 ms), which OpenShift offers when slow disks or networks cause needless elections.
 */
export const ETCD_TIMING_PRESETS: readonly EtcdTimingPreset[] = [
  {
    id: 'same-zone',
    label: 'etcd defaults, one zone',
    heartbeatMs: 100,
    electionTimeoutMs: 1000,
    rttMs: 0.5,
    preVote: true,
    source: 'etcd defaults (server/embed/config.go NewConfig, v3.5.35 to v3.7.3); same-AZ RTT sample 0.45 ms',
  },
  {
    id: 'multi-zone',
    label: 'Cross-zone (one region)',
    heartbeatMs: 100,
    electionTimeoutMs: 1000,
    rttMs: 2,
    preVote: true,
    source: 'etcd defaults; AWS AZs under 2 ms apart (James Hamilton, re:Invent 2014)',
  },
  {
    id: 'slow-disk',
    label: 'Slow disks (OpenShift "Slower")',
    heartbeatMs: 500,
    electionTimeoutMs: 2500,
    rttMs: 2,
    preVote: true,
    source: 'OpenShift 4.20 docs, "Setting tuning parameters for etcd": controlPlaneHardwareSpeed Slower = 500 ms heartbeat, 2500 ms election timeout',
  },
  {
    id: 'cross-region',
    label: 'Across regions',
    heartbeatMs: 130,
    electionTimeoutMs: 1300,
    rttMs: 130,
    preVote: true,
    source: 'etcd tuning guide: US continental RTT ~130 ms; heartbeat ≈ RTT, election timeout ≥ 10 × RTT',
  },
];

const etcdTimingSchema = z.object({
  heartbeatMs: wholeNumber(0, MAX_TIMING_MS),
  electionTimeoutMs: wholeNumber(0, MAX_TIMING_MS),
  rttMs: z.optional(positiveNumber(60_000)),
  preVote: z.optional(z.boolean({ error: 'must be true or false' })),
});

/**
 * etcd's checks in `Config.Validate` (embed/config.go), in order, with etcd's words and numbers filled in.
 * The ratio rule is `5*TickMs > ElectionMs` (equality passes); the cap is `ElectionMs > 50000` (50000 passes).
 */
export function etcdValidationErrors(heartbeatMs: number, electionTimeoutMs: number): string[] {
  const errors: string[] = [];
  if (heartbeatMs <= 0) errors.push(`--heartbeat-interval must be >0 (set to ${heartbeatMs}ms)`);
  if (electionTimeoutMs <= 0) errors.push(`--election-timeout must be >0 (set to ${electionTimeoutMs}ms)`);
  if (MIN_ELECTION_TO_HEARTBEAT_RATIO * heartbeatMs > electionTimeoutMs) {
    errors.push(
      `--election-timeout[${electionTimeoutMs}ms] should be at least as 5 times as --heartbeat-interval[${heartbeatMs}ms]`,
    );
  }
  if (electionTimeoutMs > MAX_ELECTION_TIMEOUT_MS) {
    errors.push(`--election-timeout[${electionTimeoutMs}ms] is too long, and should be set less than ${MAX_ELECTION_TIMEOUT_MS}ms`);
  }
  return errors;
}

/**
 * The tuning guide's flags for a given RTT: heartbeat about the RTT (never below etcd's 100 ms default, rounded up
 * to 10 ms), election timeout the largest of 10 × heartbeat (raft's advice), 10 × RTT (tuning guide) and
 * etcd's 1000 ms default, rounded up to 100 ms and capped at 50 000 ms. Without an RTT: etcd's defaults.
 */
export function recommendFlags(rttMs?: number): { heartbeatMs: number; electionTimeoutMs: number } {
  if (rttMs === undefined) return { heartbeatMs: ETCD_DEFAULT_HEARTBEAT_MS, electionTimeoutMs: ETCD_DEFAULT_ELECTION_TIMEOUT_MS };
  const heartbeatMs = Math.min(
    MAX_ELECTION_TIMEOUT_MS / SUGGESTED_ELECTION_TO_HEARTBEAT_RATIO,
    Math.max(ETCD_DEFAULT_HEARTBEAT_MS, Math.ceil(rttMs / 10) * 10),
  );
  const wanted = Math.max(
    SUGGESTED_ELECTION_TO_HEARTBEAT_RATIO * heartbeatMs,
    MIN_ELECTION_TO_RTT_RATIO * rttMs,
    ETCD_DEFAULT_ELECTION_TIMEOUT_MS,
  );
  return { heartbeatMs, electionTimeoutMs: Math.min(MAX_ELECTION_TIMEOUT_MS, Math.ceil(wanted / 100) * 100) };
}

/**
 * Validation, recommendation and leader-failover estimate for etcd's timing flags.
 *
 * Failover (derived; calc-facts.md §2), measured from the leader's failure, for three members (two survivors),
 * with T = floor(ET/HB) ticks (`ElectionTicks`, integer division) and HB the tick. Sources: raft.go of the raft
 * each etcd uses (go.etcd.io/etcd/raft/v3 v3.5.35 for etcd 3.5, go.etcd.io/raft/v3 v3.6.0 for 3.6, v3.7.0 for 3.7;
 * the lines quoted are the same in all three):
 * - a follower's timeout is drawn from [T, 2T − 1] ticks (`resetRandomizedElectionTimeout`); a heartbeat resets
 *   its count, which it advances on its own ticks, so it campaigns between (timeout − 2)·HB and timeout·HB after
 *   the failure: best = (T − 2)·HB, first-round worst = (2T − 1)·HB;
 * - each plus the election's round trips when the RTT is known: vote and the new leader's first entry, with a
 *   pre-vote before them when `preVote`. Disk writes of the vote and the entry are not included;
 * - CheckQuorum's leader lease (`Step`: `inLease`): a member that heard from the leader less than T ticks ago
 *   ignores vote and pre-vote requests. That happens when the first campaigner drew exactly T and ticks ahead
 *   of the other survivor: probability 1/T (derived: 2·(1/T)(1 − 1/T)·½ + 1/T²).
 *   - Without pre-vote the campaigner has raised its term and voted for itself, so the other survivor's own
 *     campaign fails too; the next timeout (the campaigner's, up to 2T − 1 ticks after its first try, which came
 *     under T ticks after the failure) elects: worst = (3T − 1)·HB + the two round trips.
 *   - With pre-vote nothing was spent (`becomePreCandidate` keeps term and vote): the other survivor's
 *     pre-vote is granted when it times out, still within (2T − 1)·HB.
 * - Two survivors timing out within about one round trip of each other split the vote and start again; that is
 *   rare when the RTT is far below the heartbeat, and it is the one case neither worst covers.
 * - Measured on etcd 3.4.23 (three members on loopback, 100/1000 ms, leader killed with SIGKILL, time to a
 *   survivor reporting a new leader, on a heavily loaded machine): without pre-vote (3.4's default) 26 kills gave
 *   950–2627 ms, two of them (7.7 %, against 1/T = 10 %) beyond 1.9 s, all under 2.9 s; with --pre-vote 14 kills
 *   gave 931–1771 ms, all inside [800, 1900]. A simplified raft model in test-review-2026-12.md (M7) found 9.4 %
 *   beyond 1.9 s without pre-vote and about 0.1 % (split votes) with it.
 * - Measured on the lab's etcd 3.5.35, 3.6.16 and 3.7.3 on 2026-12-01 (tests/lab/etcd-election.ts, results in
 *   tests/lab/etcd-election-results.md; 15 SIGKILLs per version and setting, loopback, loaded machine): pre-vote
 *   on, 45 kills in 971–1775 ms; off, 45 kills in 888–2416 ms, 3 of them (6.7 %) beyond 1.9 s, none beyond 2.9 s.
 *   The unit tests' election-level model gives 9.1 % beyond 1.9 s without pre-vote.
 *
 * Notes (stable codes): `etcd-refuses` (critical), `heartbeat-below-rtt` (warning), `election-below-10-rtt`
 * (warning), `pre-vote-off` (warning), `election-not-multiple` (info), `ratio-not-10` (info), `split-vote`
 * (info), `isolated-leader` (info).
 *
 * @throws CalcInputError naming the field for a non-integer or negative flag or a non-positive RTT.
 * @example etcdTiming({ heartbeatMs: 100, electionTimeoutMs: 1000 }) // valid, 10 ticks, failover 800–1900 ms
 */
export function etcdTiming(input: EtcdTimingInput): EtcdTimingResult {
  const parsed = parseInput('etcdTiming', etcdTimingSchema, input);
  const { heartbeatMs, electionTimeoutMs, rttMs } = parsed;
  const preVote = parsed.preVote ?? ETCD_PRE_VOTE_DEFAULT['3.7'];
  const errors = etcdValidationErrors(heartbeatMs, electionTimeoutMs);
  const electionTicks = heartbeatMs > 0 ? Math.floor(electionTimeoutMs / heartbeatMs) : 0;
  const roundTripsMs = rttMs === undefined ? 0 : (ELECTION_ROUND_TRIPS + (preVote ? 1 : 0)) * rttMs;
  const leaderFailoverMs = electionTicks > 0 ? failoverEstimate(electionTicks, heartbeatMs, roundTripsMs, preVote) : null;

  const notes: Note[] = [];
  const [firstError] = errors;
  if (firstError !== undefined) {
    notes.push({ severity: 'critical', code: 'etcd-refuses', message: `etcd would refuse to start: ${firstError}.` });
  }
  if (rttMs !== undefined && heartbeatMs > 0 && heartbeatMs < rttMs / 2) {
    notes.push({
      severity: 'warning',
      code: 'heartbeat-below-rtt',
      message: `The heartbeat (${heartbeatMs} ms) is under half the ${rttMs} ms round trip: the tuning guide puts it at 0.5–1.5 × RTT, and leaders will warn that heartbeats are late.`,
    });
  }
  if (rttMs !== undefined && electionTimeoutMs > 0 && electionTimeoutMs < MIN_ELECTION_TO_RTT_RATIO * rttMs) {
    notes.push({
      severity: 'warning',
      code: 'election-below-10-rtt',
      message: `The election timeout (${electionTimeoutMs} ms) is under 10 × RTT (${MIN_ELECTION_TO_RTT_RATIO * rttMs} ms): expect needless leader elections when the network is slow.`,
    });
  }
  if (electionTicks > 0 && electionTimeoutMs % heartbeatMs !== 0) {
    notes.push({
      severity: 'info',
      code: 'election-not-multiple',
      message: `raft counts whole heartbeats: the election timeout is ${electionTicks} ticks, that is ${electionTicks * heartbeatMs} ms, not ${electionTimeoutMs} ms.`,
    });
  }
  if (electionTicks >= MIN_ELECTION_TO_HEARTBEAT_RATIO && electionTicks !== SUGGESTED_ELECTION_TO_HEARTBEAT_RATIO) {
    notes.push({
      severity: 'info',
      code: 'ratio-not-10',
      message: `The election timeout is ${electionTicks} heartbeats; raft suggests 10 (etcd's defaults are 100 ms and 1000 ms).`,
    });
  }
  if (leaderFailoverMs !== null && !preVote) {
    notes.push({
      severity: 'warning',
      code: 'pre-vote-off',
      message: `Without pre-vote about 1 in ${electionTicks} failovers needs a second election (a member that heard from the old leader less than an election timeout ago ignores the first vote request), so a new leader can take up to ${msText(leaderFailoverMs.worst)}. Pre-vote is on by default since etcd 3.5; check for --pre-vote=false.`,
    });
  }
  if (leaderFailoverMs !== null) {
    notes.push({
      severity: 'info',
      code: 'split-vote',
      message: `The worst case assumes no split vote: if two members time out within about one round trip of each other, the election starts again, which adds up to another ${msText((2 * electionTicks - 1) * heartbeatMs)}. This is rare when the round trip is far below the heartbeat.`,
    });
  }
  if (electionTicks > 0) {
    notes.push({
      severity: 'info',
      code: 'isolated-leader',
      message: `A leader cut off from the quorum steps down within ${electionTicks * heartbeatMs}–${2 * electionTicks * heartbeatMs} ms (CheckQuorum); writes queue during an election.`,
    });
  }

  return {
    valid: errors.length === 0,
    errors,
    electionTicks,
    preVote,
    recommended: recommendFlags(rttMs),
    leaderFailoverMs,
    notes,
  };
}

/** The closed forms of `etcdTiming`'s comment, for T ≥ 1 ticks. */
function failoverEstimate(electionTicks: number, heartbeatMs: number, roundTripsMs: number, preVote: boolean): LeaderFailoverMs {
  const firstRoundWorst = (2 * electionTicks - 1) * heartbeatMs + roundTripsMs;
  return {
    best: Math.max(0, electionTicks - 2) * heartbeatMs + roundTripsMs,
    firstRoundWorst,
    worst: preVote ? firstRoundWorst : (3 * electionTicks - 1) * heartbeatMs + roundTripsMs,
    secondElectionShare: preVote ? 0 : 1 / electionTicks,
  };
}

/**
 * The answer in one sentence. A refusal comes first, in etcd's own words; otherwise how long the cluster is
 * without a leader after the leader fails (with the second election pre-vote would avoid, when it is off), and
 * whether the flags suit the round trip.
 *
 * @example etcdTimingSentence(etcdTiming({ heartbeatMs: 100, electionTimeoutMs: 1000, rttMs: 0.5 }), 0.5)
 *   // 'If the leader fails, the others elect a new one within 0.8 to 1.9 s unless a vote splits; these flags suit a 0.5 ms round trip.'
 */
export function etcdTimingSentence(result: EtcdTimingResult, rttMs?: number): string {
  const [firstError] = result.errors;
  if (firstError !== undefined) return `etcd would refuse to start with these flags: "${firstError}".`;
  // A valid configuration always has at least 5 ticks (etcd refuses fewer), so the estimate exists.
  const failover = result.leaderFailoverMs as LeaderFailoverMs;
  const within = `If the leader fails, the others elect a new one within ${secondsRange(failover.best, failover.firstRoundWorst)}`;
  const opening = result.preVote
    ? `${within} unless a vote splits`
    : `${within}, or up to ${msText(failover.worst)} for the 1 in ${result.electionTicks} failovers that need a second election because pre-vote is off`;
  if (rttMs === undefined) return `${opening}.`;
  const tooTight = result.notes.some((note) => note.code === 'heartbeat-below-rtt' || note.code === 'election-below-10-rtt');
  const { heartbeatMs, electionTimeoutMs } = result.recommended;
  return tooTight
    ? `${opening}, but the flags are too tight for a ${rttMs} ms round trip: use --heartbeat-interval=${heartbeatMs} --election-timeout=${electionTimeoutMs}.`
    : `${opening}; these flags suit a ${rttMs} ms round trip.`;
}

function secondsRange(bestMs: number, worstMs: number): string {
  return worstMs >= 1000 ? `${twoFigures(bestMs / 1000)} to ${twoFigures(worstMs / 1000)} s` : `${twoFigures(bestMs)} to ${twoFigures(worstMs)} ms`;
}

/** Where suggested etcd flags go, as text to copy: kubeadm's configuration and the static-pod manifest. */
export interface FlagSnippet {
  /** What the text is and where it goes. */
  caption: string;
  /** Language of the text for display (`yaml`). */
  lang: 'yaml';
  text: string;
}

/**
 * The suggested flags as a kubeadm ClusterConfiguration fragment (v1beta4: `etcd.local.extraArgs` is a list of
 * name/value pairs; kubeadm.k8s.io/v1beta4 docs) and as lines for the `command` list of the static-pod manifest
 * `/etc/kubernetes/manifests/etcd.yaml` (kubelet restarts etcd when the file changes).
 */
export function etcdFlagSnippets(flags: { heartbeatMs: number; electionTimeoutMs: number }): FlagSnippet[] {
  const { heartbeatMs, electionTimeoutMs } = flags;
  return [
    {
      caption: 'kubeadm ClusterConfiguration (kubeadm.k8s.io/v1beta4), before kubeadm init or with kubeadm upgrade',
      lang: 'yaml',
      text: [
        'apiVersion: kubeadm.k8s.io/v1beta4',
        'kind: ClusterConfiguration',
        'etcd:',
        '  local:',
        '    extraArgs:',
        '      - name: heartbeat-interval',
        `        value: "${heartbeatMs}"`,
        '      - name: election-timeout',
        `        value: "${electionTimeoutMs}"`,
      ].join('\n'),
    },
    {
      caption: 'A running node: add to the command list in /etc/kubernetes/manifests/etcd.yaml, one member at a time',
      lang: 'yaml',
      text: ['    - --heartbeat-interval=' + heartbeatMs, '    - --election-timeout=' + electionTimeoutMs].join('\n'),
    },
  ];
}
