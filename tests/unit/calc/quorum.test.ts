import { describe, expect, it } from 'vitest';
import { quorum } from '../../../src/lib/calc';
import { inputError } from './helpers/input-error';

/** The etcd FAQ's failure-tolerance table (website faq.md), copied as data: N, majority, tolerance. */
const ETCD_FAQ_TABLE: [number, number, number][] = [
  [1, 1, 0],
  [2, 2, 0],
  [3, 2, 1],
  [4, 3, 1],
  [5, 3, 2],
  [6, 4, 2],
  [7, 4, 3],
  [8, 5, 3],
  [9, 5, 4],
];

const codes = (members: number, learners?: number) =>
  quorum(learners === undefined ? { members } : { members, learners }).notes.map((note) => note.code);

describe('quorum', () => {
  it.each(ETCD_FAQ_TABLE)('%i members: majority %i, tolerates %i (etcd FAQ)', (members, majority, tolerance) => {
    const result = quorum({ members });
    expect(result.quorum).toBe(majority);
    expect(result.faultTolerance).toBe(tolerance);
    expect(result.members).toBe(members);
    expect(result.learners).toBe(0);
  });

  it('does not count learners toward the quorum', () => {
    const result = quorum({ members: 3, learners: 1 });
    expect(result).toMatchObject({ members: 3, learners: 1, quorum: 2, faultTolerance: 1 });
    expect(codes(3, 1)).toEqual(['learners-non-voting']);
  });

  it('warns when more learners than etcd 3.4 accepts are requested', () => {
    expect(codes(3, 2)).toEqual(['learners-non-voting', 'learner-limit']);
    expect(quorum({ members: 3, learners: 2 }).notes[1]?.message).toContain('--max-learners=2');
  });

  it('gives three, five and seven members no note', () => {
    expect(codes(3)).toEqual([]);
    expect(codes(5)).toEqual([]);
    expect(codes(7)).toEqual([]);
  });

  it('marks a single member critical', () => {
    const [note] = quorum({ members: 1 }).notes;
    expect(note).toMatchObject({ severity: 'critical', code: 'single-member' });
  });

  it('warns about even sizes, naming the odd size with the same tolerance', () => {
    expect(codes(2)).toEqual(['even-members']);
    expect(codes(4)).toEqual(['even-members']);
    expect(quorum({ members: 4 }).notes[0]?.message).toContain('no more failures than 3');
    expect(quorum({ members: 6 }).notes[0]?.message).toContain('(4 instead of 3)');
  });

  it('warns about slower writes above seven members and calls eleven and more impractical', () => {
    expect(codes(8)).toEqual(['even-members', 'slower-writes']);
    expect(codes(9)).toEqual(['slower-writes']);
    expect(codes(10)).toEqual(['even-members', 'slower-writes']);
    expect(codes(11)).toEqual(['slower-writes', 'impractical-size']);
    expect(codes(101)).toEqual(['slower-writes', 'impractical-size']);
  });

  it.each([
    [{ members: '3' }, 'members', 'must be a whole number'],
    [{ members: 3.5 }, 'members', 'must be a whole number'],
    [{ members: Number.NaN }, 'members', 'must be a whole number'],
    [{ members: Number.POSITIVE_INFINITY }, 'members', 'must be a whole number'],
    [{ members: 0 }, 'members', 'must be at least 1'],
    [{ members: 102 }, 'members', 'must be at most 101'],
    [{ members: 3, learners: -1 }, 'learners', 'must be at least 0'],
    [{ members: 3, learners: 11 }, 'learners', 'must be at most 10'],
    [{ members: 3, learners: 0.5 }, 'learners', 'must be a whole number'],
  ])('rejects %j naming %s', (input, path, message) => {
    const error = inputError(() => quorum(input as never));
    expect(error.issues).toEqual([{ path, message }]);
    expect(error.message).toBe(`quorum: ${path} ${message}`);
  });

  it('rejects a missing object', () => {
    expect(inputError(() => quorum(undefined as never)).issues[0]?.path).toBe('input');
  });
});
