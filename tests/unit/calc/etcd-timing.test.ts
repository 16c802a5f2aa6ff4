import { describe, expect, it } from 'vitest';
import { inputError } from './helpers/input-error';
import { ETCD_TIMING_PRESETS, etcdTiming, etcdValidationErrors, recommendFlags } from '../../../src/lib/calc/etcd-timing';
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
  it("defaults 100/1000: 10 ticks, raft's timeout 10–19 ticks, failover 800–1900 ms", () => {
    const result = etcdTiming({ heartbeatMs: 100, electionTimeoutMs: 1000 });
    expect(result.electionTicks).toBe(10);
    expect(result.leaderFailoverMs).toEqual({ best: 800, worst: 1900 });
    expect(result.notes.map((note) => note.code)).toEqual(['isolated-leader']);
    expect(result.notes[0]?.message).toContain('1000–2000 ms');
  });

  it('adds three round trips (pre-vote, vote, first entry) when the RTT is known; two without pre-vote (etcd 3.4 default)', () => {
    expect(etcdTiming({ heartbeatMs: 100, electionTimeoutMs: 1000, rttMs: 2 }).leaderFailoverMs).toEqual({ best: 806, worst: 1906 });
    expect(etcdTiming({ heartbeatMs: 100, electionTimeoutMs: 1000, rttMs: 2, preVote: false }).leaderFailoverMs).toEqual({ best: 804, worst: 1904 });
  });

  it('ElectionTicks is integer division: 1050 ms at 100 ms heartbeats is 10 ticks', () => {
    const result = etcdTiming({ heartbeatMs: 100, electionTimeoutMs: 1050 });
    expect(result.electionTicks).toBe(10);
    expect(result.leaderFailoverMs).toEqual({ best: 800, worst: 1900 });
    expect(result.notes.find((note) => note.code === 'election-not-multiple')?.message).toContain('10 ticks, that is 1000 ms, not 1050 ms');
  });

  it('the minimum ratio of 5: timeout 5–9 ticks', () => {
    const result = etcdTiming({ heartbeatMs: 100, electionTimeoutMs: 500 });
    expect(result.leaderFailoverMs).toEqual({ best: 300, worst: 900 });
    expect(result.notes.some((note) => note.code === 'ratio-not-10')).toBe(true);
  });

  it('no estimate when the heartbeat is 0 or the timeout is under one heartbeat', () => {
    expect(etcdTiming({ heartbeatMs: 0, electionTimeoutMs: 1000 })).toMatchObject({ electionTicks: 0, leaderFailoverMs: null });
    expect(etcdTiming({ heartbeatMs: 100, electionTimeoutMs: 50 })).toMatchObject({ electionTicks: 0, leaderFailoverMs: null });
    expect(etcdTiming({ heartbeatMs: 100, electionTimeoutMs: 150 }).leaderFailoverMs).toEqual({ best: 0, worst: 100 });
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
    expect(codes).toEqual(['heartbeat-below-rtt', 'election-below-10-rtt', 'isolated-leader']);
    const fine = etcdTiming({ heartbeatMs: 130, electionTimeoutMs: 1300, rttMs: 130 }).notes.map((note) => note.code);
    expect(fine).toEqual(['isolated-leader']);
  });

  it('presets: the flags are the advice for their RTT, and etcd accepts them', () => {
    expect(ETCD_TIMING_PRESETS.map((preset) => preset.id)).toEqual(['same-zone', 'multi-zone', 'cross-region']);
    for (const preset of ETCD_TIMING_PRESETS) {
      expect(recommendFlags(preset.rttMs)).toEqual({ heartbeatMs: preset.heartbeatMs, electionTimeoutMs: preset.electionTimeoutMs });
      expect(etcdTiming(preset).valid).toBe(true);
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
