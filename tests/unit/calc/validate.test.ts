import * as z from 'zod/mini';
import { describe, expect, it } from 'vitest';
import { CalcInputError } from '../../../src/lib/calc/errors';
import { numberBetween, parseInput, positiveNumber, wholeNumber } from '../../../src/lib/calc/_internal/validate';

const schema = z.object({ members: wholeNumber(1, 101), rttMs: positiveNumber(10_000), p: numberBetween(0, 1) });

function issuesOf(input: unknown) {
  try {
    parseInput('example', schema, input);
  } catch (error) {
    if (error instanceof CalcInputError) return error;
  }
  throw new Error('expected CalcInputError');
}

describe('parseInput', () => {
  it('returns valid input unchanged', () => {
    expect(parseInput('example', schema, { members: 3, rttMs: 0.5, p: 0.99 })).toEqual({ members: 3, rttMs: 0.5, p: 0.99 });
  });

  it.each([
    [{ members: '3', rttMs: 1, p: 0.5 }, 'members', 'must be a whole number'],
    [{ members: 2.5, rttMs: 1, p: 0.5 }, 'members', 'must be a whole number'],
    [{ members: 0, rttMs: 1, p: 0.5 }, 'members', 'must be at least 1'],
    [{ members: 102, rttMs: 1, p: 0.5 }, 'members', 'must be at most 101'],
    [{ members: 3, rttMs: Number.NaN, p: 0.5 }, 'rttMs', 'must be a number'],
    [{ members: 3, rttMs: Number.POSITIVE_INFINITY, p: 0.5 }, 'rttMs', 'must be a number'],
    [{ members: 3, rttMs: 0, p: 0.5 }, 'rttMs', 'must be greater than 0'],
    [{ members: 3, rttMs: 1, p: 1.5 }, 'p', 'must be at most 1'],
  ])('rejects %j naming %s', (input, path, message) => {
    const error = issuesOf(input);
    expect(error.issues).toEqual([{ path, message }]);
    expect(error.message).toBe(`example: ${path} ${message}`);
  });

  it('names every bad field at once, and the whole input when it is not an object', () => {
    expect(issuesOf({}).issues.map((issue) => issue.path)).toEqual(['members', 'rttMs', 'p']);
    expect(issuesOf(null).issues[0]?.path).toBe('input');
  });
});
