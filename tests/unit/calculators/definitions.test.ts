import { describe, expect, it } from 'vitest';
import type { CalculatorDefinition } from '../../../src/components/calculators/client/types';
import { evaluate, evaluateProps, propsToRaw } from '../../../src/components/calculators/client/form-state';
import { NOT_AVAILABLE, formatMinutes, formatNumber, formatPercent, formatSeconds } from '../../../src/components/calculators/client/format';
import { availabilityCalculator } from '../../../src/components/calculators/definitions/availability';
import { etcdTimingCalculator } from '../../../src/components/calculators/definitions/etcd-timing';
import { leaderElectionCalculator } from '../../../src/components/calculators/definitions/leader-election';
import { quorumCalculator } from '../../../src/components/calculators/definitions/quorum';
import { topologyCalculator } from '../../../src/components/calculators/definitions/topology';
import { writeLatencyCalculator } from '../../../src/components/calculators/definitions/write-latency';
import { nospaceCalculator } from '../../../src/components/calculators/definitions/nospace';
import { recoveryMemberCalculator } from '../../../src/components/calculators/definitions/recovery-member';
import { presetMatches } from '../../../src/components/calculators/client/form-state';
import { availability, roundedPercent } from '../../../src/lib/calc/availability';
import { etcdTiming } from '../../../src/lib/calc/etcd-timing';
import { leaderElection } from '../../../src/lib/calc/leader-election';
import type { CalcInputError } from '../../../src/lib/calc/errors';
import { quorum } from '../../../src/lib/calc/quorum';

const ALL: readonly CalculatorDefinition<unknown>[] = [
  quorumCalculator,
  availabilityCalculator,
  leaderElectionCalculator,
  etcdTimingCalculator,
  writeLatencyCalculator,
  topologyCalculator,
  recoveryMemberCalculator,
  nospaceCalculator,
];

describe('format', () => {
  it('never prints NaN or Infinity', () => {
    for (const format of [formatNumber, formatSeconds, formatPercent, formatMinutes]) {
      expect(format(Number.NaN)).toBe(NOT_AVAILABLE);
      expect(format(Number.POSITIVE_INFINITY)).toBe(NOT_AVAILABLE);
    }
  });
  it('shows enough decimals for the nines', () => {
    expect(formatPercent(0.999702)).toBe('99.9702%');
    expect(formatPercent(0.99)).toBe('99%');
    expect(formatPercent(1)).toBe('100%');
    expect(formatMinutes(52.56)).toBe('52.6 min');
    expect(formatMinutes(0.5)).toBe('30 s');
    expect(formatSeconds(17.349)).toBe('17.3 s');
    expect(formatNumber(-0.0001)).toBe('0');
  });
});

describe('calculator definitions', () => {
  it('every default input is valid and every output is filled', () => {
    for (const definition of ALL) {
      const evaluation = evaluate(definition, definition.defaults);
      expect(evaluation.ok, definition.id).toBe(true);
      if (!evaluation.ok) continue;
      for (const output of definition.outputs) expect(evaluation.view.outputs[output.key], `${definition.id}.${output.key}`).toMatch(/\S/);
      expect(JSON.stringify(evaluation.view)).not.toMatch(/NaN|Infinity|undefined/);
    }
  });

  it('every default answers in one sentence first', () => {
    for (const definition of ALL) {
      const evaluation = evaluate(definition, definition.defaults);
      if (!evaluation.ok) throw new Error(definition.id);
      expect(evaluation.view.headline, definition.id).toMatch(/^[A-Z0-9].*[.]$/s);
    }
  });

  it('hidden fields are ignored: a bad MTBF does not matter while availability is given directly', () => {
    const evaluation = evaluate(availabilityCalculator, { ...availabilityCalculator.defaults, mtbfHours: 'abc' });
    expect(evaluation.ok).toBe(true);
    const mtbf = evaluate(availabilityCalculator, { ...availabilityCalculator.defaults, mode: 'mtbf', memberAvailability: 'abc' });
    expect(mtbf.ok).toBe(true);
  });

  it('a preset matches the inputs by value, whether clicked or typed', () => {
    expect(presetMatches({ members: '5' }, { members: '5.0', learners: '0' })).toBe(true);
    expect(presetMatches({ members: '5' }, { members: '3' })).toBe(false);
    expect(presetMatches({ mode: 'mtbf' }, { mode: 'mtbf' })).toBe(true);
    expect(presetMatches({ quota: '2 GiB' }, { quota: ' 2 GiB ' })).toBe(true);
  });

  it('the recovery tool keeps pasted output out of links, and an empty paste is a prompt, not an error', () => {
    expect(recoveryMemberCalculator.fields.every((field) => field.private)).toBe(true);
    const empty = evaluate(recoveryMemberCalculator, { statusJson: '' });
    expect(empty.ok && empty.view.headline).toMatch(/^Paste the output/);
  });

  it('every preset is valid', () => {
    for (const definition of ALL) {
      for (const preset of definition.presets ?? []) {
        expect(evaluate(definition, { ...definition.defaults, ...preset.values }).ok, `${definition.id}/${preset.id}`).toBe(true);
      }
    }
  });

  it('bad component props stop the build with the field and the rule', () => {
    let message = '';
    try {
      quorum({ members: 0 });
    } catch (error) {
      message = (error as CalcInputError).issues[0]?.message ?? '';
    }
    expect(message).not.toBe('');
    expect(() => evaluateProps(quorumCalculator, 'QuorumCalculator', propsToRaw(quorumCalculator.fields, { members: 0 }))).toThrow(
      `<QuorumCalculator> has invalid props:\n  - Voting members: ${message}`,
    );
  });

  it('shows the library\u2019s numbers', () => {
    const q = evaluate(quorumCalculator, { members: '5' });
    expect(q.ok && q.view.outputs['quorum']).toBe(`${quorum({ members: 5 }).quorum} of 5`);

    const a = evaluate(availabilityCalculator, { members: '3', mode: 'mtbf', mtbfHours: '1000', mttrHours: '10' });
    expect(a.ok && a.view.outputs['availability']).toBe(roundedPercent(availability({ members: 3, mtbfHours: 1000, mttrHours: 10 }).availability));

    const refused = leaderElection({ leaseDurationSeconds: 10, renewDeadlineSeconds: 10, retryPeriodSeconds: 2 });
    const le = evaluate(leaderElectionCalculator, { leaseDurationSeconds: '10', renewDeadlineSeconds: '10', retryPeriodSeconds: '2' }, false);
    expect(le.ok && le.view.refusals).toEqual(refused.errors);
    expect(refused.errors.length).toBeGreaterThan(0);

    const etcd = evaluate(etcdTimingCalculator, { heartbeatMs: '100', electionTimeoutMs: '400' });
    expect(etcd.ok && etcd.view.refusals).toEqual(etcdTiming({ heartbeatMs: 100, electionTimeoutMs: 400 }).errors);
  });

  it('puts errors from nested library fields next to the form\u2019s own fields', () => {
    const wl = evaluate(writeLatencyCalculator, { ...writeLatencyCalculator.defaults, fsyncP99Ms: '0.1' }, false);
    expect(wl.ok).toBe(false);
    expect(!wl.ok && wl.issues.map((issue) => issue.path)).toEqual(['fsyncP99Ms']);

    const topology = evaluate(topologyCalculator, { ...topologyCalculator.defaults, etcdTopology: 'external', etcdMembers: '0' });
    expect(!topology.ok && topology.issues.map((issue) => issue.path)).toEqual(['etcdMembers']);
    const hostile = evaluate(topologyCalculator, { ...topologyCalculator.defaults, etcdTopology: '<b>' });
    expect(!hostile.ok && hostile.issues).toEqual([{ path: 'etcdTopology', message: 'must be stacked or external' }]);
  });
});
