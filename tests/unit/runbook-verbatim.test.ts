/**
 * The runbook report's counting (tests/runbooks/lib/verbatim.ts). Expected figures are counted by hand from the
 * blocks written here, following the test review's definition of a command line.
 */
import { describe, expect, test } from 'vitest';
import { appliesTo, commandLines, formatReport, parseEtcdMinors, tallyVerbatim, type ShownBlock } from '../runbooks/lib/verbatim';

describe('commandLines', () => {
  test('blank lines and comment lines do not count; a trailing comment does not hide its command', () => {
    expect(commandLines('\n# a comment\n  # indented comment\n\necho one   # trailing\n')).toBe(1);
  });

  test('continuation lines join the command they continue, even when the continued part looks like a comment', () => {
    const code = ['etcdutl snapshot restore "$F" \\', '  --name cp-1 \\', '  # not a comment: still the same command', 'ls'].join('\n');
    // The third line follows a backslash, so it is part of the first command: 2 commands.
    expect(commandLines(code)).toBe(2);
  });

  test('the lines of a loop count one by one', () => {
    expect(commandLines('for n in 1 2; do\n  echo "$n"\ndone')).toBe(3);
  });

  test('an empty block has no command lines', () => {
    expect(commandLines('')).toBe(0);
  });
});

describe('etcd= attribute', () => {
  test('lists of minors parse, with or without spaces', () => {
    expect(parseEtcdMinors('3.6,3.7')).toEqual(['3.6', '3.7']);
    expect(parseEtcdMinors(' 3.5 , 3.6')).toEqual(['3.5', '3.6']);
  });

  test('anything but minors is refused, naming the attribute', () => {
    expect(() => parseEtcdMinors('3.6.16')).toThrow(/etcd="3\.6\.16"/);
    expect(() => parseEtcdMinors('')).toThrow(/etcd=""/);
    expect(() => parseEtcdMinors('v3.6')).toThrow(/minors/);
  });

  test('a block without the attribute applies to every minor; with it, only to those listed', () => {
    expect(appliesTo({}, '3.5')).toBe(true);
    expect(appliesTo({ etcdMinors: ['3.6', '3.7'] }, '3.5')).toBe(false);
    expect(appliesTo({ etcdMinors: ['3.6', '3.7'] }, '3.7')).toBe(true);
  });
});

describe('tallyVerbatim', () => {
  const blocks: ShownBlock[] = [
    { line: 10, code: 'a\nb\nc' }, // 3 lines, every minor
    { line: 20, code: 'etcdctl snapshot status f', etcdMinors: ['3.5'] }, // 1 line, 3.5 only
    { line: 30, code: 'etcdutl snapshot status f\nls', etcdMinors: ['3.6', '3.7'] }, // 2 lines
    { line: 40, code: 'kubectl get nodes\nsystemctl restart kubelet\ncrictl ps\nkubectl get --raw /readyz' }, // 4, never run
  ];

  test('counts only the blocks for the minor, and a block run on several nodes once', () => {
    // On 3.6: shown 10, 30, 40 = 3 + 2 + 4 = 9 lines; run 10 and 30 (10 reported twice) = 5 lines.
    expect(tallyVerbatim(blocks, [10, 30, 10], '3.6')).toEqual({ blocksShown: 3, blocksRun: 2, linesShown: 9, linesRun: 5, share: 5 / 9 });
    // On 3.5: shown 10, 20, 40 = 8 lines; run 10 and 20 = 4.
    expect(tallyVerbatim(blocks, [10, 20], '3.5')).toEqual({ blocksShown: 3, blocksRun: 2, linesShown: 8, linesRun: 4, share: 0.5 });
  });

  test('a block reported as run on a minor its etcd= excludes is an error, not a silent count', () => {
    expect(() => tallyVerbatim(blocks, [20], '3.6')).toThrow(/line 20 ran on etcd 3\.6/);
  });

  test('a run block the page does not show is an error', () => {
    expect(() => tallyVerbatim(blocks, [11], '3.6')).toThrow(/line 11/);
  });

  test('nothing run gives 0, a page without shell lines gives 1', () => {
    expect(tallyVerbatim(blocks, [], '3.7').share).toBe(0);
    expect(tallyVerbatim([], [], '3.7').share).toBe(1);
  });
});

describe('formatReport', () => {
  test('one row per runbook and version in version order, FAILED spelt out, outcomes listed under each', () => {
    const tally = { blocksShown: 4, blocksRun: 3, linesShown: 40, linesRun: 37, share: 37 / 40 };
    const text = formatReport([
      { runbook: 'etcd-nospace', version: '3.10.1', tally, outcomes: [], durationMs: 61_000, failed: false },
      { runbook: 'etcd-nospace', version: '3.6.16', tally, outcomes: ['keys compared: 1000, lost 0'], durationMs: 59_400, failed: true },
    ]);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^runbook\s+version\s+result\s+blocks run\s+lines verbatim \/ shown\s+share\s+seconds$/);
    expect(lines[2]).toMatch(/^etcd-nospace\s+3\.6\.16\s+FAILED\s+3 \/ 4\s+37 \/ 40\s+93 %\s+59$/);
    expect(lines[3]).toMatch(/^etcd-nospace\s+3\.10\.1\s+passed/);
    expect(text).toContain('etcd-nospace on etcd 3.6.16:\n  keys compared: 1000, lost 0');
  });
});
