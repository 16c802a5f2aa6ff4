import { describe, expect, it } from 'vitest';
import { CalcInputError } from '../../../src/lib/calc/errors';
import {
  describeIssue,
  evaluate,
  parseFields,
  parseNumber,
  parseNumberList,
  propsToRaw,
} from '../../../src/components/calculators/client/form-state';
import type { CalculatorDefinition, FieldSpec } from '../../../src/components/calculators/client/types';

describe('parseNumber', () => {
  it('accepts plain decimals and exponents', () => {
    expect(parseNumber(' 3 ')).toBe(3);
    expect(parseNumber('-0.5')).toBe(-0.5);
    expect(parseNumber('.25')).toBe(0.25);
    expect(parseNumber('2e3')).toBe(2000);
  });

  it('turns everything else into NaN, which the library then rejects', () => {
    for (const text of ['', ' ', 'abc', '0x10', '1,5', '3 members', '\u0000', 'Infinity']) {
      expect(parseNumber(text)).toBeNaN();
    }
    // Still a decimal, but too large for a double: the library's finite-number check refuses it.
    expect(parseNumber('1e999')).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('parseNumberList', () => {
  it('splits on commas, semicolons and spaces', () => {
    expect(parseNumberList('1, 2;3 4')).toEqual([1, 2, 3, 4]);
    expect(parseNumberList('')).toEqual([]);
  });
  it('keeps a bad item as NaN in its position', () => {
    const values = parseNumberList('1, x, 3');
    expect(values[0]).toBe(1);
    expect(values[1]).toBeNaN();
    expect(values[2]).toBe(3);
  });
});

const fields: FieldSpec[] = [
  { name: 'members', label: 'Voting members', kind: 'integer' },
  { name: 'learners', label: 'Learners', kind: 'integer', optional: true },
  { name: 'rttMs', label: 'RTT', kind: 'numberList' },
  { name: 'zones', label: 'Zones', kind: 'numberList', alwaysList: true, optional: true },
  { name: 'via', label: 'Client connects to', kind: 'select' },
  { name: 'release', label: 'Release on cancel', kind: 'checkbox' },
];

describe('parseFields', () => {
  it('builds the library input shape', () => {
    expect(parseFields(fields, { members: '5', learners: '', rttMs: '1', zones: '2', via: 'leader', release: 'true' })).toEqual({
      input: { members: 5, rttMs: 1, zones: [2], via: 'leader', release: true },
      issues: [],
    });
    expect(parseFields(fields, { members: '5', rttMs: '1 2', via: 'leader' }).input).toMatchObject({ rttMs: [1, 2], release: false });
  });

  it('reports empty required fields and checkbox text that is not a boolean', () => {
    expect(parseFields(fields, { members: ' ', rttMs: '1', via: '', release: 'yes' }).issues).toEqual([
      { path: 'members', message: 'is required' },
      { path: 'via', message: 'is required' },
      { path: 'release', message: 'must be true or false' },
    ]);
  });
});

describe('describeIssue', () => {
  it('names the field by its label, with the list position', () => {
    expect(describeIssue(fields, { path: 'members', message: 'must be at least 1' })).toBe('Voting members: must be at least 1');
    expect(describeIssue(fields, { path: 'rttMs.2', message: 'must be a number' })).toBe('RTT, item 3: must be a number');
    expect(describeIssue(fields, { path: 'input', message: 'is odd' })).toBe('Input is odd');
  });
});

describe('evaluate', () => {
  const definition: CalculatorDefinition<number> = {
    id: 'quorum',
    fields: [{ name: 'members', label: 'Voting members', kind: 'integer' }],
    defaults: { members: '3' },
    outputs: [{ key: 'double', label: 'Double' }],
    compute: (input) => {
      if (input['members'] === 13) throw new Error('unlucky');
      if (typeof input['members'] !== 'number' || !Number.isFinite(input['members'])) {
        throw new CalcInputError('test', [{ path: 'members', message: 'must be a number' }]);
      }
      return input['members'] * 2;
    },
    view: (result) => ({ headline: `Double is ${result}.`, outputs: { double: String(result) }, notes: [], refusals: [] }),
  };

  it('returns the view for good input', () => {
    const evaluation = evaluate(definition, { members: '4' });
    expect(evaluation.ok && evaluation.view.outputs).toEqual({ double: '8' });
  });

  it('turns CalcInputError into issues and any other error into one issue without a stack', () => {
    expect(evaluate(definition, { members: 'abc' })).toEqual({ ok: false, issues: [{ path: 'members', message: 'must be a number' }] });
    expect(evaluate(definition, { members: '13' })).toEqual({
      ok: false,
      issues: [{ path: 'input', message: 'could not be calculated (unlucky)' }],
    });
  });
});

describe('propsToRaw', () => {
  it('writes props as the text a person would type', () => {
    expect(propsToRaw(fields, { members: 5, rttMs: [1, 2.5], release: true, unrelated: 1 })).toEqual({
      members: '5',
      rttMs: '1, 2.5',
      release: 'true',
    });
  });
});
