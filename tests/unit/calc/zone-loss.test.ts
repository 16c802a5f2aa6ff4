import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { zoneLoss } from '../../../src/lib/calc';
import { inputError } from './helpers/input-error';

/** Brute force: every subset of zones of size k must leave more than half of the members. */
function bruteForceZoneLossesTolerated(membersPerZone: number[]): number {
  const total = membersPerZone.reduce((sum, count) => sum + count, 0);
  const zones = membersPerZone.length;
  let best = 0;
  for (let k = 1; k <= zones; k++) {
    let allSurvive = true;
    for (let mask = 0; mask < 1 << zones; mask++) {
      let bits = 0;
      let lost = 0;
      for (let zone = 0; zone < zones; zone++) {
        if (mask & (1 << zone)) {
          bits++;
          lost += membersPerZone[zone] ?? 0;
        }
      }
      // A quorum is a strict majority: survivors * 2 > total.
      if (bits === k && (total - lost) * 2 <= total) allSurvive = false;
    }
    if (!allSurvive) break;
    best = k;
  }
  return best;
}

describe('zoneLoss', () => {
  it.each([
    // membersPerZone, survives any one zone, zones tolerated (calc-facts §5 "Zones")
    [[1, 1, 1], true, 1],
    [[2, 2, 1], true, 1],
    [[2, 1], false, 0],
    [[2, 2], false, 0],
    [[3], false, 0],
    [[1, 1, 1, 1, 1], true, 2],
    [[2, 2, 2, 1], true, 1],
    [[3, 1, 1], false, 0],
    [[1, 1, 1, 1, 1, 1, 1], true, 3],
  ])('%j: survives any zone loss = %s, tolerates %i zones', (membersPerZone, survives, tolerated) => {
    const result = zoneLoss({ membersPerZone });
    expect(result.survivesAnyZoneLoss).toBe(survives);
    expect(result.zoneLossesTolerated).toBe(tolerated);
    expect(result.zoneLossesTolerated).toBe(bruteForceZoneLossesTolerated(membersPerZone));
  });

  it('agrees with the brute force over every subset of zones, for any layout', () => {
    const layouts = fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 8 }).filter((list) => list.some((n) => n > 0));
    fc.assert(
      fc.property(layouts, (membersPerZone) => {
        expect(zoneLoss({ membersPerZone }).zoneLossesTolerated).toBe(bruteForceZoneLossesTolerated(membersPerZone));
      }),
    );
  });

  it('reports members, quorum and tolerance of the whole cluster', () => {
    expect(zoneLoss({ membersPerZone: [2, 2, 1] })).toMatchObject({ members: 5, quorum: 3, faultTolerance: 2 });
  });

  it('gives a sound three-zone layout no note', () => {
    expect(zoneLoss({ membersPerZone: [2, 2, 1] }).notes).toEqual([]);
  });

  it('names the zone whose loss breaks quorum', () => {
    const { notes } = zoneLoss({ membersPerZone: [1, 3, 1] });
    expect(notes.map((note) => note.code)).toEqual(['zone-loss-breaks-quorum']);
    expect(notes[0]?.message).toBe('Losing zone 2 (3 of 5 members) leaves 2, below the quorum of 3.');
  });

  it('explains why two zones never survive', () => {
    const codes = zoneLoss({ membersPerZone: [2, 2] }).notes.map((note) => note.code);
    expect(codes).toEqual(['two-zones', 'zone-loss-breaks-quorum', 'zone-loss-breaks-quorum']);
  });

  it('flags a single zone and empty zones', () => {
    expect(zoneLoss({ membersPerZone: [3] }).notes.map((note) => note.code)).toEqual(['single-zone']);
    expect(zoneLoss({ membersPerZone: [1, 1, 1, 0] }).notes.map((note) => note.code)).toEqual(['empty-zone']);
  });

  it.each([
    [{ membersPerZone: [] }, 'membersPerZone', 'must name at least one zone'],
    [{ membersPerZone: [0, 0] }, 'membersPerZone', 'must hold at least 1 member in total'],
    [{ membersPerZone: [100, 2] }, 'membersPerZone', 'must hold at most 101 members in total'],
    [{ membersPerZone: new Array(13).fill(1) }, 'membersPerZone', 'must have at most 12 zones'],
    [{ membersPerZone: [1, -1, 1] }, 'membersPerZone.1', 'must be at least 0'],
    [{ membersPerZone: [1, 1.5] }, 'membersPerZone.1', 'must be a whole number'],
    [{ membersPerZone: ['1'] }, 'membersPerZone.0', 'must be a whole number'],
    [{ membersPerZone: 3 }, 'membersPerZone', 'must be a list of member counts'],
  ])('rejects %j naming %s', (input, path, message) => {
    const error = inputError(() => zoneLoss(input as never));
    expect(error.issues).toEqual([{ path, message }]);
  });
});
