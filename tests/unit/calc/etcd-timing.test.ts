import { describe, expect, it } from 'vitest';
import { inputError } from './helpers/input-error';
import { ETCD_PRE_VOTE_DEFAULT, ETCD_TIMING_PRESETS, etcdTiming, etcdValidationErrors, recommendFlags } from '../../../src/lib/calc/etcd-timing';
import { mulberry32 } from '../../../src/lib/calc/_internal/random';


// Messages as etcd 3.4.23 prints them ("error verifying flags, <message>. See 'etcd --help'."), which match
// Config.Validate in server/embed/config.go.
describe("etcd's validation (embed/config.go Config.Validate)", () => {
  it.each([
    [100, 1000, []],
    [0, 1000, ['--heartbeat-interval must be >0 (set to 0ms)']],
    [100, 0, ['--election-timeout must be >0 (set to 0ms)', '--election-timeout[0ms] should be at least as 5 times as --heartbeat-interval[100ms]']],
    [0, 0, ['--heartbeat-interval must be >0 (set to 0ms)', '--election-timeout must be >0 (set to 0ms)']],
    [100, 499, ['--election-timeout[499ms] should be at least as 5 times as --heartbeat-interval[100ms]']],
    [100, 500, []], // exactly 5 × heartbeat passes
    [100, 50_001, ['--election-timeout[50001ms] is too long, and should be set less than 50000ms']],
    [10_000, 50_000, []], // 50000 itself passes
    [20_000, 60_000, [
      '--election-timeout[60000ms] should be at least as 5 times as --heartbeat-interval[20000ms]',
      '--election-timeout[60000ms] is too long, and should be set less than 50000ms',
    ]],
  ])('heartbeat %i ms, election %i ms', (heartbeatMs, electionTimeoutMs, expected) => {
    expect(etcdValidationErrors(heartbeatMs, electionTimeoutMs)).toEqual(expected);
    const result = etcdTiming({ heartbeatMs, electionTimeoutMs });
    expect(result.valid).toBe(expected.length === 0);
    expect(result.errors).toEqual(expected);
    if (expected.length > 0) expect(result.notes[0]).toMatchObject({ severity: 'critical', code: 'etcd-refuses' });
  });
});

describe('election ticks and failover estimate', () => {
  // Hand-computed: T = 10, HB = 100: best (T − 2)·HB = 800, first-round worst (2T − 1)·HB = 1900; without
  // pre-vote the second election ends by (3T − 1)·HB = 2900, needed by 1/T = 10 % of failovers.
  it("defaults 100/1000 (pre-vote on, etcd 3.5 to 3.7): 10 ticks, raft's timeout 10–19 ticks, failover 800–1900 ms", () => {
    const result = etcdTiming({ heartbeatMs: 100, electionTimeoutMs: 1000 });
    expect(result.electionTicks).toBe(10);
    expect(result.preVote).toBe(true);
    expect(result.leaderFailoverMs).toEqual({ best: 800, firstRoundWorst: 1900, worst: 1900, secondElectionShare: 0 });
    expect(result.notes.map((note) => note.code)).toEqual(['split-vote', 'isolated-leader']);
    expect(result.notes[0]?.message).toContain('adds up to another 1.9 s');
    expect(result.notes[1]?.message).toContain('1000–2000 ms');
  });

  it('pre-vote off (etcd 3.4, or --pre-vote=false): a tenth of failovers need a second election, up to 2.9 s', () => {
    const result = etcdTiming({ heartbeatMs: 100, electionTimeoutMs: 1000, preVote: false });
    expect(result.preVote).toBe(false);
    expect(result.leaderFailoverMs).toEqual({ best: 800, firstRoundWorst: 1900, worst: 2900, secondElectionShare: 0.1 });
    const note = result.notes.find((entry) => entry.code === 'pre-vote-off');
    expect(note?.severity).toBe('warning');
    expect(note?.message).toContain('about 1 in 10 failovers needs a second election');
    expect(note?.message).toContain('up to 2.9 s');
    // OpenShift's slow profile: T = 5, so 1 in 5, and (3·5 − 1)·500 = 7000 ms.
    expect(etcdTiming({ heartbeatMs: 500, electionTimeoutMs: 2500, preVote: false }).leaderFailoverMs).toEqual({
      best: 1500,
      firstRoundWorst: 4500,
      worst: 7000,
      secondElectionShare: 0.2,
    });
  });

  it("pre-vote defaults per etcd minor, as the binaries' --help prints them", () => {
    // etcd 3.4.23 (Debian): --pre-vote 'false'; 3.5.35, 3.6.16, 3.7.3 (lab builds): --pre-vote 'true'.
    expect(ETCD_PRE_VOTE_DEFAULT).toEqual({ '3.4': false, '3.5': true, '3.6': true, '3.7': true });
  });

  it('adds three round trips (pre-vote, vote, first entry) when the RTT is known; two without pre-vote', () => {
    expect(etcdTiming({ heartbeatMs: 100, electionTimeoutMs: 1000, rttMs: 2 }).leaderFailoverMs).toEqual({
      best: 806,
      firstRoundWorst: 1906,
      worst: 1906,
      secondElectionShare: 0,
    });
    // The failed first election overlaps the campaigner's new timeout, so the second costs its own two round trips only.
    expect(etcdTiming({ heartbeatMs: 100, electionTimeoutMs: 1000, rttMs: 2, preVote: false }).leaderFailoverMs).toEqual({
      best: 804,
      firstRoundWorst: 1904,
      worst: 2904,
      secondElectionShare: 0.1,
    });
  });

  it('ElectionTicks is integer division: 1050 ms at 100 ms heartbeats is 10 ticks', () => {
    const result = etcdTiming({ heartbeatMs: 100, electionTimeoutMs: 1050 });
    expect(result.electionTicks).toBe(10);
    expect(result.leaderFailoverMs).toMatchObject({ best: 800, worst: 1900 });
    expect(result.notes.find((note) => note.code === 'election-not-multiple')?.message).toContain('10 ticks, that is 1000 ms, not 1050 ms');
  });

  it('the minimum ratio of 5: timeout 5–9 ticks', () => {
    const result = etcdTiming({ heartbeatMs: 100, electionTimeoutMs: 500 });
    expect(result.leaderFailoverMs).toMatchObject({ best: 300, worst: 900 });
    expect(result.notes.some((note) => note.code === 'ratio-not-10')).toBe(true);
  });

  it('no estimate when the heartbeat is 0 or the timeout is under one heartbeat', () => {
    expect(etcdTiming({ heartbeatMs: 0, electionTimeoutMs: 1000 })).toMatchObject({ electionTicks: 0, leaderFailoverMs: null });
    expect(etcdTiming({ heartbeatMs: 100, electionTimeoutMs: 50 })).toMatchObject({ electionTicks: 0, leaderFailoverMs: null });
    expect(etcdTiming({ heartbeatMs: 100, electionTimeoutMs: 150 }).leaderFailoverMs).toMatchObject({ best: 0, worst: 100 });
  });
});

/**
 * A tick-level model of raft's follower timers, written from raft.go rather than from the closed form: the leader
 * sends a heartbeat on each of its ticks (every HB) and fails at a random moment after the last one; each
 * follower resets electionElapsed when that heartbeat arrives, increments it on its own ticks (random phase), and
 * campaigns when it reaches its randomized timeout, drawn from [T, 2T − 1]. Network delay is taken as zero.
 */
function simulateCampaignStartMs(heartbeatMs: number, electionTicks: number, followers: number, trials: number, seed: number): number[] {
  const random = mulberry32(seed);
  return Array.from({ length: trials }, () => {
    const failedAt = random() * heartbeatMs; // the last heartbeat went out at 0
    let earliest = Number.POSITIVE_INFINITY;
    for (let follower = 0; follower < followers; follower += 1) {
      const timeoutTicks = electionTicks + Math.floor(random() * electionTicks);
      const firstTickAt = heartbeatMs - random() * heartbeatMs; // in (0, HB]
      let elapsed = 0;
      let tickAt = firstTickAt;
      for (;;) {
        elapsed += 1;
        if (elapsed >= timeoutTicks) break;
        tickAt += heartbeatMs;
      }
      earliest = Math.min(earliest, tickAt);
    }
    return earliest - failedAt;
  });
}

describe('failover bounds checked against a tick-level model of raft (derived, so verified here)', () => {
  it.each([
    [100, 1000, 1],
    [100, 1000, 2],
    [100, 500, 4],
    [130, 1300, 1],
    [50, 1050, 1],
  ])('heartbeat %i ms, election %i ms, %i follower(s)', (heartbeatMs, electionTimeoutMs, followers) => {
    const result = etcdTiming({ heartbeatMs, electionTimeoutMs });
    const bounds = result.leaderFailoverMs!;
    const samples = simulateCampaignStartMs(heartbeatMs, result.electionTicks, followers, 50_000, heartbeatMs + followers);
    const lowest = Math.min(...samples);
    const highest = Math.max(...samples);
    expect(lowest).toBeGreaterThanOrEqual(bounds.best);
    expect(highest).toBeLessThanOrEqual(bounds.worst);
    // The bounds are reached, not just respected (within a tenth of a heartbeat). The worst case needs every
    // follower to draw the longest timeout, so it is only approached with one follower.
    expect(lowest - bounds.best).toBeLessThan(heartbeatMs / 10);
    if (followers === 1) expect(bounds.worst - highest).toBeLessThan(heartbeatMs / 10);
  });
});

/**
 * An election-level model of the two survivors of a three-member cluster, written from raft.go's rules (raft
 * v3.6.0 l.784-796 `reset`, l.850-859 `tickElection`, l.917-931 `becomePreCandidate`, l.1095 `inLease`, l.1206
 * `canVote`; the same in go.etcd.io/etcd/raft/v3 v3.5.35 and raft v3.7.0), not from the closed form. Messages
 * arrive at once (RTT 0), logs are equal, and the dead leader answers nothing, so one grant elects.
 */
interface Survivor {
  term: number;
  vote: number | null;
  lead: number | null;
  state: 'follower' | 'pre-candidate' | 'candidate';
  elapsed: number;
  timeout: number;
  nextTickAt: number;
}

function simulateElection(heartbeatMs: number, ticks: number, preVote: boolean, random: () => number): { failoverMs: number; terms: number } {
  const LEADER = 0;
  const draw = () => ticks + Math.floor(random() * ticks);
  const failedAt = random() * heartbeatMs; // the last heartbeat went out, and was received, at 0
  const members: Survivor[] = [1, 2].map(() => ({
    term: 1,
    vote: LEADER,
    lead: LEADER,
    state: 'follower',
    elapsed: 0,
    timeout: draw(),
    nextTickAt: heartbeatMs - random() * heartbeatMs,
  }));
  const reset = (member: Survivor, term: number) => {
    if (member.term !== term) {
      member.term = term;
      member.vote = null;
    }
    member.lead = null;
    member.elapsed = 0;
    member.timeout = draw();
  };
  const becomeCandidate = (self: number) => {
    const member = members[self]!;
    reset(member, member.term + 1);
    member.vote = self + 1;
    member.state = 'candidate';
  };
  /** The receiver's answer to a (pre-)vote request: granted, or not (rejected or ignored alike). */
  const receive = (to: number, from: number, kind: 'vote' | 'pre-vote', term: number): boolean => {
    const member = members[to]!;
    if (term > member.term) {
      const inLease = member.lead !== null && member.elapsed < ticks;
      if (inLease) return false;
      if (kind === 'vote') {
        reset(member, term);
        member.state = 'follower';
      }
    } else if (term < member.term) {
      return false;
    }
    const canVote = member.vote === from + 1 || (member.vote === null && member.lead === null) || (kind === 'pre-vote' && term > member.term);
    if (!canVote) return false;
    if (kind === 'vote') {
      member.elapsed = 0;
      member.vote = from + 1;
    }
    return true;
  };
  const startTerm = 1;
  for (;;) {
    const self = members[0]!.nextTickAt <= members[1]!.nextTickAt ? 0 : 1;
    const other = 1 - self;
    const member = members[self]!;
    const now = member.nextTickAt;
    member.nextTickAt += heartbeatMs;
    member.elapsed += 1;
    if (member.elapsed < member.timeout) continue;
    member.elapsed = 0;
    if (preVote) {
      member.state = 'pre-candidate';
      member.lead = null;
      if (!receive(other, self, 'pre-vote', member.term + 1)) continue;
    }
    becomeCandidate(self);
    if (receive(other, self, 'vote', member.term)) return { failoverMs: now - failedAt, terms: member.term - startTerm };
  }
}

describe('failover with pre-vote on and off, against an election-level model of raft (independent of the closed form)', () => {
  const TRIALS = 40_000;
  it.each([
    [100, 1000, true],
    [100, 1000, false],
    [500, 2500, true],
    [500, 2500, false],
    [130, 1300, false],
  ])('heartbeat %i ms, election %i ms, pre-vote %s', (heartbeatMs, electionTimeoutMs, preVote) => {
    const result = etcdTiming({ heartbeatMs, electionTimeoutMs, preVote });
    const bounds = result.leaderFailoverMs!;
    const random = mulberry32(electionTimeoutMs + (preVote ? 1 : 0));
    const runs = Array.from({ length: TRIALS }, () => simulateElection(heartbeatMs, result.electionTicks, preVote, random));
    const failovers = runs.map((run) => run.failoverMs);
    expect(Math.min(...failovers)).toBeGreaterThanOrEqual(bounds.best);
    expect(Math.max(...failovers)).toBeLessThanOrEqual(bounds.worst);
    // The worst is approached, not just respected: within half a heartbeat (one more tick would be a full one).
    expect(bounds.worst - Math.max(...failovers)).toBeLessThan(heartbeatMs / 2);
    const secondElections = runs.filter((run) => run.terms > 1).length / TRIALS;
    if (process.env['ETCD_TIMING_REPORT']) {
      const beyond = failovers.filter((failover) => failover > bounds.firstRoundWorst).length / TRIALS;
      console.log(JSON.stringify({ heartbeatMs, electionTimeoutMs, preVote, max: Math.max(...failovers), secondElections, beyond }));
    }
    if (preVote) {
      // Pre-vote spends no term on a refused campaign: every failover is one term and within the first round.
      expect(runs.every((run) => run.terms === 1)).toBe(true);
      expect(bounds.worst).toBe(bounds.firstRoundWorst);
    } else {
      // 1/T within four standard errors of the simulated share.
      const standardError = Math.sqrt((bounds.secondElectionShare * (1 - bounds.secondElectionShare)) / TRIALS);
      expect(Math.abs(secondElections - bounds.secondElectionShare)).toBeLessThan(4 * standardError);
      const beyondFirstRound = failovers.filter((failover) => failover > bounds.firstRoundWorst).length / TRIALS;
      expect(beyondFirstRound).toBeGreaterThan(0);
      expect(beyondFirstRound).toBeLessThanOrEqual(secondElections);
    }
  });
});

describe('tuning guide advice', () => {
  it.each([
    [undefined, { heartbeatMs: 100, electionTimeoutMs: 1000 }],
    [0.5, { heartbeatMs: 100, electionTimeoutMs: 1000 }],
    [2, { heartbeatMs: 100, electionTimeoutMs: 1000 }],
    [130, { heartbeatMs: 130, electionTimeoutMs: 1300 }],
    [400, { heartbeatMs: 400, electionTimeoutMs: 4000 }],
    [123.4, { heartbeatMs: 130, electionTimeoutMs: 1300 }],
    [6_000, { heartbeatMs: 5_000, electionTimeoutMs: 50_000 }],
  ])('RTT %s ms -> %j', (rttMs, expected) => {
    expect(recommendFlags(rttMs)).toEqual(expected);
    expect(etcdTiming({ heartbeatMs: 100, electionTimeoutMs: 1000, ...(rttMs === undefined ? {} : { rttMs }) }).recommended).toEqual(expected);
    expect(etcdValidationErrors(expected.heartbeatMs, expected.electionTimeoutMs)).toEqual([]);
  });

  it('warns when the heartbeat is under half the RTT and the election timeout under 10 × RTT', () => {
    const codes = etcdTiming({ heartbeatMs: 100, electionTimeoutMs: 1000, rttMs: 250 }).notes.map((note) => note.code);
    expect(codes).toEqual(['heartbeat-below-rtt', 'election-below-10-rtt', 'split-vote', 'isolated-leader']);
    const fine = etcdTiming({ heartbeatMs: 130, electionTimeoutMs: 1300, rttMs: 130 }).notes.map((note) => note.code);
    expect(fine).toEqual(['split-vote', 'isolated-leader']);
  });

  it("presets: etcd's defaults, cross-zone and cross-region are the advice for their RTT; the slow-disk profile is OpenShift's Slower", () => {
    expect(ETCD_TIMING_PRESETS.map((preset) => preset.id)).toEqual(['same-zone', 'multi-zone', 'slow-disk', 'cross-region']);
    for (const preset of ETCD_TIMING_PRESETS) {
      expect(preset.preVote).toBe(true);
      expect(etcdTiming(preset).valid).toBe(true);
      const advice = recommendFlags(preset.rttMs);
      if (preset.id === 'slow-disk') {
        expect(preset).toMatchObject({ heartbeatMs: 500, electionTimeoutMs: 2500 });
        expect(preset.heartbeatMs).toBeGreaterThan(advice.heartbeatMs);
        expect(preset.electionTimeoutMs).toBeGreaterThan(advice.electionTimeoutMs);
      } else {
        expect(advice).toEqual({ heartbeatMs: preset.heartbeatMs, electionTimeoutMs: preset.electionTimeoutMs });
      }
    }
  });
});

describe('input errors (CalcInputError) name the field', () => {
  it.each([
    [{ heartbeatMs: 100.5, electionTimeoutMs: 1000 }, 'heartbeatMs', 'must be a whole number'],
    [{ heartbeatMs: -1, electionTimeoutMs: 1000 }, 'heartbeatMs', 'must be at least 0'],
    [{ heartbeatMs: 100, electionTimeoutMs: Number.NaN }, 'electionTimeoutMs', 'must be a whole number'],
    [{ heartbeatMs: 100, electionTimeoutMs: 3_600_001 }, 'electionTimeoutMs', 'must be at most 3600000'],
    [{ heartbeatMs: 100, electionTimeoutMs: 1000, rttMs: 0 }, 'rttMs', 'must be greater than 0'],
    [{ heartbeatMs: 100, electionTimeoutMs: 1000, rttMs: '2' }, 'rttMs', 'must be a number'],
    [{ heartbeatMs: 100, electionTimeoutMs: 1000, preVote: 'yes' }, 'preVote', 'must be true or false'],
  ])('%j -> %s', (input, path, message) => {
    const error = inputError(() => etcdTiming(input as never));
    expect(error.issues).toEqual([{ path, message }]);
  });
});
