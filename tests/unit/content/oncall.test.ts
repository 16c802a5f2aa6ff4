/**
 * The pure parts of the on-call features: the sidebar built from the collection, the runbooks that fix an alert,
 * the quick path's jump links, and the step ticks' staleness and incident log.
 */
import { describe, expect, it } from 'vitest';
import { buildSidebar, type NavGroup, type NavPage } from '../../../src/lib/content/navigation';
import { alertFixChoices, type RunbookSummary } from '../../../src/lib/content/alert-fix';
import { codeSpans, resolveQuickPath } from '../../../src/lib/content/quick-path';
import { hasStaleTicks, incidentLog, readTicks, STALE_AFTER_MS } from '../../../src/components/step-progress';

const PAGES: NavPage[] = [
  { id: 'index', title: 'Home' },
  { id: 'alerts', title: 'Alert index' },
  { id: 'runbooks/b-warning', title: 'B warning', severity: 'warning' },
  { id: 'runbooks/a-info', title: 'A info', severity: 'info' },
  { id: 'runbooks/c-critical', title: 'C critical', severity: 'critical' },
  { id: 'alerts/zeta', title: 'zeta' },
  { id: 'alerts/alpha', title: 'alpha' },
  { id: 'reference/hidden', title: 'Hidden', hidden: true },
  { id: 'reference/second', title: 'Second', order: 2 },
  { id: 'reference/first', title: 'First', order: 1 },
];

describe('buildSidebar', () => {
  const sidebar = buildSidebar(PAGES, '/handbook/', '/handbook/alerts/zeta/');
  const group = (label: string) => sidebar.find((entry): entry is NavGroup => entry.type === 'group' && entry.label === label);

  it('lists every page of each folder under its group, index first, with the base path', () => {
    expect(group('Runbooks')?.entries.map((entry) => entry.href)).toEqual([
      '/handbook/runbooks/',
      '/handbook/runbooks/c-critical/',
      '/handbook/runbooks/b-warning/',
      '/handbook/runbooks/a-info/',
    ]);
    expect(group('Alerts')?.entries.map((entry) => entry.label)).toEqual(['All alerts', 'alpha', 'zeta']);
    expect(group('Reference')?.entries.map((entry) => entry.label)).toEqual(['First', 'Second']);
    // No calculator pages: an index link still leads to /calculators/.
    expect(group('Calculators')?.entries.map((entry) => entry.href)).toEqual(['/handbook/calculators/']);
  });

  it('marks exactly the current page', () => {
    const current = sidebar.flatMap((entry) => (entry.type === 'group' ? entry.entries : [entry])).filter((entry) => entry.isCurrent);
    expect(current.map((entry) => entry.href)).toEqual(['/handbook/alerts/zeta/']);
  });
});

describe('alertFixChoices', () => {
  const runbooks: RunbookSummary[] = [
    { slug: 'quorum', title: 'Quorum loss', alerts: ['etcdNoLeader'], estimatedMinutes: 60, description: 'Rebuild quorum' },
    { slug: 'member', title: 'Member replacement', alerts: [], estimatedMinutes: 30 },
  ];

  it('keeps the written order and adds runbooks whose alerts list names the alert', () => {
    const choices = alertFixChoices('etcdNoLeader', [{ runbook: 'member', when: 'One member' }], runbooks);
    expect(choices.map((choice) => [choice.slug, choice.when])).toEqual([
      ['member', 'One member'],
      ['quorum', 'Rebuild quorum'],
    ]);
  });

  it('fails naming a runbook that does not exist', () => {
    expect(() => alertFixChoices('etcdNoLeader', [{ runbook: 'nope', when: 'x' }], runbooks)).toThrow(/names "nope".*no src\/content\/runbooks\/nope\.mdx/);
  });
});

describe('resolveQuickPath', () => {
  const headings = [
    { depth: 2, slug: 'when-to-use-this', text: 'When to use this' },
    { depth: 2, slug: 'set-up-your-shell', text: 'Set up your shell' },
    { depth: 2, slug: 'procedure', text: 'Procedure' },
    { depth: 2, slug: 'stop-and-escalate-if', text: 'Stop and escalate if' },
  ];

  it('links routes to headings by their text, and the escalation section', () => {
    const resolved = resolveQuickPath('runbooks/x', headings, {
      routes: [{ situation: 'Broken', go: 'procedure' }, { situation: 'Other', go: '/runbooks/y/', note: 'first' }],
      stop: 'it gets worse',
    });
    expect(resolved.routes.map((route) => [route.href, route.label, route.external])).toEqual([
      ['#procedure', 'Procedure', false],
      ['/runbooks/y/', '/runbooks/y/', true],
    ]);
    expect(resolved.stopHref).toBe('#stop-and-escalate-if');
    expect(resolved.folded.map((heading) => heading.slug)).toEqual(['when-to-use-this']);
  });

  it('fails on a route to a heading the page does not have', () => {
    expect(() => resolveQuickPath('runbooks/x', headings, { routes: [{ situation: 'a', go: 'renamed' }], stop: 's' })).toThrow(
      /runbooks\/x: quickPath route "a" goes to #renamed/,
    );
  });

  it('without frontmatter, points at the first section after set-up', () => {
    expect(resolveQuickPath('runbooks/x', headings, undefined).routes.map((route) => route.href)).toEqual(['#procedure']);
  });

  it('renders backticks as code', () => {
    expect(codeSpans('fails with `x y` now')).toEqual([
      { code: false, text: 'fails with ' },
      { code: true, text: 'x y' },
      { code: false, text: ' now' },
    ]);
  });
});

describe('step ticks', () => {
  const now = Date.parse('2026-12-01T12:00:00Z');
  const iso = (msAgo: number) => new Date(now - msAgo).toISOString();

  it('are stale after a day, until the reader keeps them', () => {
    expect(hasStaleTicks({ ticks: { '1.1': iso(STALE_AFTER_MS - 60_000) } }, now)).toBe(false);
    expect(hasStaleTicks({ ticks: { '1.1': iso(STALE_AFTER_MS + 60_000) } }, now)).toBe(true);
    expect(hasStaleTicks({ ticks: { '1.1': iso(STALE_AFTER_MS + 60_000) }, keptAt: iso(60_000) }, now)).toBe(false);
    expect(hasStaleTicks({ ticks: {} }, now)).toBe(false);
  });

  it('read the old list format as ticks of unknown (old) time', () => {
    const storage = { getItem: () => JSON.stringify(['1.1', '1.2']) } as unknown as Storage;
    const stored = readTicks(storage, 'k');
    expect(Object.keys(stored.ticks)).toEqual(['1.1', '1.2']);
    expect(hasStaleTicks(stored, now)).toBe(true);
  });

  it('give an incident log in time order with UTC times', () => {
    const log = incidentLog('etcd NOSPACE', 'https://h/runbooks/etcd-nospace/', [
      { section: 'Procedure', step: 2, title: 'Stop the writer', at: '2026-12-01T11:05:00.000Z' },
      { section: 'Procedure', step: 1, title: 'Confirm the alarm', at: '2026-12-01T11:01:30.000Z' },
    ], '2026-12-01T11:10:00.000Z');
    expect(log).toBe(
      [
        '**etcd NOSPACE**: https://h/runbooks/etcd-nospace/',
        'Steps ticked (log copied 2026-12-01 11:10 UTC):',
        '',
        '- 2026-12-01 11:01 UTC: Procedure, step 1: Confirm the alarm',
        '- 2026-12-01 11:05 UTC: Procedure, step 2: Stop the writer',
      ].join('\n'),
    );
  });
});
