import * as z from 'zod/mini';
import { CalcInputError, type Note } from './errors';
import { big, bigFromText, binomialRow, powers, type Big } from './_internal/bignumber';
import { numberBetween, parseInput, positiveNumber, wholeNumber } from './_internal/validate';
import { MAX_MEMBERS, majorityOf } from './quorum';
import { decimals, minutesAsDuration, plural } from './_internal/text';

/**
 * Nines beyond which the independent-failure model says nothing useful: above about five nines (26 s a year),
 * correlated failures (a zone, shared storage, a bad rollout, an operator) dominate, as Brooker's "Quorum
 * Availability" (2021) and Howard (2015) both caution. Figures above it are reported as "better than 99.999 %".
 */
export const MODEL_LIMIT_NINES = 5;

/** How a typed member availability was read: the fraction and a sentence saying how. */
export interface MemberAvailabilityReading {
  /** 0..1. */
  fraction: number;
  /** Whether the text was read as a percentage (`99.9`, `99.9 %`) rather than a fraction (`0.999`). */
  percent: boolean;
  /** E.g. `Read "99.9" as 99.9 % (0.999).` */
  description: string;
}

const DECIMAL_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;

/**
 * Reads one member's availability as people type it: `0.999` (a fraction, up to 1), `99.9` (a percentage: any
 * number above 1) or `99.9 %` / `99.9%` (a percentage, explicitly). The division by 100 is done in decimals, so
 * `99.9` gives exactly the double 0.999, the same as typing `0.999`.
 *
 * @throws CalcInputError on `memberAvailability`: empty, not a number, negative, or above 100 %.
 */
export function readMemberAvailability(text: string): MemberAvailabilityReading {
  const trimmed = text.trim();
  const explicitPercent = trimmed.endsWith('%');
  const number = (explicitPercent ? trimmed.slice(0, -1) : trimmed).trim();
  const fail = (message: string): never => {
    throw new CalcInputError('readMemberAvailability', [{ path: 'memberAvailability', message }]);
  };
  if (number === '') fail(explicitPercent ? 'needs a number before the %' : 'is required');
  if (!DECIMAL_TEXT.test(number)) fail('must be a fraction like 0.999 or a percentage like 99.9 %');
  const value = bigFromText(number);
  if (value.isNegative() && !value.isZero()) fail('must not be negative');
  const percent = explicitPercent || value.greaterThan(1);
  if (percent && value.greaterThan(100)) fail('must be at most 100 %');
  const fraction = (percent ? value.div(100) : value).toNumber();
  const asPercent = decimals(fraction * 100, 10);
  const description = percent
    ? `Read "${trimmed}" as ${asPercent} % (${decimals(fraction, 12)}).`
    : `Read "${trimmed}" as a fraction: ${asPercent} %.`;
  return { fraction, percent, description };
}

/** A percentage rounded to the first digit where it differs from 100 %, plus one: `99.97 %`, `99 %`. */
export function roundedPercent(fraction: number): string {
  const shortfall = 1 - fraction;
  if (shortfall <= 0) return '100 %';
  const places = Math.max(0, Math.ceil(-Math.log10(shortfall * 100)) + 1);
  // Never round up to 100 %: truncate instead, so 0.99996 reads 99.99 % rather than 100 %.
  const factor = 10 ** places;
  return `${decimals(Math.floor(fraction * 100 * factor) / factor, places)} %`;
}

/**
 * The answer in one sentence: how often the quorum is up, and the expected time without it per year, rounded to
 * what the model supports. Above MODEL_LIMIT_NINES it says correlated failures dominate instead of printing
 * more digits.
 *
 * @example availabilitySentence(availability({ members: 3, memberAvailability: 0.99 }))
 *   // '3 members that are each up 99 % of the time keep a quorum 99.97 % of the time: about 2.6 hours a year without one, if members fail independently.'
 */
export function availabilitySentence(result: AvailabilityResult): string {
  const who = `${plural(result.members, 'member')} that ${result.members === 1 ? 'is' : 'are each'} up ${roundedPercent(result.memberAvailability)} of the time`;
  if (result.nines > MODEL_LIMIT_NINES) {
    return `${who} keep${result.members === 1 ? 's' : ''} a quorum better than 99.999 % of the time in this model; at that level correlated failures (a zone, shared storage, a bad rollout) decide the real figure, not the member count.`;
  }
  return `${who} keep${result.members === 1 ? 's' : ''} a quorum ${roundedPercent(result.availability)} of the time: about ${minutesAsDuration(result.downtimeMinutesPerYear)} a year without one, if members fail independently.`;
}

/** Minutes in the 365-day year used for downtime: 365 × 24 × 60. */
export const MINUTES_PER_YEAR = 525_600;

/**
 * Upper bound of the returned `nines`. Beyond about 300 nines the unavailability no longer fits a double
 * (it underflows towards 0), and no real system is that reliable, so the figure is capped and a note says so.
 */
export const MAX_NINES = 300;

/** Largest MTBF accepted, in hours (about 1,141 years). */
export const MAX_MTBF_HOURS = 10_000_000;
/** Largest MTTR accepted, in hours (about 114 years). */
export const MAX_MTTR_HOURS = 1_000_000;

/** Per-member availability given directly, e.g. 0.999. */
export interface MemberAvailabilityInput {
  /** Voting members, 1..101. */
  members: number;
  /** Probability that one member is up, 0..1. */
  memberAvailability: number;
}

/** Per-member availability derived from failure and repair times: p = MTBF / (MTBF + MTTR). */
export interface MtbfInput {
  /** Voting members, 1..101. */
  members: number;
  /** Mean time between failures of one member, hours, > 0. */
  mtbfHours: number;
  /** Mean time to repair or replace one member, hours, > 0. */
  mttrHours: number;
}

/** Either form of the per-member figure; giving both is an error. */
export type AvailabilityInput = MemberAvailabilityInput | MtbfInput;

/** The cluster's availability; every probability is 0..1. */
export interface AvailabilityResult {
  /** Voting members, as given. */
  members: number;
  /** ⌊members/2⌋ + 1. */
  quorum: number;
  /** p, the availability of one member (given, or MTBF/(MTBF+MTTR)). */
  memberAvailability: number;
  /** Probability that at least a quorum of members is up, 0..1. */
  availability: number;
  /** Probability that fewer than a quorum are up, 0..1; computed directly, not as 1 − availability. */
  unavailability: number;
  /** −log10(unavailability), 0..MAX_NINES. 0.999 is 3 nines. */
  nines: number;
  /** unavailability × 525,600 (365-day year), minutes per year without a quorum. */
  downtimeMinutesPerYear: number;
  notes: Note[];
}

const sizeField = wholeNumber(1, MAX_MEMBERS);
const directFields = { memberAvailability: numberBetween(0, 1) };
const repairFields = { mtbfHours: positiveNumber(MAX_MTBF_HOURS), mttrHours: positiveNumber(MAX_MTTR_HOURS) };
/** Schemas by the name of the size field and the form of the per-member figure. */
const schemas = {
  members: { direct: z.object({ members: sizeField, ...directFields }), repair: z.object({ members: sizeField, ...repairFields }) },
  maxMembers: { direct: z.object({ maxMembers: sizeField, ...directFields }), repair: z.object({ maxMembers: sizeField, ...repairFields }) },
};

/** Member up/down probabilities as exact decimals, plus p as a number for the result. */
interface MemberOdds {
  up: Big;
  down: Big;
  memberAvailability: number;
}

/**
 * Availability of an etcd (Raft) cluster of independent members: the probability that at least a quorum
 * q = ⌊N/2⌋ + 1 of N members is up, each up with probability p.
 *
 *   unavailability U = Σ_{k=0}^{q−1} C(N,k) · p^k · u^(N−k),  u = 1 − p   (fewer than q up)
 *   availability   A = Σ_{k=q}^{N}   C(N,k) · p^k · u^(N−k)
 *
 * Both tails are summed directly in 40-digit decimals (mathjs BigNumber), so U keeps its full relative precision
 * even when A rounds to 1 in double precision (seven members at p = 0.9999 give U ≈ 3.5e-15). u comes from the
 * decimal string of p, or as MTTR/(MTBF + MTTR) directly. nines = −log10(U), capped at MAX_NINES (and MAX_NINES
 * when U = 0, i.e. p = 1) with a `nines-capped` note. downtimeMinutesPerYear = U × 525,600.
 *
 * The model is the binomial tail used by Heidi Howard ("Adding machines can decrease availability of a distributed
 * system", 2015) and Marc Brooker ("Quorum Availability", 2021). It assumes independent failures; correlated
 * failures (a zone, a shared disk array, a bad rollout) make real clusters less available.
 *
 * Notes: `below-half` (warning, p < 0.5: a majority quorum is then less available than a single member),
 * `even-members` (warning: N − 1 members are more available), `independent-failures` (info, always),
 * `nines-capped` (info).
 *
 * @throws CalcInputError naming the field: members 1..101; memberAvailability 0..1; mtbfHours, mttrHours > 0;
 *   giving both forms at once is an error on `memberAvailability`.
 */
export function availability(input: AvailabilityInput): AvailabilityResult {
  const { size: members, odds } = parseSizeAndOdds('availability', 'members', input);
  const point = clusterAvailability(members, powerTables(odds, members));
  return { ...point, notes: availabilityNotes(members, odds, point.nines) };
}

/** The chart's largest size plus either form of the per-member figure, as for `availability`. */
export type AvailabilityBySizeInput = { maxMembers: number } & (Omit<MemberAvailabilityInput, 'members'> | Omit<MtbfInput, 'members'>);

/** One point of the "nines by cluster size" chart; same meaning as the fields of AvailabilityResult. */
export type AvailabilityBySizePoint = Omit<AvailabilityResult, 'notes'>;

/**
 * Availability, unavailability and nines for every cluster size N = 1..maxMembers at one member availability
 * p (given, or from MTBF and MTTR), for the "nines by cluster size" chart. Same formula as `availability`. With p > 0.5 odd sizes climb and each
 * even size sits below the odd size before it (Howard 2015: two members are worse than one).
 *
 * @throws CalcInputError naming `maxMembers` (1..101) or the per-member field, as for `availability`.
 */
export function availabilityBySize(input: AvailabilityBySizeInput): AvailabilityBySizePoint[] {
  const { size: maxMembers, odds } = parseSizeAndOdds('availabilityBySize', 'maxMembers', input);
  const tables = powerTables(odds, maxMembers);
  const points: AvailabilityBySizePoint[] = [];
  for (let members = 1; members <= maxMembers; members++) points.push(clusterAvailability(members, tables));
  return points;
}

/** Validates the size field and whichever form of the per-member figure was given. */
function parseSizeAndOdds(functionName: string, sizeKey: 'members' | 'maxMembers', input: unknown): { size: number; odds: MemberOdds } {
  const given = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
  // A field set to undefined counts as absent, as forms often send every key.
  const hasTimes = given['mtbfHours'] !== undefined || given['mttrHours'] !== undefined;
  if (given['memberAvailability'] !== undefined && hasTimes) {
    throw new CalcInputError(functionName, [
      { path: 'memberAvailability', message: 'must not be given together with mtbfHours and mttrHours' },
    ]);
  }
  if (hasTimes) {
    const parsed = parseInput(functionName, schemas[sizeKey].repair, input);
    return { size: sizeOf(parsed), odds: oddsFromRepairTimes(parsed.mtbfHours, parsed.mttrHours) };
  }
  const parsed = parseInput(functionName, schemas[sizeKey].direct, input);
  return { size: sizeOf(parsed), odds: oddsFromAvailability(parsed.memberAvailability) };
}

function sizeOf(parsed: { members: number } | { maxMembers: number }): number {
  return 'members' in parsed ? parsed.members : parsed.maxMembers;
}

function oddsFromAvailability(memberAvailability: number): MemberOdds {
  const up = big(memberAvailability);
  return { up, down: big(1).minus(up), memberAvailability };
}

function oddsFromRepairTimes(mtbfHours: number, mttrHours: number): MemberOdds {
  const cycle = big(mtbfHours).plus(big(mttrHours));
  const up = big(mtbfHours).div(cycle);
  return { up, down: big(mttrHours).div(cycle), memberAvailability: up.toNumber() };
}

/** p^k and u^k for k = 0..maxMembers, shared by every cluster size of one chart. */
interface PowerTables {
  odds: MemberOdds;
  upPowers: Big[];
  downPowers: Big[];
}

function powerTables(odds: MemberOdds, maxMembers: number): PowerTables {
  return { odds, upPowers: powers(odds.up, maxMembers), downPowers: powers(odds.down, maxMembers) };
}

function clusterAvailability(members: number, { odds, upPowers, downPowers }: PowerTables): AvailabilityBySizePoint {
  const majority = majorityOf(members);
  const binomials = binomialRow(members);
  let lowerTail = big(0);
  let upperTail = big(0);
  for (let up = 0; up <= members; up++) {
    // Indexes stay within 0..members, the length of each table.
    const term = (binomials[up] as Big).times(upPowers[up] as Big).times(downPowers[members - up] as Big);
    if (up < majority) lowerTail = lowerTail.plus(term);
    else upperTail = upperTail.plus(term);
  }
  const unavailability = lowerTail.toNumber();
  return {
    members,
    quorum: majority,
    memberAvailability: odds.memberAvailability,
    availability: upperTail.toNumber(),
    unavailability,
    nines: ninesOf(lowerTail),
    downtimeMinutesPerYear: unavailability * MINUTES_PER_YEAR,
  };
}

/**
 * −log10 of a decimal, read from its scientific form m·10^e as −(log10 m + e): exact to double precision at any
 * magnitude, and far cheaper than a 40-digit logarithm.
 */
function ninesOf(unavailability: Big): number {
  if (unavailability.isZero()) return MAX_NINES;
  const [mantissa = '1', exponent = '0'] = unavailability.toExponential(17).split('e');
  return Math.min(MAX_NINES, Math.max(0, -(Math.log10(Number(mantissa)) + Number(exponent))));
}

function availabilityNotes(members: number, odds: MemberOdds, nines: number): Note[] {
  const notes: Note[] = [
    {
      severity: 'info',
      code: 'independent-failures',
      message: 'Assumes members fail independently. Shared zones, power, storage or a bad rollout make failures correlated and real availability lower.',
    },
  ];
  if (odds.up.lessThan(0.5)) {
    notes.push({
      severity: 'warning',
      code: 'below-half',
      message: 'Members are up less than half of the time: a majority quorum is then less available than a single member, and adding members makes it worse.',
    });
  }
  if (members % 2 === 0) {
    notes.push({
      severity: 'warning',
      code: 'even-members',
      message: `${members} members are less available than ${members - 1}: the extra member raises the quorum without adding tolerance.`,
    });
  }
  if (nines === MAX_NINES) {
    notes.push({
      severity: 'info',
      code: 'nines-capped',
      message: `Unavailability is at or below 1e-${MAX_NINES} (or zero): nines are shown as ${MAX_NINES}. Other risks dominate long before this.`,
    });
  }
  return notes;
}
