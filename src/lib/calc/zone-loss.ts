import * as z from 'zod/mini';
import type { Note } from './errors';
import { parseInput, wholeNumber } from './_internal/validate';
import { MAX_MEMBERS, majorityOf } from './quorum';

/** Most failure zones accepted; real regions have three to six. */
export const MAX_ZONES = 12;

export interface ZoneLossInput {
  /** Voting etcd members in each failure zone, e.g. `[2, 2, 1]`. 1..12 zones, each 0..101, total 1..101. */
  membersPerZone: number[];
}

export interface ZoneLossResult {
  /** Total voting members across all zones. */
  members: number;
  /** ⌊members/2⌋ + 1. */
  quorum: number;
  /** members − quorum: member failures tolerated, wherever they happen. */
  faultTolerance: number;
  /** True when losing any single zone still leaves a quorum, i.e. the largest zone holds ≤ faultTolerance members. */
  survivesAnyZoneLoss: boolean;
  /** Largest k such that losing ANY k zones (the worst case: the k largest) still leaves a quorum; 0..zones−1. */
  zoneLossesTolerated: number;
  notes: Note[];
}

const zoneLossSchema = z.object({
  membersPerZone: z
    .array(wholeNumber(0, MAX_MEMBERS), { error: 'must be a list of member counts' })
    .check(
      z.minLength(1, { error: 'must name at least one zone' }),
      z.maxLength(MAX_ZONES, { error: `must have at most ${MAX_ZONES} zones` }),
      z.refine((counts) => counts.length === 0 || counts.reduce((sum, count) => sum + count, 0) >= 1, { error: 'must hold at least 1 member in total' }),
      z.refine((counts) => counts.reduce((sum, count) => sum + count, 0) <= MAX_MEMBERS, {
        error: `must hold at most ${MAX_MEMBERS} members in total`,
      }),
    ),
});

/**
 * Whether an etcd cluster spread over failure zones keeps a quorum when whole zones fail.
 *
 * A zone failure removes all of its members at once, so the worst loss of k zones is the k largest. The cluster
 * survives it iff members − (sum of the k largest zones) ≥ quorum, with quorum = ⌊N/2⌋ + 1 (etcd FAQ). For a single
 * zone that is: largest zone ≤ N − quorum (derived in calc-facts §5, "Zones"). Examples: 1/1/1 and 2/2/1 survive
 * any one zone; 2/1 and 2/2 do not. The Kubernetes "Running in multiple zones" guide asks for at least three zones.
 *
 * Notes: `single-zone` (warning), `two-zones` (warning: one of two zones always holds at least half the members),
 * `zone-loss-breaks-quorum` (critical, names the zone), `empty-zone` (info).
 *
 * @throws CalcInputError naming `membersPerZone` (or `membersPerZone.<i>`) for a bad list or count.
 */
export function zoneLoss(input: ZoneLossInput): ZoneLossResult {
  const { membersPerZone } = parseInput('zoneLoss', zoneLossSchema, input);
  const members = membersPerZone.reduce((sum, count) => sum + count, 0);
  const majority = majorityOf(members);
  const largestFirst = [...membersPerZone].sort((a, b) => b - a);

  let zoneLossesTolerated = 0;
  let remaining = members;
  for (const zoneMembers of largestFirst) {
    remaining -= zoneMembers;
    if (remaining < majority) break;
    zoneLossesTolerated += 1;
  }

  return {
    members,
    quorum: majority,
    faultTolerance: members - majority,
    survivesAnyZoneLoss: zoneLossesTolerated >= 1,
    zoneLossesTolerated,
    notes: zoneNotes(membersPerZone, members, majority),
  };
}

function zoneNotes(membersPerZone: readonly number[], members: number, majority: number): Note[] {
  const notes: Note[] = [];
  const tolerance = members - majority;
  if (membersPerZone.length === 1) {
    notes.push({
      severity: 'warning',
      code: 'single-zone',
      message: 'Every member is in one zone: losing that zone stops the cluster. Spread members over at least three zones.',
    });
  } else if (membersPerZone.length === 2) {
    notes.push({
      severity: 'warning',
      code: 'two-zones',
      message: 'With two zones, one of them always holds at least half of the members, so losing it loses the quorum. Use three zones.',
    });
  }
  if (membersPerZone.length > 1) {
    membersPerZone.forEach((zoneMembers, index) => {
      if (zoneMembers > tolerance) {
        notes.push({
          severity: 'critical',
          code: 'zone-loss-breaks-quorum',
          message: `Losing zone ${index + 1} (${zoneMembers} of ${members} members) leaves ${members - zoneMembers}, below the quorum of ${majority}.`,
        });
      }
    });
  }
  if (membersPerZone.some((count) => count === 0)) {
    notes.push({ severity: 'info', code: 'empty-zone', message: 'A zone with no members adds nothing to the cluster\u2019s resilience.' });
  }
  return notes;
}
