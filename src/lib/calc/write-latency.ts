import * as z from 'zod/mini';
import { CalcInputError, type CalcIssue, type Note } from './errors';
import { majorityOf, MAX_MEMBERS } from './quorum';
import { logNormalSampler, mulberry32 } from './_internal/random';
import { mean, quantiles } from './_internal/stats';
import { numberBetween, parseInput, wholeNumber } from './_internal/validate';
import { milliseconds } from './_internal/text';

/**
 * Latency of one etcd write (a Raft proposal) from the members' round-trip times and disk sync times.
 *
 * Model (calc-facts.md §4, derived from the code):
 * - the leader sends the entry to its followers *before* it writes its own WAL (etcd server/etcdserver/raft.go,
 *   the Ready loop calls `transport.Send` before `storage.Save`; Raft thesis §10.2.1), so both run in parallel;
 * - a follower acknowledges after its own fsync: follower i answers after rtt_i + fsync_i;
 * - the leader counts its own vote once its WAL is synced, and hands committed entries to the apply loop only
 *   after that Save returns, so the write commits at max(leader fsync, (quorum − 1)-th fastest follower);
 * - a client connected to a follower has its proposal forwarded to the leader and learns the commit from it:
 *   about one more follower-to-leader round trip (raft MsgProp forwarding; etcd FAQ).
 * gRPC handling, the in-memory apply (tens of µs) and the batched bbolt commit are not on this path.
 */

/** etcd FAQ: `etcd_disk_wal_fsync_duration_seconds` p99 should stay under 10 ms. */
export const FSYNC_P99_TARGET_MS = 10;

/** Round trip above which a write's latency is dominated by the network (etcd performance.md: ~50 ms across the US). */
export const HIGH_RTT_MS = 50;

/** Largest latency accepted for any single link or disk, in ms (one minute). */
export const MAX_LATENCY_MS = 60_000;

/** Largest number of Monte Carlo samples accepted. */
export const MAX_LATENCY_SAMPLES = 1_000_000;

/** Cluster sizes the chart compares (etcd FAQ: odd sizes, at most seven advised; nine shown for contrast). */
export const CHART_CLUSTER_SIZES: readonly number[] = [1, 3, 5, 7, 9];

/** z-score of the 99th percentile of a standard normal distribution, Φ⁻¹(0.99) (tests check normalQuantile agrees). */
const Z_99 = 2.326_347_874_040_841;

export interface WriteLatencyInput {
  /** Voting members, 1..MAX_MEMBERS. */
  members: number;
  /** Leader-to-follower round trip in ms: one number for every follower, or one per follower (members − 1 numbers). */
  rttMs: number | number[];
  /** WAL fsync time of each follower's disk, in ms. */
  fsyncMs: number;
  /** WAL fsync time of the leader's disk, in ms; defaults to fsyncMs. */
  leaderFsyncMs?: number;
  /** Round trip between the client and the member it talks to, in ms; default 0. */
  clientRttMs?: number;
  /** Whether the client talks to the leader or to a follower (then rttMs[0] is its follower); default 'leader'. */
  via?: 'leader' | 'follower';
}

export interface WriteLatencyResult {
  members: number;
  /** ⌊members/2⌋ + 1 votes, the leader's own included. */
  quorum: number;
  /** From the leader receiving the proposal to the entry being committed, in ms. */
  commitMs: number;
  /** What the client sees: commitMs + client round trip (+ one follower round trip when via a follower), in ms. */
  requestMs: number;
  notes: Note[];
}

const latencyMs = () => numberBetween(0, MAX_LATENCY_MS);

const writeLatencySchema = z.object({
  members: wholeNumber(1, MAX_MEMBERS),
  rttMs: z.union([latencyMs(), z.array(latencyMs())], { error: 'must be a number or a list of numbers' }),
  fsyncMs: latencyMs(),
  leaderFsyncMs: z.optional(latencyMs()),
  clientRttMs: z.optional(latencyMs()),
  via: z.optional(z.enum(['leader', 'follower'], { error: "must be 'leader' or 'follower'" })),
});

/** The k-th smallest (1-based) of the first `count` entries of `values`, which it reorders. */
function kthSmallest(values: Float64Array, count: number, k: number): number {
  // Insertion sort: follower counts are small (≤ 100) and usually 2 to 8.
  for (let index = 1; index < count; index += 1) {
    const value = values[index] as number;
    let slot = index - 1;
    while (slot >= 0 && (values[slot] as number) > value) {
      values[slot + 1] = values[slot] as number;
      slot -= 1;
    }
    values[slot + 1] = value;
  }
  return values[k - 1] as number;
}

/**
 * The commit rule shared by the exact and the Monte Carlo calculation: max(leader fsync, (quorum − 1)-th
 * smallest follower time), or the leader's fsync alone for one member. `followerMs` is reordered.
 */
function commitTime(leaderFsyncMs: number, followerMs: Float64Array, followers: number, quorum: number): number {
  if (quorum === 1) return leaderFsyncMs;
  return Math.max(leaderFsyncMs, kthSmallest(followerMs, followers, quorum - 1));
}

function checkNotMembersOne(functionName: string, members: number, via: 'leader' | 'follower'): void {
  if (members === 1 && via === 'follower') {
    throw new CalcInputError(functionName, [{ path: 'via', message: "must be 'leader' for a one-member cluster" }]);
  }
}

/**
 * Commit and request latency of one write for fixed round-trip and fsync times.
 *
 * - commitMs = max(leaderFsyncMs, (quorum − 1)-th smallest of rttMs[i] + fsyncMs); one member: leaderFsyncMs.
 * - requestMs = commitMs + clientRttMs, plus rttMs[0] when via a follower (proposal forwarding).
 *
 * Notes (stable codes): `fsync-slow` (warning, an fsync above the FAQ's 10 ms p99 target), `rtt-high` (warning,
 * the deciding follower is more than 50 ms away), `more-members-slower` (info, the quorum waits for a slower
 * follower than a three-member cluster would).
 *
 * @throws CalcInputError naming the field: bad numbers, an rttMs list whose length is not members − 1, or
 *   via 'follower' with one member.
 * @example writeLatency({ members: 3, rttMs: [0.5, 2], fsyncMs: 1 }) // commitMs 1.5 (the nearer follower decides)
 */
export function writeLatency(input: WriteLatencyInput): WriteLatencyResult {
  const parsed = parseInput('writeLatency', writeLatencySchema, input);
  const { members, fsyncMs } = parsed;
  const followers = members - 1;
  const rttList = typeof parsed.rttMs === 'number' ? new Array<number>(followers).fill(parsed.rttMs) : parsed.rttMs;
  if (rttList.length !== followers) {
    throw new CalcInputError('writeLatency', [
      { path: 'rttMs', message: `must list ${followers} round trips, one per follower (members − 1), not ${rttList.length}` },
    ]);
  }
  const via = parsed.via ?? 'leader';
  checkNotMembersOne('writeLatency', members, via);
  const leaderFsyncMs = parsed.leaderFsyncMs ?? fsyncMs;
  const quorum = majorityOf(members);

  const followerMs = Float64Array.from(rttList, (rtt) => rtt + fsyncMs);
  const commitMs = commitTime(leaderFsyncMs, followerMs, followers, quorum);
  const forwardingMs = via === 'follower' ? (rttList[0] as number) : 0;
  const requestMs = commitMs + (parsed.clientRttMs ?? 0) + forwardingMs;

  const sortedRtt = [...rttList].sort((left, right) => left - right);
  const decidingRtt = quorum > 1 ? (sortedRtt[quorum - 2] as number) : 0;
  const notes: Note[] = [];
  const slowestDiskMs = Math.max(fsyncMs, leaderFsyncMs);
  if (slowestDiskMs > FSYNC_P99_TARGET_MS) notes.push(fsyncNote(slowestDiskMs, 'is'));
  if (decidingRtt > HIGH_RTT_MS) notes.push(rttNote(decidingRtt));
  const fastestFollowerMs = followers > 0 ? Math.max(leaderFsyncMs, (sortedRtt[0] as number) + fsyncMs) : commitMs;
  if (quorum > 2 && commitMs > fastestFollowerMs) {
    notes.push({
      severity: 'info',
      code: 'more-members-slower',
      message: `With ${members} members each write waits for the ${ordinal(quorum - 1)} fastest follower (${round(commitMs)} ms); three members would wait only for the fastest (${round(fastestFollowerMs)} ms). More members write slower.`,
    });
  }
  return { members, quorum, commitMs, requestMs, notes };
}

function fsyncNote(fsyncMs: number, verb: 'is' | 'p99 is'): Note {
  return {
    severity: 'warning',
    code: 'fsync-slow',
    message: `The disk sync ${verb} ${round(fsyncMs)} ms: the etcd FAQ asks for a WAL fsync p99 under ${FSYNC_P99_TARGET_MS} ms. Slow disks delay every write and cause missed heartbeats and leader changes; use local SSDs.`,
  };
}

function rttNote(rttMs: number): Note {
  return {
    severity: 'warning',
    code: 'rtt-high',
    message: `Writes wait for a follower ${round(rttMs)} ms away: above about ${HIGH_RTT_MS} ms the network sets the write latency. Raise the heartbeat and election timeout to match (etcd tuning guide).`,
  };
}

function ordinal(value: number): string {
  const suffix = value % 10 === 1 && value % 100 !== 11 ? 'st' : value % 10 === 2 && value % 100 !== 12 ? 'nd' : value % 10 === 3 && value % 100 !== 13 ? 'rd' : 'th';
  return `${value}${suffix}`;
}

function round(value: number): number {
  return Number(value.toPrecision(3));
}

// ---------------------------------------------------------------------------------------------------------------
// Distributions and Monte Carlo percentiles

/**
 * A latency distribution: a median and p99 (fitted as a log-normal: μ = ln median, σ = ln(p99/median)/2.326;
 * both 0 means no delay), or measured samples (drawn with replacement). All in ms.
 */
export type LatencyDistribution = { medianMs: number; p99Ms: number } | { samplesMs: number[] };

export interface WriteLatencyDistributionInput {
  members: number;
  /** Round trip of each leader-follower link (independent draws per follower). */
  rtt: LatencyDistribution;
  /** WAL fsync of each member's disk (independent draws per member). */
  fsync: LatencyDistribution;
  /** The leader's disk, when it differs from the others. */
  leaderFsync?: LatencyDistribution;
  /** Fixed client round trip added to every sample, ms; default 0. */
  clientRttMs?: number;
  /** 'follower' adds the first follower's round trip (proposal forwarding); default 'leader'. */
  via?: 'leader' | 'follower';
  /** Monte Carlo samples, 1..MAX_LATENCY_SAMPLES; default 20 000. */
  samples?: number;
  /** Seed of the pseudo-random generator; default 1. */
  seed?: number;
}

export interface LatencyPercentiles {
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  meanMs: number;
}

export interface WriteLatencyDistributionResult extends LatencyPercentiles {
  members: number;
  quorum: number;
  /** Number of Monte Carlo samples behind the figures. */
  samples: number;
  notes: Note[];
}

const distributionSchema = z.union(
  [
    z.object({ medianMs: latencyMs(), p99Ms: latencyMs() }),
    z.object({
      samplesMs: z.array(latencyMs()).check(
        z.minLength(1, { error: 'must hold at least one sample' }),
        z.maxLength(MAX_LATENCY_SAMPLES, { error: `must hold at most ${MAX_LATENCY_SAMPLES} samples` }),
      ),
    }),
  ],
  { error: 'must be { medianMs, p99Ms } or { samplesMs: [...] }' },
);

const monteCarloFields = {
  clientRttMs: z.optional(latencyMs()),
  samples: z.optional(wholeNumber(1, MAX_LATENCY_SAMPLES)),
  seed: z.optional(wholeNumber(0, 4_294_967_295)),
};

const writeLatencyDistributionSchema = z.object({
  members: wholeNumber(1, MAX_MEMBERS),
  rtt: distributionSchema,
  fsync: distributionSchema,
  leaderFsync: z.optional(distributionSchema),
  via: z.optional(z.enum(['leader', 'follower'], { error: "must be 'leader' or 'follower'" })),
  ...monteCarloFields,
});

type ParsedDistribution = { medianMs: number; p99Ms: number } | { samplesMs: number[] };

/**
 * zod checks each number; this checks the pair. A median above its p99 is not a distribution, and a log-normal
 * needs a median above 0, except for a link or disk with no delay at all (median and p99 both 0).
 */
function distributionIssues(field: string, distribution: ParsedDistribution | undefined): CalcIssue[] {
  if (distribution === undefined || !('medianMs' in distribution)) return [];
  if (distribution.p99Ms < distribution.medianMs) return [{ path: `${field}.p99Ms`, message: 'must be at least medianMs' }];
  if (distribution.medianMs === 0 && distribution.p99Ms > 0) {
    return [{ path: `${field}.medianMs`, message: 'must be greater than 0 when p99Ms is' }];
  }
  return [];
}

function checkDistributions(functionName: string, fields: Record<string, ParsedDistribution | undefined>): void {
  const issues = Object.entries(fields).flatMap(([field, distribution]) => distributionIssues(field, distribution));
  if (issues.length > 0) throw new CalcInputError(functionName, issues);
}

/**
 * A sampler for one distribution; all share one uniform source so that one seed fixes the whole run. A
 * log-normal draw is median·exp(σ·Φ⁻¹(u)) (inverse transform sampling, see logNormalSampler).
 */
function samplerOf(distribution: ParsedDistribution, uniform: () => number): () => number {
  if ('samplesMs' in distribution) {
    const values = Float64Array.from(distribution.samplesMs);
    return () => values[Math.floor(uniform() * values.length)] as number;
  }
  if (distribution.medianMs === 0) return () => 0;
  const sigma = Math.log(distribution.p99Ms / distribution.medianMs) / Z_99;
  return logNormalSampler(distribution.medianMs, sigma, uniform);
}

/** The distribution's own p99 (closed form for a log-normal fit, type-7 quantile for samples). */
function p99Of(distribution: ParsedDistribution): number {
  if ('samplesMs' in distribution) return quantiles(distribution.samplesMs, [0.99])[0] as number;
  return distribution.p99Ms;
}

function medianOf(distribution: ParsedDistribution): number {
  if ('samplesMs' in distribution) return quantiles(distribution.samplesMs, [0.5])[0] as number;
  return distribution.medianMs;
}

interface SimulationPlan {
  members: number;
  rtt: ParsedDistribution;
  fsync: ParsedDistribution;
  leaderFsync: ParsedDistribution | undefined;
  clientRttMs: number;
  via: 'leader' | 'follower';
  samples: number;
  seed: number;
}

interface SimulatedRequests {
  requestMs: Float64Array;
  /** The same samples for a three-member cluster made of the leader and the first two followers (same draws). */
  threeMemberRequestMs: Float64Array | undefined;
}

/**
 * Monte Carlo of the commit rule: each sample draws every link and disk independently. When the cluster has
 * more than three members it also records what a three-member cluster (leader plus followers 0 and 1) would
 * have seen on the very same draws, for the "more members write slower" comparison at no extra draws.
 */
function simulateRequests(plan: SimulationPlan): SimulatedRequests {
  const uniform = mulberry32(plan.seed);
  const drawRtt = samplerOf(plan.rtt, uniform);
  const drawFsync = samplerOf(plan.fsync, uniform);
  const drawLeaderFsync = plan.leaderFsync ? samplerOf(plan.leaderFsync, uniform) : drawFsync;
  const followers = plan.members - 1;
  const quorum = majorityOf(plan.members);
  const followerMs = new Float64Array(Math.max(1, followers));
  const results = new Float64Array(plan.samples);
  const threeMemberResults = plan.members > 3 ? new Float64Array(plan.samples) : undefined;
  const viaFollower = plan.via === 'follower';
  for (let sample = 0; sample < plan.samples; sample += 1) {
    const leaderFsyncMs = drawLeaderFsync();
    let forwardingMs = 0;
    for (let follower = 0; follower < followers; follower += 1) {
      const rttMs = drawRtt();
      if (follower === 0 && viaFollower) forwardingMs = rttMs;
      followerMs[follower] = rttMs + drawFsync();
    }
    const fixedMs = plan.clientRttMs + forwardingMs;
    if (threeMemberResults) {
      const fastestOfTwo = Math.min(followerMs[0] as number, followerMs[1] as number);
      threeMemberResults[sample] = Math.max(leaderFsyncMs, fastestOfTwo) + fixedMs;
    }
    results[sample] = commitTime(leaderFsyncMs, followerMs, followers, quorum) + fixedMs;
  }
  return { requestMs: results, threeMemberRequestMs: threeMemberResults };
}

function percentilesOf(samples: Float64Array): LatencyPercentiles {
  const [p50Ms = 0, p90Ms = 0, p99Ms = 0] = quantiles(samples, [0.5, 0.9, 0.99]);
  return { p50Ms, p90Ms, p99Ms, meanMs: mean(samples) };
}

/**
 * Percentiles of the client-visible write latency when links and disks vary, by Monte Carlo over the same
 * commit rule as writeLatency. Seeded: the same input gives the same figures.
 *
 * Notes: `fsync-slow` (a disk's p99 above 10 ms), `rtt-high` (median link RTT above 50 ms), `more-members-slower`
 * (four or more members and a higher median than three members would have on the same draws).
 *
 * @throws CalcInputError naming the field (`rtt.p99Ms` when it is below `rtt.medianMs`, etc.).
 * @example writeLatencyDistribution({ members: 3, rtt: { medianMs: 1.3, p99Ms: 2.1 }, fsync: { medianMs: 0.78, p99Ms: 2.38 } })
 */
export function writeLatencyDistribution(input: WriteLatencyDistributionInput): WriteLatencyDistributionResult {
  const parsed = parseInput('writeLatencyDistribution', writeLatencyDistributionSchema, input);
  checkDistributions('writeLatencyDistribution', { rtt: parsed.rtt, fsync: parsed.fsync, leaderFsync: parsed.leaderFsync });
  const via = parsed.via ?? 'leader';
  checkNotMembersOne('writeLatencyDistribution', parsed.members, via);
  const samples = parsed.samples ?? 20_000;
  const plan: SimulationPlan = {
    members: parsed.members,
    rtt: parsed.rtt,
    fsync: parsed.fsync,
    leaderFsync: parsed.leaderFsync,
    clientRttMs: parsed.clientRttMs ?? 0,
    via,
    samples,
    seed: parsed.seed ?? 1,
  };
  const { requestMs, threeMemberRequestMs } = simulateRequests(plan);

  const quorum = majorityOf(parsed.members);
  const notes: Note[] = [];
  const slowestDiskP99 = Math.max(p99Of(parsed.fsync), parsed.leaderFsync ? p99Of(parsed.leaderFsync) : 0);
  if (slowestDiskP99 > FSYNC_P99_TARGET_MS) notes.push(fsyncNote(slowestDiskP99, 'p99 is'));
  const medianRtt = medianOf(parsed.rtt);
  if (parsed.members > 1 && medianRtt > HIGH_RTT_MS) notes.push(rttNote(medianRtt));
  const percentiles = percentilesOf(requestMs);
  if (threeMemberRequestMs) {
    // Compare with three members on the same draws. The median always rises with the cluster; the p99 need not
    // (the 2nd fastest of 4 followers has a shorter tail than the fastest of 2), so only the median is claimed.
    const threeMembers = percentilesOf(threeMemberRequestMs);
    if (percentiles.p50Ms > threeMembers.p50Ms) {
      notes.push({
        severity: 'info',
        code: 'more-members-slower',
        message: `With ${parsed.members} members each write waits for the ${ordinal(quorum - 1)} fastest of ${parsed.members - 1} followers: median ${round(percentiles.p50Ms)} ms against ${round(threeMembers.p50Ms)} ms with three members. More members write slower.`,
      });
    }
  }
  return { members: parsed.members, quorum, samples, ...percentiles, notes };
}

export interface WriteLatencyBySizeInput {
  rtt: LatencyDistribution;
  fsync: LatencyDistribution;
  leaderFsync?: LatencyDistribution;
  clientRttMs?: number;
  /** Cluster sizes to compare; default CHART_CLUSTER_SIZES (1, 3, 5, 7, 9). */
  sizes?: number[];
  samples?: number;
  seed?: number;
}

export interface WriteLatencyBySizePoint extends LatencyPercentiles {
  members: number;
  quorum: number;
}

const writeLatencyBySizeSchema = z.object({
  rtt: distributionSchema,
  fsync: distributionSchema,
  leaderFsync: z.optional(distributionSchema),
  sizes: z.optional(
    z.array(wholeNumber(1, MAX_MEMBERS)).check(
      z.minLength(1, { error: 'must name at least one size' }),
      z.maxLength(20, { error: 'must name at most 20 sizes' }),
    ),
  ),
  ...monteCarloFields,
});

/**
 * Median, p90, p99 and mean write latency for each cluster size, for the chart. Every size uses the same seed,
 * so the sizes are compared on the same random draws and the curve is not jagged by noise.
 *
 * @throws CalcInputError naming the field.
 * @example writeLatencyBySize({ rtt: { medianMs: 1.3, p99Ms: 2.1 }, fsync: { medianMs: 0.78, p99Ms: 2.38 } })
 */
export function writeLatencyBySize(input: WriteLatencyBySizeInput): WriteLatencyBySizePoint[] {
  const parsed = parseInput('writeLatencyBySize', writeLatencyBySizeSchema, input);
  checkDistributions('writeLatencyBySize', { rtt: parsed.rtt, fsync: parsed.fsync, leaderFsync: parsed.leaderFsync });
  return (parsed.sizes ?? [...CHART_CLUSTER_SIZES]).map((members) => {
    const { requestMs } = simulateRequests({
      members,
      rtt: parsed.rtt,
      fsync: parsed.fsync,
      leaderFsync: parsed.leaderFsync,
      clientRttMs: parsed.clientRttMs ?? 0,
      via: 'leader',
      samples: parsed.samples ?? 20_000,
      seed: parsed.seed ?? 1,
    });
    return { members, quorum: majorityOf(members), ...percentilesOf(requestMs) };
  });
}

export interface WriteLatencyPreset {
  id: 'same-zone' | 'multi-zone' | 'cross-region';
  label: string;
  /** Typical values for writeLatency. */
  rttMs: number;
  fsyncMs: number;
  /** Distributions for writeLatencyDistribution and writeLatencyBySize. */
  rtt: { medianMs: number; p99Ms: number };
  fsync: { medianMs: number; p99Ms: number };
  source: string;
}

/** Local SSD fdatasync, from the fio run in the IBM etcd storage blog (2019): p50 0.78 ms, p99 2.38 ms. */
const SSD_FSYNC = { medianMs: 0.78, p99Ms: 2.38 };

/**
 * Typical deployments (calc-facts.md §4): SSD disks everywhere; members in one zone (~0.45 ms measured same-AZ
 * ping; up to several hundred µs inside a data centre per etcd performance.md), spread over zones of one region
 * (1.3–2.1 ms measured cross-AZ; AWS: AZs under 2 ms apart), or over regions (~50 ms typical across the US,
 * ~130 ms coast to coast, etcd tuning guide).
 */
export const WRITE_LATENCY_PRESETS: readonly WriteLatencyPreset[] = [
  {
    id: 'same-zone',
    label: 'Same zone',
    rttMs: 0.45,
    fsyncMs: SSD_FSYNC.medianMs,
    rtt: { medianMs: 0.45, p99Ms: 1 },
    fsync: SSD_FSYNC,
    source: 'same-AZ ping 0.45 ms; SSD fsync p50 0.78 / p99 2.38 ms (IBM fio blog)',
  },
  {
    id: 'multi-zone',
    label: 'Zones of one region',
    rttMs: 1.3,
    fsyncMs: SSD_FSYNC.medianMs,
    rtt: { medianMs: 1.3, p99Ms: 2.1 },
    fsync: SSD_FSYNC,
    source: 'cross-AZ ping 1.3–2.1 ms; AWS AZs < 2 ms apart; SSD fsync as above',
  },
  {
    id: 'cross-region',
    label: 'Across regions',
    rttMs: 50,
    fsyncMs: SSD_FSYNC.medianMs,
    rtt: { medianMs: 50, p99Ms: 130 },
    fsync: SSD_FSYNC,
    source: 'etcd docs: ~50 ms across the US, 130 ms continental; SSD fsync as above',
  },
];

// ---------------------------------------------------------------------------------------------------------------
// The answer in one sentence

/**
 * Request p99 at which etcd's own alerting calls requests slow: `etcdGRPCRequestsSlow` fires (critical) when the
 * p99 of unary gRPC handling exceeds 0.15 s for 10 minutes (etcd contrib/mixin/alerts/alerts.libsonnet).
 */
export const SLOW_REQUEST_P99_MS = 150;

/** A write p99 under a tenth of SLOW_REQUEST_P99_MS leaves tenfold headroom: "well inside" the guidance. */
export const WELL_INSIDE_P99_MS = SLOW_REQUEST_P99_MS / 10;

export type WriteLatencyVerdict = 'well-inside' | 'inside' | 'disk-outside' | 'outside';

export interface WriteLatencySummaryInput {
  /** Typical (median) client-visible write, ms. */
  typicalMs: number;
  /** 99th percentile of the client-visible write, ms. */
  p99Ms: number;
  /** 99th percentile of the slowest member's WAL fsync, ms. */
  fsyncP99Ms: number;
}

export interface WriteLatencySummary {
  verdict: WriteLatencyVerdict;
  sentence: string;
}

/**
 * The verdict against etcd's guidance, and the sentence that states it. Two published thresholds:
 * - the etcd FAQ (etcd-io/website content/en/docs/v3.6/faq.md, the answer on "failed to send out heartbeat on
 *   time"): `etcd_disk_wal_fsync_duration_seconds` p99 should stay under 10 ms (FSYNC_P99_TARGET_MS);
 * - etcd's alerting mixin: `etcdGRPCRequestsSlow` fires at a request p99 above 150 ms (SLOW_REQUEST_P99_MS).
 *
 * Verdicts, first match wins: `outside` (p99 ≥ 150 ms), `disk-outside` (fsync p99 > 10 ms), `well-inside`
 * (p99 < 15 ms, a tenth of the alert threshold), else `inside`. Figures are rounded to two significant digits,
 * which is all a 2,000-sample simulation supports at the 99th percentile.
 *
 * @example writeLatencySummary({ typicalMs: 1.23, p99Ms: 2.46, fsyncP99Ms: 2.38 }).sentence
 *   // "A write takes about 1.2 ms (p99 2.5 ms), well inside etcd's guidance."
 */
export function writeLatencySummary(input: WriteLatencySummaryInput): WriteLatencySummary {
  const { typicalMs, p99Ms, fsyncP99Ms } = parseInput(
    'writeLatencySummary',
    z.object({ typicalMs: latencyMs(), p99Ms: latencyMs(), fsyncP99Ms: latencyMs() }),
    input,
  );
  const opening = `A write takes about ${milliseconds(typicalMs)} (p99 ${milliseconds(p99Ms)})`;
  if (p99Ms >= SLOW_REQUEST_P99_MS) {
    return {
      verdict: 'outside',
      sentence: `${opening}, outside etcd's guidance: its own etcdGRPCRequestsSlow alert fires when the p99 passes ${SLOW_REQUEST_P99_MS} ms.`,
    };
  }
  if (fsyncP99Ms > FSYNC_P99_TARGET_MS) {
    return {
      verdict: 'disk-outside',
      sentence: `${opening}, but the disk is outside etcd's guidance: a WAL fsync p99 of ${milliseconds(fsyncP99Ms)} against the ${FSYNC_P99_TARGET_MS} ms the etcd FAQ asks for.`,
    };
  }
  if (p99Ms < WELL_INSIDE_P99_MS) return { verdict: 'well-inside', sentence: `${opening}, well inside etcd's guidance.` };
  return { verdict: 'inside', sentence: `${opening}, inside etcd's guidance, with less than tenfold headroom to its ${SLOW_REQUEST_P99_MS} ms slow-request alert.` };
}
