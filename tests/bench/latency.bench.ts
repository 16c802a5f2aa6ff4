import { test } from 'vitest';
import { WRITE_LATENCY_PRESETS, writeLatency, writeLatencyBySize, writeLatencyDistribution } from '../../src/lib/calc/write-latency';

const multiZone = WRITE_LATENCY_PRESETS[1]!;

// Targets (read from the printed table, not asserted): a 100k-sample Monte Carlo under 100 ms per run,
// the closed form well under 16 ms (one animation frame).
test('write latency: Monte Carlo and closed form', async ({ bench }) => {
  await bench.compare(
    bench('writeLatencyDistribution 100k samples, 3 members', () => {
      writeLatencyDistribution({ members: 3, rtt: multiZone.rtt, fsync: multiZone.fsync, samples: 100_000, seed: 1 });
    }),
    bench('writeLatencyDistribution 100k samples, 5 members (+ the 3-member comparison)', () => {
      writeLatencyDistribution({ members: 5, rtt: multiZone.rtt, fsync: multiZone.fsync, samples: 100_000, seed: 1 });
    }),
    bench('writeLatencyBySize 5 sizes x 20k samples (chart)', () => {
      writeLatencyBySize({ rtt: multiZone.rtt, fsync: multiZone.fsync, samples: 20_000, seed: 1 });
    }),
    bench('writeLatency closed form, 5 members', () => {
      writeLatency({ members: 5, rttMs: [0.5, 1, 2, 50], fsyncMs: 1 });
    }),
    { iterations: 20, time: 500 },
  );
});
