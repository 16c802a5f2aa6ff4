import { describe, expect, it } from 'vitest';
import { inputError } from './helpers/input-error';
import {
  CHART_CLUSTER_SIZES,
  WRITE_LATENCY_PRESETS,
  writeLatency,
  writeLatencyBySize,
  writeLatencyDistribution,
} from '../../../src/lib/calc/write-latency';

const codes = (notes: readonly { code: string }[]) => notes.map((note) => note.code);

describe('writeLatency: commit = max(leader fsync, (quorum − 1)-th fastest rtt + fsync)', () => {
  it.each([
    // members, rttMs, fsyncMs, extra, commitMs, requestMs
    ['one member: the local fsync only', 1, 5, 2, {}, 2, 2],
    ['one member, an empty rtt list', 1, [], 2, {}, 2, 2],
    ['two members: the follower is needed', 2, [3], 1, {}, 4, 4],
    ['three members, equal links: RTT + fsync (etcd performance.md floor)', 3, 0.5, 1, {}, 1.5, 1.5],
    ['three members: the nearer follower decides', 3, [0.5, 2], 1, {}, 1.5, 1.5],
    ['four members: the 2nd fastest follower', 4, [0.5, 2, 9], 1, {}, 3, 3],
    ['five members: the 2nd fastest of four', 5, [0.5, 1, 2, 50], 1, {}, 2, 2],
    ['a slow leader disk sets the pace', 3, [0.5, 2], 1, { leaderFsyncMs: 5 }, 5, 5],
    ['client round trip added', 3, [0.5, 2], 1, { clientRttMs: 0.3 }, 1.5, 1.8],
    ['via a follower: one more round trip to the leader (rttMs[0])', 3, [0.5, 2], 1, { clientRttMs: 0.3, via: 'follower' }, 1.5, 2.3],
    ['via a follower that is far away', 3, [2, 0.5], 1, { via: 'follower' }, 1.5, 3.5],
  ] as const)('%s', (_name, members, rttMs, fsyncMs, extra, commitMs, requestMs) => {
    const result = writeLatency({ members, rttMs: Array.isArray(rttMs) ? [...rttMs] : (rttMs as number), fsyncMs, ...extra });
    expect(result.commitMs).toBeCloseTo(commitMs, 12);
    expect(result.requestMs).toBeCloseTo(requestMs, 12);
    expect(result.quorum).toBe(Math.floor(members / 2) + 1);
  });

  it('notes: slow disk, far deciding follower, and more members waiting for slower followers', () => {
    expect(codes(writeLatency({ members: 3, rttMs: 0.5, fsyncMs: 1 }).notes)).toEqual([]);
    expect(codes(writeLatency({ members: 3, rttMs: 0.5, fsyncMs: 12 }).notes)).toEqual(['fsync-slow']);
    expect(codes(writeLatency({ members: 3, rttMs: 0.5, fsyncMs: 1, leaderFsyncMs: 10.5 }).notes)).toEqual(['fsync-slow']);
    expect(codes(writeLatency({ members: 3, rttMs: 60, fsyncMs: 1 }).notes)).toEqual(['rtt-high']);
    // One far member does not slow a three-member cluster while the near one is up.
    expect(codes(writeLatency({ members: 3, rttMs: [1, 80], fsyncMs: 1 }).notes)).toEqual([]);
    const five = writeLatency({ members: 5, rttMs: [0.5, 1, 2, 50], fsyncMs: 1 });
    expect(codes(five.notes)).toEqual(['more-members-slower']);
    expect(five.notes[0]?.message).toContain('2nd fastest follower (2 ms)');
    expect(five.notes[0]?.message).toContain('fastest (1.5 ms)');
    expect(codes(writeLatency({ members: 5, rttMs: 1, fsyncMs: 1 }).notes)).toEqual([]);
  });

  it.each([
    [5, '2nd'],
    [7, '3rd'],
    [9, '4th'],
    [23, '11th'],
    [25, '12th'],
    [27, '13th'],
    [45, '22nd'],
    [43, '21st'],
  ])('%i members wait for the %s fastest follower', (members, ordinal) => {
    const rttMs = Array.from({ length: members - 1 }, (_unused, index) => index + 1);
    const result = writeLatency({ members, rttMs, fsyncMs: 0 });
    expect(result.commitMs).toBe(result.quorum - 1);
    expect(result.notes.find((note) => note.code === 'more-members-slower')?.message).toContain(`the ${ordinal} fastest follower`);
  });

  it('presets: multi-zone is slower than same zone, cross-region far slower and flagged', () => {
    const [sameZone, multiZone, crossRegion] = WRITE_LATENCY_PRESETS.map((preset) => writeLatency({ members: 3, ...preset }));
    expect(sameZone?.commitMs).toBeCloseTo(0.45 + 0.78, 12);
    expect(multiZone?.commitMs).toBeCloseTo(1.3 + 0.78, 12);
    expect(crossRegion?.commitMs).toBeCloseTo(50.78, 12);
    expect(codes(writeLatency({ members: 3, ...WRITE_LATENCY_PRESETS[2]!, rttMs: 130 }).notes)).toEqual(['rtt-high']);
  });

  it.each([
    [{ members: 0, rttMs: 1, fsyncMs: 1 }, 'members', 'must be at least 1'],
    [{ members: 3, rttMs: 'x', fsyncMs: 1 }, 'rttMs', 'must be a number or a list of numbers'],
    [{ members: 3, rttMs: [1, -1], fsyncMs: 1 }, 'rttMs.1', 'must be at least 0'],
    [{ members: 3, rttMs: [1, 2, 3], fsyncMs: 1 }, 'rttMs', 'must list 2 round trips, one per follower (members − 1), not 3'],
    [{ members: 3, rttMs: 1, fsyncMs: Number.NaN }, 'fsyncMs', 'must be a number'],
    [{ members: 3, rttMs: 1, fsyncMs: 1, leaderFsyncMs: -2 }, 'leaderFsyncMs', 'must be at least 0'],
    [{ members: 3, rttMs: 1, fsyncMs: 1, via: 'client' }, 'via', "must be 'leader' or 'follower'"],
    [{ members: 1, rttMs: 1, fsyncMs: 1, via: 'follower' }, 'via', "must be 'leader' for a one-member cluster"],
  ])('%j -> %s', (input, path, message) => {
    const error = inputError(() => writeLatency(input as never));
    expect(error.issues).toEqual([{ path, message }]);
    expect(error.message).toBe(`writeLatency: ${path} ${message}`);
  });
});

/** Standard normal CDF (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7), for an independent analytic check. */
function normalCdf(x: number): number {
  const t = 1 / (1 + (0.327_591_1 * Math.abs(x)) / Math.SQRT2);
  const poly = t * (0.254_829_592 + t * (-0.284_496_736 + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
  const erf = 1 - poly * Math.exp(-(x * x) / 2);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

function logNormalCdf(valueMs: number, medianMs: number, p99Ms: number): number {
  if (valueMs <= 0) return 0;
  const sigma = Math.log(p99Ms / medianMs) / 2.326_347_874;
  return normalCdf(Math.log(valueMs / medianMs) / sigma);
}

function solve(cdf: (value: number) => number, target: number): number {
  let low = 0;
  let high = 1000;
  for (let step = 0; step < 100; step += 1) {
    const middle = (low + high) / 2;
    if (cdf(middle) < target) low = middle;
    else high = middle;
  }
  return low;
}

describe('writeLatencyDistribution (Monte Carlo)', { timeout: 60_000 }, () => {
  const ssd = { medianMs: 0.78, p99Ms: 2.38 };

  it('with no spread it equals writeLatency', () => {
    const result = writeLatencyDistribution({ members: 5, rtt: { medianMs: 2, p99Ms: 2 }, fsync: { samplesMs: [1] }, clientRttMs: 0.5, samples: 1000 });
    const exact = writeLatency({ members: 5, rttMs: 2, fsyncMs: 1, clientRttMs: 0.5 }).requestMs;
    expect(result).toMatchObject({ members: 5, quorum: 3, samples: 1000, p50Ms: exact, p90Ms: exact, p99Ms: exact });
    expect(result.meanMs).toBeCloseTo(exact, 12);
  });

  it('one member reproduces the fitted disk distribution: median and p99 as given', () => {
    const result = writeLatencyDistribution({ members: 1, rtt: ssd, fsync: { medianMs: 1, p99Ms: 12 }, samples: 200_000, seed: 3 });
    expect(result.p50Ms).toBeCloseTo(1, 1);
    expect(Math.abs(result.p99Ms / 12 - 1)).toBeLessThan(0.03);
    expect(codes(result.notes)).toEqual(['fsync-slow']);
  });

  it('three members match the analytic distribution max(F_L, r + min(F_1, F_2)) for a fixed link', () => {
    const rttMs = 1.3;
    const cdf = (value: number) => {
      const disk = logNormalCdf(value, ssd.medianMs, ssd.p99Ms);
      const follower = logNormalCdf(value - rttMs, ssd.medianMs, ssd.p99Ms);
      return disk * (1 - (1 - follower) ** 2);
    };
    const result = writeLatencyDistribution({ members: 3, rtt: { medianMs: rttMs, p99Ms: rttMs }, fsync: ssd, samples: 200_000, seed: 4 });
    expect(Math.abs(result.p50Ms / solve(cdf, 0.5) - 1)).toBeLessThan(0.01);
    expect(Math.abs(result.p90Ms / solve(cdf, 0.9) - 1)).toBeLessThan(0.02);
    expect(Math.abs(result.p99Ms / solve(cdf, 0.99) - 1)).toBeLessThan(0.04);
  });

  it('the leader’s own disk is drawn from leaderFsync, not from the followers’ disk', () => {
    // Followers answer in 1 ms (link 1 + disk 0) every time; the leader's disk takes 10 ms every time: every write is 10 ms.
    const slowLeader = writeLatencyDistribution({ members: 3, rtt: { samplesMs: [1] }, fsync: { samplesMs: [0] }, leaderFsync: { samplesMs: [10] }, samples: 1000 });
    expect([slowLeader.p50Ms, slowLeader.p99Ms, slowLeader.meanMs]).toEqual([10, 10, 10]);
    // One member: the write is the leader's fsync alone.
    const alone = writeLatencyDistribution({ members: 1, rtt: { samplesMs: [1] }, fsync: { samplesMs: [0] }, leaderFsync: { samplesMs: [7] }, samples: 100 });
    expect(alone.p50Ms).toBe(7);
  });

  it('a slow leader disk matches the analytic distribution max(F_leader, r + min(F_1, F_2)) for a fixed link', () => {
    const rttMs = 1.3;
    const slowDisk = { medianMs: 4, p99Ms: 20 };
    const cdf = (value: number) => {
      const leader = logNormalCdf(value, slowDisk.medianMs, slowDisk.p99Ms);
      const follower = logNormalCdf(value - rttMs, ssd.medianMs, ssd.p99Ms);
      return leader * (1 - (1 - follower) ** 2);
    };
    const result = writeLatencyDistribution({ members: 3, rtt: { medianMs: rttMs, p99Ms: rttMs }, fsync: ssd, leaderFsync: slowDisk, samples: 200_000, seed: 6 });
    expect(Math.abs(result.p50Ms / solve(cdf, 0.5) - 1)).toBeLessThan(0.01);
    expect(Math.abs(result.p99Ms / solve(cdf, 0.99) - 1)).toBeLessThan(0.04);
  });

  it('via a follower adds that follower’s link; measured samples are drawn as given', () => {
    const viaLeader = writeLatencyDistribution({ members: 3, rtt: { samplesMs: [1, 3] }, fsync: { samplesMs: [0] }, samples: 10_000, seed: 2 });
    const viaFollower = writeLatencyDistribution({ members: 3, rtt: { samplesMs: [1, 3] }, fsync: { samplesMs: [0] }, via: 'follower', samples: 10_000, seed: 2 });
    // min of two draws from {1, 3}: 1 with probability 3/4.
    expect(viaLeader.p50Ms).toBe(1);
    expect(viaLeader.p90Ms).toBe(3);
    expect(viaLeader.meanMs).toBeCloseTo(1.5, 1);
    expect(viaFollower.meanMs).toBeCloseTo(1.5 + 2, 1);
  });

  it('a link with no delay (median and p99 both 0) adds nothing', () => {
    const result = writeLatencyDistribution({ members: 3, rtt: { medianMs: 0, p99Ms: 0 }, fsync: { samplesMs: [2] }, samples: 100 });
    expect([result.p50Ms, result.p99Ms]).toEqual([2, 2]);
  });

  it('uses 20 000 samples unless told otherwise', () => {
    expect(writeLatencyDistribution({ members: 3, rtt: ssd, fsync: ssd }).samples).toBe(20_000);
  });

  it('is reproducible from its seed', () => {
    const input = { members: 5, rtt: { medianMs: 1.3, p99Ms: 2.1 }, fsync: ssd, samples: 5000 };
    expect(writeLatencyDistribution({ ...input, seed: 9 })).toEqual(writeLatencyDistribution({ ...input, seed: 9 }));
    expect(writeLatencyDistribution({ ...input, seed: 9 }).p50Ms).not.toBe(writeLatencyDistribution({ ...input, seed: 10 }).p50Ms);
  });

  it('notes: more members raise the median; far links flagged', () => {
    const five = writeLatencyDistribution({ members: 5, rtt: { medianMs: 1.3, p99Ms: 2.1 }, fsync: ssd, samples: 20_000 });
    expect(codes(five.notes)).toEqual(['more-members-slower']);
    expect(five.notes[0]?.message).toMatch(/^With 5 members each write waits for the 2nd fastest of 4 followers: median [\d.]+ ms against [\d.]+ ms with three members/);
    const crossRegion = writeLatencyDistribution({ members: 3, ...WRITE_LATENCY_PRESETS[2]!, samples: 2000 });
    expect(codes(crossRegion.notes)).toEqual([]);
    expect(codes(writeLatencyDistribution({ members: 3, rtt: { medianMs: 60, p99Ms: 130 }, fsync: ssd, samples: 2000 }).notes)).toEqual(['rtt-high']);
    expect(codes(writeLatencyDistribution({ members: 3, rtt: ssd, fsync: ssd, leaderFsync: { samplesMs: [1, 2, 30] }, samples: 2000 }).notes)).toEqual(['fsync-slow']);
  });

  it.each([
    [{ members: 3, rtt: { medianMs: 2, p99Ms: 1 }, fsync: ssd }, 'rtt.p99Ms', 'must be at least medianMs'],
    [{ members: 3, rtt: ssd, fsync: ssd, leaderFsync: { medianMs: 5, p99Ms: 4 } }, 'leaderFsync.p99Ms', 'must be at least medianMs'],
    [{ members: 3, rtt: { medianMs: 0, p99Ms: 1 }, fsync: ssd }, 'rtt.medianMs', 'must be greater than 0 when p99Ms is'],
    [{ members: 3, rtt: { medianMs: -1, p99Ms: 1 }, fsync: ssd }, 'rtt.medianMs', 'must be at least 0'],
    [{ members: 3, rtt: { samplesMs: [] }, fsync: ssd }, 'rtt.samplesMs', 'must hold at least one sample'],
    [{ members: 3, rtt: { p50: 1 }, fsync: ssd }, 'rtt', 'must be { medianMs, p99Ms } or { samplesMs: [...] }'],
    [{ members: 3, rtt: ssd, fsync: ssd, samples: 0 }, 'samples', 'must be at least 1'],
    [{ members: 1, rtt: ssd, fsync: ssd, via: 'follower' }, 'via', "must be 'leader' for a one-member cluster"],
  ])('%j -> %s', (input, path, message) => {
    expect(inputError(() => writeLatencyDistribution(input as never)).issues).toEqual([{ path, message }]);
  });
});

describe('writeLatencyBySize (chart helper)', { timeout: 60_000 }, () => {
  it('median rises with cluster size 1, 3, 5, 7, 9 for the multi-zone preset', () => {
    const preset = WRITE_LATENCY_PRESETS[1]!;
    const points = writeLatencyBySize({ rtt: preset.rtt, fsync: preset.fsync, seed: 5 }); // 20 000 samples per size by default
    expect(points.map((point) => [point.members, point.quorum])).toEqual(CHART_CLUSTER_SIZES.map((members) => [members, Math.floor(members / 2) + 1]));
    for (let index = 1; index < points.length; index += 1) expect(points[index]!.p50Ms).toBeGreaterThan(points[index - 1]!.p50Ms);
    expect(points[0]?.p50Ms).toBeCloseTo(0.78, 1); // one member: the disk alone
  });

  it('uses the leader’s own disk for every size', () => {
    const points = writeLatencyBySize({ rtt: { samplesMs: [1] }, fsync: { samplesMs: [0] }, leaderFsync: { samplesMs: [10] }, sizes: [1, 3, 5], samples: 100 });
    expect(points.map((point) => point.p50Ms)).toEqual([10, 10, 10]);
  });

  it('takes chosen sizes and names bad ones', () => {
    expect(writeLatencyBySize({ rtt: { samplesMs: [1] }, fsync: { samplesMs: [1] }, sizes: [2, 4], samples: 10 }).map((point) => point.p99Ms)).toEqual([2, 2]);
    expect(inputError(() => writeLatencyBySize({ rtt: { samplesMs: [1] }, fsync: { samplesMs: [1] }, sizes: [0] })).issues[0]?.path).toBe('sizes.0');
    expect(inputError(() => writeLatencyBySize({ rtt: { medianMs: 3, p99Ms: 1 }, fsync: { samplesMs: [1] } })).issues[0]?.path).toBe('rtt.p99Ms');
  });
});
