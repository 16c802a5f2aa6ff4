import { test } from 'vitest';
import { availability, availabilityBySize, quorum, topology, zoneLoss } from '../../src/lib/calc';

// Target (read from the printed table, not asserted): availability at 101 members well under 16 ms, one frame.
test('availability: binomial tails in 40-digit decimals', async ({ bench }) => {
  await bench.compare(
    bench('availability, 101 members, p = 0.999', () => {
      availability({ members: 101, memberAvailability: 0.999 });
    }),
    bench('availability, 101 members, MTBF 8760 h / MTTR 4 h', () => {
      availability({ members: 101, mtbfHours: 8760, mttrHours: 4 });
    }),
    bench('availability, 5 members, p = 0.99', () => {
      availability({ members: 5, memberAvailability: 0.99 });
    }),
    bench('availabilityBySize, N = 1..15 (the chart)', () => {
      availabilityBySize({ maxMembers: 15, memberAvailability: 0.99 });
    }),
    bench('availabilityBySize, N = 1..101', () => {
      availabilityBySize({ maxMembers: 101, memberAvailability: 0.99 });
    }),
    { iterations: 50, time: 500 },
  );
});

test('quorum, zone loss and topology', async ({ bench }) => {
  await bench.compare(
    bench('quorum, 101 members', () => {
      quorum({ members: 101, learners: 1 });
    }),
    bench('zoneLoss, 12 zones', () => {
      zoneLoss({ membersPerZone: [9, 9, 9, 9, 8, 8, 8, 8, 8, 8, 8, 9] });
    }),
    bench('topology, 5 stacked masters over 3 zones', () => {
      topology({ controlPlaneNodes: 5, workers: 20, etcd: { topology: 'stacked' }, loadBalancer: 'load-balancer', zones: [2, 2, 1] });
    }),
    { iterations: 50, time: 200 },
  );
});
