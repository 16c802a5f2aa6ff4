import * as z from 'zod/mini';
import type { Note } from './errors';
import { parseInput, positiveNumber, wholeNumber } from './_internal/validate';
import { twoFigures } from './_internal/text';

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

export interface EtcdTimingInput {
  /** `--heartbeat-interval` in ms (whole number; 0 is accepted and reported the way etcd reports it). */
  heartbeatMs: number;
  /** `--election-timeout` in ms (whole number). */
  electionTimeoutMs: number;
  /** Round-trip time between members in ms; use the largest average RTT among member pairs. Optional. */
  rttMs?: number;
  /** `--pre-vote`: one more round trip per election. Default true (etcd 3.5 and later; etcd 3.4 defaults to false). */
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
  /** Time from the leader's failure to a new leader that can commit, in ms; null when the ticks are 0. */
  leaderFailoverMs: { best: number; worst: number } | null;
  notes: Note[];
}

export interface EtcdTimingPreset {
  id: 'same-zone' | 'multi-zone' | 'cross-region';
  label: string;
  heartbeatMs: number;
  electionTimeoutMs: number;
  rttMs: number;
  source: string;
}

/**
 * Typical deployments. RTTs from calc-facts.md §4: same zone ~0.5 ms (same-AZ ping sample 0.45 ms), across
 * zones ~2 ms (AWS: AZs < 2 ms apart), across US regions ~130 ms (the tuning guide's continental figure).
 * Flags are recommendFlags' output for those RTTs: etcd's defaults where the network is fast.
 */
export const ETCD_TIMING_PRESETS: readonly EtcdTimingPreset[] = [
  {
    id: 'same-zone',
    label: 'Same zone',
    heartbeatMs: 100,
    electionTimeoutMs: 1000,
    rttMs: 0.5,
    source: 'etcd defaults (embed/config.go); same-AZ RTT sample 0.45 ms',
  },
  {
    id: 'multi-zone',
    label: 'Zones of one region',
    heartbeatMs: 100,
    electionTimeoutMs: 1000,
    rttMs: 2,
    source: 'etcd defaults; AWS AZs under 2 ms apart (James Hamilton, re:Invent 2014)',
  },
  {
    id: 'cross-region',
    label: 'Across regions',
    heartbeatMs: 130,
    electionTimeoutMs: 1300,
    rttMs: 130,
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
 * Failover (derived; calc-facts.md §2), measured from the leader's failure, with T = floor(ET/HB) ticks
 * (`ElectionTicks`, integer division) and HB the tick:
 * - raft draws each follower's timeout from [T, 2T − 1] ticks (`electionTimeout + rand.Intn(electionTimeout)`);
 * - a follower resets its count when a heartbeat arrives, and counts on its own ticks, so the campaign starts
 *   between (timeout − 2)·HB (the leader failed just before its next heartbeat, and the follower's tick came
 *   right after the last one) and timeout·HB after the failure;
 * - best = (T − 2)·HB, worst = (2T − 1)·HB, each plus the election's round trips when the RTT is known: vote and
 *   the new leader's first entry, and pre-vote before them when `preVote` (default true). Disk writes of the
 *   vote and the entry are not included.
 * - The worst case assumes the first round elects a leader. Two followers timing out in the same tick split the
 *   vote, and a follower that heard from the leader less than T ticks ago refuses pre-votes (CheckQuorum leader
 *   lease); either costs one more randomized timeout.
 * - Measured on etcd 3.4.23 (three members on loopback, 100/1000 ms, leader killed with SIGKILL, time to a
 *   survivor reporting a new leader, on a heavily loaded machine): without pre-vote (3.4's default) 26 kills gave
 *   950–2627 ms, median about 1.3 s, and two of them needed a second round; with --pre-vote 14 kills gave
 *   931–1771 ms, median 1297 ms, all inside [800, 1900].
 *
 * Notes (stable codes): `etcd-refuses` (critical), `heartbeat-below-rtt` (warning), `election-below-10-rtt`
 * (warning), `election-not-multiple` (info), `ratio-not-10` (info), `isolated-leader` (info).
 *
 * @throws CalcInputError naming the field for a non-integer or negative flag or a non-positive RTT.
 * @example etcdTiming({ heartbeatMs: 100, electionTimeoutMs: 1000 }) // valid, 10 ticks, failover 800–1900 ms
 */
export function etcdTiming(input: EtcdTimingInput): EtcdTimingResult {
  const { heartbeatMs, electionTimeoutMs, rttMs, preVote = true } = parseInput('etcdTiming', etcdTimingSchema, input);
  const errors = etcdValidationErrors(heartbeatMs, electionTimeoutMs);
  const electionTicks = heartbeatMs > 0 ? Math.floor(electionTimeoutMs / heartbeatMs) : 0;
  const roundTripsMs = rttMs === undefined ? 0 : (ELECTION_ROUND_TRIPS + (preVote ? 1 : 0)) * rttMs;
  const leaderFailoverMs =
    electionTicks > 0
      ? {
          best: Math.max(0, electionTicks - 2) * heartbeatMs + roundTripsMs,
          worst: (2 * electionTicks - 1) * heartbeatMs + roundTripsMs,
        }
      : null;

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
    recommended: recommendFlags(rttMs),
    leaderFailoverMs,
    notes,
  };
}

/**
 * The answer in one sentence. A refusal comes first, in etcd's own words; otherwise how long the cluster is
 * without a leader after the leader fails, and whether the flags suit the round trip.
 *
 * @example etcdTimingSentence(etcdTiming({ heartbeatMs: 100, electionTimeoutMs: 1000, rttMs: 0.5 }))
 *   // 'If the leader fails, the others elect a new one within 0.8 to 1.9 s; these flags suit a 0.5 ms round trip.'
 */
export function etcdTimingSentence(result: EtcdTimingResult, rttMs?: number): string {
  const [firstError] = result.errors;
  if (firstError !== undefined) return `etcd would refuse to start with these flags: "${firstError}".`;
  // A valid configuration always has at least 5 ticks (etcd refuses fewer), so the estimate exists.
  const failover = result.leaderFailoverMs as { best: number; worst: number };
  const opening = `If the leader fails, the others elect a new one within ${secondsRange(failover.best, failover.worst)}`;
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
