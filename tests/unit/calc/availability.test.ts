import { describe, expect, it } from 'vitest';
import { availability, availabilityBySize, MAX_NINES, MINUTES_PER_YEAR } from '../../../src/lib/calc';
import { inputError } from './helpers/input-error';

/**
 * Independent check: the binomial lower tail in exact rational arithmetic (BigInt), with p = P / 10^d taken from
 * the decimal string of p. Returns the unavailability as numerator and denominator.
 */
function exactUnavailability(members: number, p: string): { numerator: bigint; denominator: bigint } {
  const [whole = '0', fraction = ''] = p.split('.');
  const scale = 10n ** BigInt(fraction.length);
  const up = BigInt(whole + fraction);
  const down = scale - up;
  const quorumSize = Math.floor(members / 2) + 1;
  let numerator = 0n;
  for (let k = 0; k < quorumSize; k++) numerator += choose(members, k) * up ** BigInt(k) * down ** BigInt(members - k);
  return { numerator, denominator: scale ** BigInt(members) };
}

function choose(n: number, k: number): bigint {
  let result = 1n;
  for (let i = 1; i <= k; i++) result = (result * BigInt(n - i + 1)) / BigInt(i);
  return result;
}

/** A ratio of BigInts as the nearest double, via a 25-digit decimal string. */
function ratioToNumber(numerator: bigint, denominator: bigint): number {
  if (numerator === 0n) return 0;
  let exponent = 0;
  while (numerator * 10n ** BigInt(exponent) < denominator * 10n ** 24n) exponent++;
  const digits = (numerator * 10n ** BigInt(exponent)) / denominator;
  return Number(`${digits}e-${exponent}`);
}

function exactU(members: number, p: number): number {
  const { numerator, denominator } = exactUnavailability(members, String(p));
  return ratioToNumber(numerator, denominator);
}

const codes = (result: { notes: { code: string }[] }) => result.notes.map((note) => note.code);

describe('availability', () => {
  // calc-facts.md §5, computed there from the binomial tail; each value is rounded to the digits shown.
  it.each([
    [1, 0.99, 0.99],
    [2, 0.99, 0.9801],
    [3, 0.99, 0.999702],
    [4, 0.99, 0.99940797],
    [5, 0.99, 0.999990149],
    [6, 0.99, 0.999980446],
    [7, 0.99, 0.999999658],
    [1, 0.999, 0.999],
    [2, 0.999, 0.998001],
    [3, 0.999, 0.999997002],
    [4, 0.999, 0.999994008],
    [5, 0.999, 0.99999999],
    [6, 0.999, 0.99999998],
  ])('N=%i at p=%f matches the reference %f', (members, memberAvailability, reference) => {
    const result = availability({ members, memberAvailability });
    // The reference is rounded to the digits shown, so it can only be held to half a unit of its last digit.
    const digitsShown = String(reference).split('.')[1]?.length ?? 0;
    expect(Math.abs(result.availability - reference)).toBeLessThanOrEqual(0.5 * 10 ** -digitsShown * (1 + 1e-9));
  });

  it.each([
    [3, 0.99],
    [5, 0.99],
    [7, 0.9999],
    [7, 0.999999],
    [9, 0.95],
    [101, 0.999],
    // N = 5 and 6 at 0.999: U is about 1e-8 and 2e-8, where the rounded references above say little.
    [5, 0.999],
    [6, 0.999],
    [101, 0.6],
    [4, 0.5],
    [3, 0.1],
  ])('N=%i at p=%f: unavailability equals exact rational arithmetic to 1e-14 relative', (members, memberAvailability) => {
    const result = availability({ members, memberAvailability });
    const expected = exactU(members, memberAvailability);
    expect(Math.abs(result.unavailability - expected) / expected).toBeLessThan(1e-14);
  });

  it('keeps full relative precision where 1 − availability would be all rounding error', () => {
    const result = availability({ members: 7, memberAvailability: 0.9999 });
    // The dominant term is C(7,3)·p³·u⁴ = 35 · 0.9997000299990000 · 1e-16.
    expect(result.unavailability).toBeCloseTo(3.49916007e-15, 23);
    expect(result.availability).toBeLessThan(1);
    expect(result.availability + result.unavailability).toBe(1);
    expect(result.nines).toBeCloseTo(-Math.log10(exactU(7, 0.9999)), 12);
  });

  it('derives member availability from MTBF and MTTR as MTBF / (MTBF + MTTR)', () => {
    const result = availability({ members: 3, mtbfHours: 999, mttrHours: 1 });
    expect(result.memberAvailability).toBe(0.999);
    expect(result.availability).toBeCloseTo(0.999997002, 12);
    // u = 1 / 8760 exactly: compare with the rational lower tail 3u² − 2u³.
    const yearly = availability({ members: 3, mtbfHours: 8759, mttrHours: 1 });
    const u = 1 / 8760;
    expect(yearly.unavailability / (3 * u * u - 2 * u * u * u)).toBeCloseTo(1, 12);
  });

  it('returns quorum, downtime over a 365-day year and nines', () => {
    const result = availability({ members: 3, memberAvailability: 0.99 });
    expect(result.quorum).toBe(2);
    expect(result.members).toBe(3);
    expect(MINUTES_PER_YEAR).toBe(365 * 24 * 60);
    expect(result.downtimeMinutesPerYear).toBeCloseTo(0.000298 * 525_600, 9);
    expect(result.nines).toBeCloseTo(-Math.log10(0.000298), 12);
  });

  it('handles members that are always up or always down without Infinity or NaN', () => {
    const perfect = availability({ members: 3, memberAvailability: 1 });
    expect(perfect).toMatchObject({ availability: 1, unavailability: 0, nines: MAX_NINES, downtimeMinutesPerYear: 0 });
    expect(codes(perfect)).toContain('nines-capped');
    const dead = availability({ members: 3, memberAvailability: 0 });
    expect(dead).toMatchObject({ availability: 0, unavailability: 1, nines: 0, downtimeMinutesPerYear: MINUTES_PER_YEAR });
  });

  it('caps nines when the unavailability underflows a double', () => {
    // U ≈ C(101,50)·(1e-7)^51 ≈ 1e-328, below the smallest normal double.
    const result = availability({ members: 101, memberAvailability: 0.9999999 });
    expect(result.nines).toBe(MAX_NINES);
    expect(Number.isFinite(result.unavailability)).toBe(true);
    expect(result.unavailability).toBeLessThan(1e-300);
    expect(codes(result)).toEqual(['independent-failures', 'nines-capped']);
    // Just below the cap the real figure is returned.
    expect(availability({ members: 101, memberAvailability: 0.999999 }).nines).toBeCloseTo(276.6994, 3);
  });

  it('puts 4 and 6 members level at p = 0.4, where even sizes cross', () => {
    // By hand: 4·0.4³·0.6 + 0.4⁴ = 0.1792 and 15·0.4⁴·0.6² + 6·0.4⁵·0.6 + 0.4⁶ = 0.1792.
    expect(availability({ members: 4, memberAvailability: 0.4 }).availability).toBeCloseTo(0.1792, 15);
    expect(availability({ members: 6, memberAvailability: 0.4 }).availability).toBeCloseTo(0.1792, 15);
  });

  it('warns below p = 0.5 and for even sizes, and always states the independence assumption', () => {
    expect(codes(availability({ members: 3, memberAvailability: 0.99 }))).toEqual(['independent-failures']);
    expect(codes(availability({ members: 3, memberAvailability: 0.4 }))).toEqual(['independent-failures', 'below-half']);
    expect(codes(availability({ members: 4, memberAvailability: 0.99 }))).toEqual(['independent-failures', 'even-members']);
  });

  it.each([
    [{ members: 3, memberAvailability: '0.99' }, 'memberAvailability', 'must be a number'],
    [{ members: 3, memberAvailability: Number.NaN }, 'memberAvailability', 'must be a number'],
    [{ members: 3, memberAvailability: 1.01 }, 'memberAvailability', 'must be at most 1'],
    [{ members: 3, memberAvailability: -0.1 }, 'memberAvailability', 'must be at least 0'],
    [{ members: 0, memberAvailability: 0.9 }, 'members', 'must be at least 1'],
    [{ members: 102, memberAvailability: 0.9 }, 'members', 'must be at most 101'],
    [{ members: 3, mtbfHours: 0, mttrHours: 1 }, 'mtbfHours', 'must be greater than 0'],
    [{ members: 3, mtbfHours: 100, mttrHours: Number.POSITIVE_INFINITY }, 'mttrHours', 'must be a number'],
    [{ members: 3, mtbfHours: 100 }, 'mttrHours', 'must be a number'],
    [{ members: 3, mtbfHours: 1e8, mttrHours: 1 }, 'mtbfHours', 'must be at most 10000000'],
    [{ members: 3, memberAvailability: 0.9, mttrHours: 1 }, 'memberAvailability', 'must not be given together with mtbfHours and mttrHours'],
  ])('rejects %j naming %s', (input, path, message) => {
    const error = inputError(() => availability(input as never));
    expect(error.issues).toEqual([{ path, message }]);
    expect(error.message).toBe(`availability: ${path} ${message}`);
  });

  it('treats fields set to undefined as absent', () => {
    const input = { members: 3, memberAvailability: 0.99, mtbfHours: undefined, mttrHours: undefined };
    expect(availability(input as never).availability).toBeCloseTo(0.999702, 12);
    const times = { members: 3, memberAvailability: undefined, mtbfHours: 999, mttrHours: 1 };
    expect(availability(times as never).memberAvailability).toBe(0.999);
  });

  it('rejects input that is not an object, naming the missing fields', () => {
    expect(inputError(() => availability(null as never)).issues[0]?.path).toBe('input');
    expect(inputError(() => availability({} as never)).issues.map((issue) => issue.path)).toEqual(['members', 'memberAvailability']);
  });
});

describe('availabilityBySize', () => {
  it('returns one point per size, each equal to availability() for that size', () => {
    const points = availabilityBySize({ maxMembers: 9, memberAvailability: 0.99 });
    expect(points.map((point) => point.members)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const point of points) {
      const { notes: _notes, ...single } = availability({ members: point.members, memberAvailability: 0.99 });
      expect(point).toEqual(single);
    }
  });

  it('shows every even size below the odd size before it (Howard 2015)', () => {
    const points = availabilityBySize({ maxMembers: 12, memberAvailability: 0.95 });
    for (let index = 1; index < points.length; index += 2) {
      expect(points[index]?.nines).toBeLessThan(points[index - 1]?.nines ?? 0);
    }
  });

  it('takes MTBF and MTTR too, with the same exact u as availability()', () => {
    const points = availabilityBySize({ maxMembers: 5, mtbfHours: 8760, mttrHours: 4 });
    const { notes: _notes, ...five } = availability({ members: 5, mtbfHours: 8760, mttrHours: 4 });
    expect(points.at(-1)).toEqual(five);
    // Three members: U = 3u²p + u³ = 3u² − 2u³ with u = 4 / 8764.
    const u = 4 / 8764;
    expect((points[2]?.unavailability ?? 0) / (3 * u * u - 2 * u * u * u)).toBeCloseTo(1, 12);
  });

  it('names bad fields', () => {
    expect(inputError(() => availabilityBySize({ maxMembers: 0, memberAvailability: 0.9 })).issues).toEqual([
      { path: 'maxMembers', message: 'must be at least 1' },
    ]);
    expect(inputError(() => availabilityBySize({ maxMembers: 3, mtbfHours: -1, mttrHours: 1 })).message).toBe(
      'availabilityBySize: mtbfHours must be greater than 0',
    );
  });
});
