import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLinks } from '../../scripts/check-links';
import { astroBuild, copyProject } from './helpers/project-copy';

const BAD_RUNBOOK = `---
title: Broken runbook
severity: warning
components: [etcd]
alerts: []
appliesTo: { kubernetes: '1.30', etcd: '3.5' }
lastReviewed: not-a-date
owners: [team]
estimatedMinutes: 5
---

Body.
`;

const OLD_RUNBOOK = BAD_RUNBOOK.replace('lastReviewed: not-a-date', 'lastReviewed: 2020-01-01').replace('Broken runbook', 'Stale runbook');

describe('a runbook with a bad lastReviewed', () => {
  const copy = copyProject();
  afterAll(() => copy.remove());

  it('fails the build, naming the file and the field', () => {
    writeFileSync(path.join(copy.dir, 'src/content/runbooks/broken-example.mdx'), BAD_RUNBOOK);
    const { status, output } = astroBuild(copy.dir);
    expect(status).not.toBe(0);
    expect(output).toContain('src/content/runbooks/broken-example.mdx');
    expect(output).toMatch(/- lastReviewed: /);
  });
});

describe('a runbook reviewed too long ago', () => {
  const copy = copyProject();
  let output = '';
  beforeAll(() => {
    writeFileSync(path.join(copy.dir, 'src/content/runbooks/stale-example.mdx'), OLD_RUNBOOK);
    const result = astroBuild(copy.dir);
    expect(result.status).toBe(0);
    output = result.output;
  });
  afterAll(() => copy.remove());

  it('is listed by the build as overdue', () => {
    expect(output).toMatch(/runbook\(s\) overdue for review \(older than 180 days\)/);
    expect(output).toMatch(/stale-example\.mdx: last reviewed 2020-01-01/);
  });

  it('shows a review-overdue notice on its page', () => {
    const html = readFileSync(path.join(copy.dir, 'dist/runbooks/stale-example/index.html'), 'utf8');
    expect(html).toContain('Review overdue:');
    expect(html).toContain('last reviewed 2020-01-01');
  });
});

describe('a build published under HANDBOOK_BASE=/handbook', () => {
  const copy = copyProject();
  const outDir = 'dist-base';
  beforeAll(() => {
    const result = astroBuild(copy.dir, { HANDBOOK_BASE: '/handbook' }, ['--outDir', outDir]);
    if (result.status !== 0) throw new Error(result.output);
  });
  afterAll(() => copy.remove());

  it('has no broken link and no link that escapes the base', () => {
    const report = checkLinks(path.join(copy.dir, outDir), '/handbook');
    expect(report.broken).toEqual([]);
    expect(report.pages).toBeGreaterThan(3);
    expect(report.linksChecked).toBeGreaterThan(report.pages);
  });

  it('prefixes the links written in content and the search bundle path', () => {
    const html = readFileSync(path.join(copy.dir, outDir, 'index.html'), 'utf8');
    expect(html).toContain('href="/handbook/alerts/"');
    expect(html).not.toMatch(/href="\/(alerts|runbooks|calculators)\//);
    const pagefindFiles = readdirSync(path.join(copy.dir, outDir, 'pagefind'));
    expect(pagefindFiles).toContain('pagefind.js');
  });
});
