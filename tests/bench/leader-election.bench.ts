import { test } from 'vitest';
import { leaderElection, simulateLeaderElection } from '../../src/lib/calc/leader-election';

const kubernetesDefault = { leaseDurationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: 2 };

// Targets (read from the printed table, not asserted): the 100k-trial simulation under 100 ms per run,
// the closed forms well under 16 ms (one animation frame).
test('leader election: simulation and closed forms', async ({ bench }) => {
  await bench.compare(
    bench('simulateLeaderElection 100k trials, 2 standbys, ReleaseOnCancel', () => {
      simulateLeaderElection({ ...kubernetesDefault, standbys: 2, releaseOnCancel: true, trials: 100_000, seed: 1 });
    }),
    bench('simulateLeaderElection 100k trials, 1 standby', () => {
      simulateLeaderElection({ ...kubernetesDefault, standbys: 1, trials: 100_000, seed: 1 });
    }),
    bench('leaderElection closed forms, 2 standbys', () => {
      leaderElection({ ...kubernetesDefault, standbys: 2, releaseOnCancel: true });
    }),
    { iterations: 20, time: 500 },
  );
});
