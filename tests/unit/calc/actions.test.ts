/**
 * Links from notes: every target page and heading exists in the handbook's content, and every warning or critical
 * note the library can give has one. Headings are turned into ids with github-slugger, as the site's Markdown
 * processor does.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import GithubSlugger from 'github-slugger';
import { describe, expect, it } from 'vitest';
import { NOTE_ACTIONS, noteAction } from '../../../src/lib/calc';
import { niceBins } from '../../../src/lib/calc/_internal/stats';
import { shareNoisePercent } from '../../../src/lib/calc/leader-election';

const ROOT = path.join(import.meta.dirname, '../../..');
const LIB = path.join(ROOT, 'src/lib/calc');

/** Ids of the `##`/`###` headings of an MDX page, outside code fences. */
function headingIds(file: string): string[] {
  const slugger = new GithubSlugger();
  let inFence = false;
  const ids: string[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    const match = !inFence && /^#{2,4}\s+(.*)$/.exec(line);
    if (match) ids.push(slugger.slug((match[1] ?? '').replace(/`/g, '')));
  }
  return ids;
}

describe('note actions', () => {
  it.each(Object.entries(NOTE_ACTIONS))('%s links an existing page and heading', (_code, action) => {
    const url = new URL(action.href, 'http://handbook.invalid');
    expect(action.href.startsWith('/')).toBe(true);
    expect(url.pathname.endsWith('/')).toBe(true);
    const file = path.join(ROOT, 'src/content', `${url.pathname.replace(/^\/|\/$/g, '')}.mdx`);
    expect(existsSync(file), file).toBe(true);
    if (url.hash) expect(headingIds(file)).toContain(url.hash.slice(1));
    expect(action.label).toMatch(/\S/);
  });

  it('every warning or critical note of the library links somewhere', () => {
    const codes = new Set<string>();
    for (const file of readdirSync(LIB).filter((name) => name.endsWith('.ts'))) {
      const source = readFileSync(path.join(LIB, file), 'utf8');
      // Notes are object literals `{ severity: '…', code: '…'` (severity may be computed, or on the line before).
      for (const match of source.matchAll(/severity:\s*([^,\n]+),\s*\n?\s*code:\s*'([a-z0-9-]+)'/g)) {
        if (!/^'info'$/.test((match[1] ?? '').trim())) codes.add(match[2] ?? '');
      }
    }
    expect(codes.size).toBeGreaterThan(15);
    const missing = [...codes].filter((code) => noteAction(code) === undefined);
    expect(missing).toEqual([]);
  });

  it('info-only codes and unknown codes have none', () => {
    expect(noteAction('independent-failures')).toBeUndefined();
    expect(noteAction('toString')).toBeUndefined();
  });
});

describe('chart helpers', () => {
  it('niceBins: widths of 1, 2 or 5 × 10ⁿ from a round start', () => {
    expect(niceBins(13, 23.8, 16)).toEqual({ from: 13, to: 24, count: 11, width: 1 });
    expect(niceBins(100, 240, 10)).toEqual({ from: 100, to: 240, count: 7, width: 20 });
    expect(niceBins(0.8, 1.9, 10)).toMatchObject({ width: 0.2, count: 6 });
    expect(niceBins(5, 5, 4)).toMatchObject({ from: 5, count: 1 });
    expect(niceBins(0, 9, 1)).toMatchObject({ from: 0, to: 10, count: 1, width: 10 });
  });

  it('shareNoisePercent: 1.96·√(f(1−f)/n) in percentage points', () => {
    // f = 0.5, n = 10,000: 1.96 × 0.005 = 0.0098 → 0.98 points.
    expect(shareNoisePercent(0.5, 10_000)).toBeCloseTo(0.98, 10);
    expect(shareNoisePercent(0, 100)).toBe(0);
  });
});
