import { describe, expect, it } from 'vitest';
import { paramName, readQuery, writeQuery } from '../../../src/components/calculators/client/query-state';

describe('readQuery', () => {
  it('returns only the fields present, as decoded text', () => {
    expect(readQuery('?members=5&other=x', ['members', 'learners'], '')).toEqual({ members: '5' });
    expect(readQuery('members=7', ['members'], '')).toEqual({ members: '7' });
  });

  it('reads only the parameters carrying its prefix', () => {
    const search = '?quorum-members=5&topology-members=3&members=9';
    expect(readQuery(search, ['members'], 'quorum-')).toEqual({ members: '5' });
    expect(readQuery(search, ['members'], 'topology-')).toEqual({ members: '3' });
    expect(readQuery(search, ['members'], '')).toEqual({ members: '9' });
  });

  it('hands hostile and malformed values back verbatim as text, without throwing', () => {
    const hostile = '<img src=x onerror=alert(1)>';
    expect(readQuery(`?members=${encodeURIComponent(hostile)}`, ['members'], '')).toEqual({ members: hostile });
    expect(readQuery('?members=1e999', ['members'], '')).toEqual({ members: '1e999' });
    expect(readQuery('?members=%00', ['members'], '')).toEqual({ members: '\u0000' });
    // A broken UTF-8 escape becomes a replacement character rather than throwing URIError.
    expect(readQuery('?members=%E0%A4%A', ['members'], '')).toEqual({ members: '\uFFFD%A' });
    expect(readQuery('?members=a+b', ['members'], '')).toEqual({ members: 'a b' });
  });

  it('takes the first value of a repeated parameter', () => {
    expect(readQuery('?members=3&members=5', ['members'], '')).toEqual({ members: '3' });
  });
});

describe('writeQuery', () => {
  it('sets the fields and keeps unrelated parameters in order', () => {
    expect(writeQuery('?utm=a&members=3', ['members', 'learners'], { members: '5', learners: '1' }, '')).toBe(
      '?utm=a&members=5&learners=1',
    );
  });

  it('removes a field whose value is missing and returns an empty string when nothing is left', () => {
    expect(writeQuery('?members=3', ['members'], {}, '')).toBe('');
  });

  it('encodes values so they survive a round trip through readQuery', () => {
    const values = { rttMs: '0.5, 1 2', via: 'follower & <leader>' };
    const search = writeQuery('', ['rttMs', 'via'], values, 'write-latency-');
    expect(search).not.toContain('<');
    expect(readQuery(search, ['rttMs', 'via'], 'write-latency-')).toEqual(values);
  });

  it('leaves another calculator\u2019s parameters alone', () => {
    const first = writeQuery('', ['members'], { members: '5' }, 'quorum-');
    const both = writeQuery(first, ['members'], { members: '3' }, 'topology-');
    expect(both).toBe('?quorum-members=5&topology-members=3');
    expect(paramName('quorum-', 'members')).toBe('quorum-members');
  });
});
