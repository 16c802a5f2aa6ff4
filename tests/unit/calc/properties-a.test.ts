import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  availability,
  availabilityBySize,
  CalcInputError,
  MAX_CONTROL_PLANE_NODES,
  MAX_LEARNERS,
  MAX_MEMBERS,
  MAX_MTBF_HOURS,
  MAX_MTTR_HOURS,
  MAX_NINES,
  MAX_WORKERS,
  quorum,
  topology,
  VERDICTS,
  zoneLoss,
  type TopologyInput,
} from '../../../src/lib/calc';

// A fixed seed keeps CI reproducible: a failure is the same failure on a rerun. Set HANDBOOK_FC_SEED to explore others.
fc.configureGlobal({ seed: Number(process.env['HANDBOOK_FC_SEED'] ?? 20261201) });

const members = () => fc.integer({ min: 1, max: 101 });
/** Any member availability, including the ends and values a hair away from them. */
const probability = () =>
  fc.oneof(
    fc.double({ min: 0, max: 1, noNaN: true }),
    fc.constantFrom(0, 1, 0.5, 1 - Number.EPSILON, Number.MIN_VALUE, 0.9999999999),
  );
const aboveHalf = () => fc.double({ min: 0.5, max: 1, minExcluded: true, noNaN: true });
const belowHalf = () => fc.double({ min: 0, max: 0.5, maxExcluded: true, noNaN: true });

/** a ≤ b up to the last bits of a double. */
const atMost = (a: number, b: number) => a <= b * (1 + 1e-12) + Number.MIN_VALUE;

function allFinite(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(allFinite);
  if (typeof value === 'object' && value !== null) return Object.values(value).every(allFinite);
  return true;
}

function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** Values that are never valid where a number is expected. */
const notANumber = () =>
  fc.oneof(
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, null, true, {}, [], '3'),
    fc.string(),
  );

describe('quorum properties', () => {
  it('a quorum is the smallest strict majority and tolerance is what is left', () => {
    fc.assert(
      fc.property(members(), fc.integer({ min: 0, max: 10 }), (size, learners) => {
        const result = quorum({ members: size, learners });
        expect(result.quorum).toBeGreaterThan(size / 2);
        expect(result.quorum - 1).toBeLessThanOrEqual(size / 2);
        expect(result.faultTolerance).toBe(size - result.quorum);
        expect(quorum({ members: size }).quorum).toBe(result.quorum);
      }),
    );
  });
});

describe('zoneLoss properties', () => {
  it('one zone loss is survived exactly when the largest zone fits within the fault tolerance', () => {
    const zones = fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 12 }).filter((list) => list.some((n) => n > 0));
    fc.assert(
      fc.property(zones, (membersPerZone) => {
        const result = zoneLoss({ membersPerZone });
        expect(result.survivesAnyZoneLoss).toBe(Math.max(...membersPerZone) <= result.faultTolerance);
        expect(result.zoneLossesTolerated).toBeLessThan(membersPerZone.length);
      }),
    );
  });
});

describe('availability properties', () => {
  it('returns finite values in range for every valid input', () => {
    const direct = fc.record({ members: members(), memberAvailability: probability() });
    const times = fc.record({
      members: members(),
      mtbfHours: fc.double({ min: Number.MIN_VALUE, max: 10_000_000, noNaN: true }),
      mttrHours: fc.double({ min: Number.MIN_VALUE, max: 1_000_000, noNaN: true }),
    });
    fc.assert(
      fc.property(fc.oneof(direct, times), (input) => {
        const result = availability(input);
        expect(allFinite(result)).toBe(true);
        expect(result.availability).toBeGreaterThanOrEqual(0);
        expect(result.availability).toBeLessThanOrEqual(1);
        expect(result.unavailability).toBeGreaterThanOrEqual(0);
        expect(result.unavailability).toBeLessThanOrEqual(1);
        expect(result.nines).toBeGreaterThanOrEqual(0);
        expect(result.nines).toBeLessThanOrEqual(MAX_NINES);
        expect(Math.abs(result.availability + result.unavailability - 1)).toBeLessThanOrEqual(2 * Number.EPSILON);
      }),
    );
  });

  it('rises with member availability', () => {
    fc.assert(
      fc.property(members(), probability(), probability(), (size, a, b) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        const worse = availability({ members: size, memberAvailability: low });
        const better = availability({ members: size, memberAvailability: high });
        expect(atMost(better.unavailability, worse.unavailability)).toBe(true);
        expect(better.nines).toBeGreaterThanOrEqual(worse.nines - 1e-9);
      }),
    );
  });

  it('never falls from N to N + 2 members above p = 0.5', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 99 }), aboveHalf(), (size, p) => {
        const smaller = availability({ members: size, memberAvailability: p });
        const larger = availability({ members: size + 2, memberAvailability: p });
        expect(atMost(larger.unavailability, smaller.unavailability)).toBe(true);
      }),
    );
  });

  // Stated for majority systems, i.e. odd sizes; even sizes cross (4 and 6 members are equal at p = 0.4).
  it('never rises from N to N + 2 odd members below p = 0.5 (Peleg and Wool, via Brooker)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 49 }).map((k) => 2 * k + 1), belowHalf(), (size, p) => {
        const smaller = availability({ members: size, memberAvailability: p });
        const larger = availability({ members: size + 2, memberAvailability: p });
        expect(atMost(larger.availability, smaller.availability)).toBe(true);
      }),
    );
  });

  it('an even size is never more available than the odd size below it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), probability(), (half, p) => {
        const even = availability({ members: 2 * half, memberAvailability: p });
        const odd = availability({ members: 2 * half - 1, memberAvailability: p });
        expect(atMost(even.availability, odd.availability)).toBe(true);
      }),
    );
  });

  it('the chart helper agrees with single calls', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 15 }), probability(), (maxMembers, p) => {
        const points = availabilityBySize({ maxMembers, memberAvailability: p });
        const last = availability({ members: maxMembers, memberAvailability: p });
        expect(points).toHaveLength(maxMembers);
        expect(points.at(-1)?.unavailability).toBe(last.unavailability);
      }),
      { numRuns: 30 },
    );
  });
});

const topologyInput: fc.Arbitrary<TopologyInput> = fc
  .record({
    controlPlaneNodes: fc.integer({ min: 1, max: 15 }),
    workers: fc.integer({ min: 1, max: 5000 }),
    colocated: fc.boolean(),
    etcd: fc.oneof(
      fc.constant({ topology: 'stacked' as const }),
      fc.record({ topology: fc.constant('external' as const), members: fc.integer({ min: 1, max: 101 }) }),
    ),
    loadBalancer: fc.constantFrom('none' as const, 'dns-round-robin' as const, 'load-balancer' as const),
    workerReplacement: fc.constantFrom('minutes' as const, 'days' as const, 'months' as const),
    zones: fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined }),
  })
  .map(({ zones, ...rest }) => (zones === undefined ? rest : { ...rest, zones }));

const rank = (verdict: string) => VERDICTS.indexOf(verdict as (typeof VERDICTS)[number]);

describe('topology properties', () => {
  it('always gives a known verdict; production has no single point of failure and one master is development-only', () => {
    fc.assert(
      fc.property(topologyInput, (input) => {
        const result = topology(input);
        expect(VERDICTS).toContain(result.verdict);
        if (result.verdict === 'production') expect(result.singlePointsOfFailure).toEqual([]);
        if (input.controlPlaneNodes === 1) expect(result.verdict).toBe('development-only');
        if (result.singlePointsOfFailure.length > 0) expect(rank(result.verdict)).toBeLessThan(rank('production'));
      }),
    );
  });

  it('more workers or a better load balancer never lowers the verdict', () => {
    fc.assert(
      fc.property(topologyInput, (input) => {
        const base = rank(topology(input).verdict);
        expect(rank(topology({ ...input, workers: Math.min(5000, input.workers + 1) }).verdict)).toBeGreaterThanOrEqual(base);
        expect(rank(topology({ ...input, loadBalancer: 'load-balancer' }).verdict)).toBeGreaterThanOrEqual(base);
      }),
    );
  });
});

describe('invalid input always gives a CalcInputError naming the field', () => {
  /** The accepted range of a field as documented on its input type: whole numbers or any finite number. */
  type Range = { whole: boolean; min: number; minExcluded?: boolean; max: number };
  const whole = (min: number, max: number): Range => ({ whole: true, min, max });

  /**
   * Values the field must refuse: non-numbers, values just and far below or above the range, and for whole-number
   * fields fractions inside it. Every generated value is outside the range, so the call must throw; a field whose
   * validation is lost or widened (say mttrHours allowed up to 1e12) makes the property fail.
   */
  const refused = ({ whole: wholeOnly, min, minExcluded = false, max }: Range) => {
    const tooSmall = fc
      .oneof(fc.double({ min: -1e12, max: min, noNaN: true }), fc.constantFrom(min - 1, min - 0.5, -0))
      .filter((value) => (minExcluded ? value <= min : value < min));
    const tooLarge = fc
      .oneof(fc.double({ min: max, max: 1e15, minExcluded: true, noNaN: true }), fc.constantFrom(max + 1, max * 10, 1e12))
      .filter((value) => value > max);
    const kinds = [notANumber(), tooSmall, tooLarge];
    if (wholeOnly) kinds.push(fc.integer({ min, max: max - 1 }).map((n) => n + 0.5));
    return fc.oneof(...kinds);
  };

  const cases: [string, Range, (bad: unknown) => unknown][] = [
    ['members', whole(1, MAX_MEMBERS), (bad) => quorum({ members: bad } as never)],
    ['learners', whole(0, MAX_LEARNERS), (bad) => quorum({ members: 3, learners: bad } as never)],
    // The other zone holds 0 members so the zone total never trips the "at most MAX_MEMBERS in total" rule first.
    ['membersPerZone.0', whole(0, MAX_MEMBERS), (bad) => zoneLoss({ membersPerZone: [bad, 0] } as never)],
    ['members', whole(1, MAX_MEMBERS), (bad) => availability({ members: bad, memberAvailability: 0.9 } as never)],
    ['memberAvailability', { whole: false, min: 0, max: 1 }, (bad) => availability({ members: 3, memberAvailability: bad } as never)],
    ['mtbfHours', { whole: false, min: 0, minExcluded: true, max: MAX_MTBF_HOURS }, (bad) => availability({ members: 3, mtbfHours: bad, mttrHours: 1 } as never)],
    ['mttrHours', { whole: false, min: 0, minExcluded: true, max: MAX_MTTR_HOURS }, (bad) => availability({ members: 3, mtbfHours: 100, mttrHours: bad } as never)],
    ['maxMembers', whole(1, MAX_MEMBERS), (bad) => availabilityBySize({ maxMembers: bad, memberAvailability: 0.9 } as never)],
    ['controlPlaneNodes', whole(1, MAX_CONTROL_PLANE_NODES), (bad) => topology({ controlPlaneNodes: bad, workers: 3, etcd: { topology: 'stacked' }, loadBalancer: 'none' } as never)],
    ['workers', whole(1, MAX_WORKERS), (bad) => topology({ controlPlaneNodes: 3, workers: bad, etcd: { topology: 'stacked' }, loadBalancer: 'none' } as never)],
    ['etcd.members', whole(1, MAX_MEMBERS), (bad) => topology({ controlPlaneNodes: 3, workers: 3, etcd: { topology: 'external', members: bad }, loadBalancer: 'none' } as never)],
  ];

  it.each(cases)('%s', (field, range, call) => {
    fc.assert(
      fc.property(refused(range), (bad) => {
        const error = caught(() => call(bad));
        expect(error, `${field} = ${String(bad)} was accepted`).toBeInstanceOf(CalcInputError);
        expect((error as CalcInputError).issues[0]?.path).toBe(field);
        expect((error as CalcInputError).message).toContain(field);
      }),
    );
  });

  it('the ranges above are the documented limits: their ends are accepted', () => {
    expect(() => quorum({ members: MAX_MEMBERS, learners: MAX_LEARNERS })).not.toThrow();
    expect(() => availability({ members: 3, mtbfHours: MAX_MTBF_HOURS, mttrHours: MAX_MTTR_HOURS })).not.toThrow();
    expect(() => availability({ members: 3, memberAvailability: 0 })).not.toThrow();
    expect(() => zoneLoss({ membersPerZone: [MAX_MEMBERS, 0] })).not.toThrow();
    expect(() => topology({ controlPlaneNodes: MAX_CONTROL_PLANE_NODES, workers: MAX_WORKERS, etcd: { topology: 'external', members: MAX_MEMBERS }, loadBalancer: 'none' })).not.toThrow();
  });
});
