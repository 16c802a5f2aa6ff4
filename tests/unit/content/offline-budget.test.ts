/**
 * The offline precache order and budget (src/integrations/service-worker.ts): which files a first visit
 * downloads when the handbook is too large to keep whole. Sizes here are made up; the real figures at 500
 * runbooks come from `npm run bench:build`.
 */
import { describe, expect, it } from 'vitest';
import { choosePrecache, precacheTier, type PrecacheCandidate } from '../../../src/integrations/service-worker';

const ALERT_RUNBOOKS = new Set(['etcd-quorum-loss']);

describe('precacheTier', () => {
  it('puts the shell first, then search, alert pages and the print edition, then runbooks alerts link, then the rest', () => {
    const tiers = [
      'index.html',
      '_astro/print.css',
      'pagefind/pagefind.js',
      'pagefind/fragment/en_1.pf_fragment',
      'alerts/etcdnoleader/index.html',
      'print/checklist/index.html',
      'runbooks/etcd-quorum-loss/index.html',
      'runbooks/bench-copy-0001/index.html',
      'calculators/quorum/index.html',
    ].map((url) => precacheTier(url, ALERT_RUNBOOKS));
    expect(tiers).toEqual([0, 0, 1, 1, 2, 2, 3, 4, 5]);
  });
});

describe('choosePrecache', () => {
  const file = (url: string, gzipBytes: number): PrecacheCandidate => ({ url, gzipBytes, tier: precacheTier(url, ALERT_RUNBOOKS) });

  it('keeps everything when the handbook fits the budget', () => {
    const candidates = [file('index.html', 10), file('pagefind/pagefind.js', 10), file('runbooks/a/index.html', 10)];
    expect([...choosePrecache(candidates, 30).chosen].sort()).toEqual(candidates.map((candidate) => candidate.url).sort());
  });

  it('fills the budget in tier order and leaves the last runbooks to runtime caching', () => {
    const candidates = [
      file('runbooks/bench-b/index.html', 40),
      file('runbooks/bench-a/index.html', 40),
      file('runbooks/etcd-quorum-loss/index.html', 40),
      file('alerts/etcdnoleader/index.html', 20),
      file('pagefind/pagefind.js', 30),
      file('index.html', 10),
    ];
    // 10 + 30 + 20 = 60 always-first files, then 40 for the alert's runbook and 40 for the first other: 140.
    const { chosen, warnings } = choosePrecache(candidates, 150);
    expect([...chosen].sort()).toEqual(
      ['index.html', 'pagefind/pagefind.js', 'alerts/etcdnoleader/index.html', 'runbooks/etcd-quorum-loss/index.html', 'runbooks/bench-a/index.html'].sort(),
    );
    expect(warnings).toEqual([]);
  });

  it('never drops the shell or the search index, and says so when they alone exceed the budget', () => {
    const { chosen, warnings } = choosePrecache([file('index.html', 50), file('pagefind/wasm.en.pagefind', 80), file('alerts/x/index.html', 1)], 100);
    expect([...chosen].sort()).toEqual(['index.html', 'pagefind/wasm.en.pagefind']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/over the offline budget/);
  });
});
