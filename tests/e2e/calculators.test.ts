/**
 * The six calculators in headless Chromium, against a built site: `dist/` by default, or the directory named by
 * HANDBOOK_DIST (e.g. `npx astro build --outDir .cache/dist-calculators && HANDBOOK_DIST=.cache/dist-calculators
 * npx vitest run --project e2e tests/e2e/calculators.test.ts`). Expected values come from the library itself.
 * Recompute timings and JavaScript weights are printed, not asserted.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CalcInputError } from '../../src/lib/calc/errors';
import { availability, availabilityBySize } from '../../src/lib/calc/availability';
import { quorum } from '../../src/lib/calc/quorum';
import { formatMinutes, formatNumber, formatPercent } from '../../src/components/calculators/client/format';
import { collectPageErrors, launchBrowser, PHONE, type LaunchedBrowser } from './helpers/browser';
import { serveStatic, type StaticSite } from './helpers/server';

const DIST = path.resolve(process.env['HANDBOOK_DIST'] ?? path.join(import.meta.dirname, '../../dist'));

/** The library's own message for an input, so the test checks the page shows exactly what the library says. */
function libraryIssue(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof CalcInputError) return error.issues[0]?.message ?? '';
  }
  throw new Error('expected the library to reject this input');
}

interface CalculatorCase {
  id: string;
  /** Output texts with the page's default values. */
  defaults: Record<string, string>;
  /** Typing `value` into `field` must show `outputs`. */
  edit: { field: string; value: string; outputs: Record<string, string> };
  /** A bad value for `field`: the alert must name `label` and say `message`. */
  bad: { field: string; value: string; label: string; message: string };
  /** Opening `?query` must fill `field` with `value` and show `outputs`. */
  shared: { query: string; field: string; value: string; outputs: Record<string, string> };
  /** Field to attack with hostile query values. */
  hostileField: string;
}

const q3 = quorum({ members: 3 });
const q5 = quorum({ members: 5 });
const q7 = quorum({ members: 7 });
const a3 = availability({ members: 3, memberAvailability: 0.99 });
const a5 = availability({ members: 5, memberAvailability: 0.99 });
const a5m = availability({ members: 5, mtbfHours: 2000, mttrHours: 8 });

const CASES: CalculatorCase[] = [
  {
    id: 'quorum',
    defaults: { quorum: `${q3.quorum} of 3`, faultTolerance: String(q3.faultTolerance) },
    edit: { field: 'members', value: '5', outputs: { quorum: `${q5.quorum} of 5`, faultTolerance: String(q5.faultTolerance) } },
    bad: { field: 'members', value: '0', label: 'Voting members', message: libraryIssue(() => quorum({ members: 0 })) },
    shared: { query: 'members=7&learners=1', field: 'members', value: '7', outputs: { quorum: `${q7.quorum} of 7`, learners: '1' } },
    hostileField: 'members',
  },
  {
    id: 'availability',
    defaults: { availability: formatPercent(a3.availability), nines: formatNumber(a3.nines, 2) },
    edit: { field: 'members', value: '5', outputs: { availability: formatPercent(a5.availability), downtime: formatMinutes(a5.downtimeMinutesPerYear) } },
    bad: {
      field: 'memberAvailability',
      value: '1.5',
      label: 'Availability of one member',
      message: libraryIssue(() => availability({ members: 3, memberAvailability: 1.5 })),
    },
    shared: {
      query: 'members=5&mode=mtbf&mtbfHours=2000&mttrHours=8',
      field: 'mtbfHours',
      value: '2000',
      outputs: { availability: formatPercent(a5m.availability), nines: formatNumber(a5m.nines, 2) },
    },
    hostileField: 'members',
  },
];

function gzipBytes(file: string): number {
  return gzipSync(readFileSync(file)).length;
}

async function outputText(page: Page, key: string): Promise<string> {
  return (await page.locator(`output[data-out="${key}"]`).first().textContent())?.trim() ?? '';
}

async function expectOutputs(page: Page, outputs: Record<string, string>): Promise<void> {
  for (const [key, text] of Object.entries(outputs)) {
    await expect.poll(() => outputText(page, key), { timeout: 5000 }).toBe(text);
  }
}

async function expectNoJunk(page: Page): Promise<void> {
  const text = await page.locator('body').innerText();
  expect(text).not.toMatch(/\bNaN\b|Infinity|undefined|\bat \S+:\d+:\d+/);
}

describe('calculators', () => {
  let site: StaticSite;
  let launched: LaunchedBrowser;
  let browser: Browser;
  const timings: string[] = [];
  const weights: string[] = [];

  beforeAll(async () => {
    site = await serveStatic(DIST);
    launched = await launchBrowser();
    browser = launched.browser;
  });
  afterAll(async () => {
    if (timings.length > 0) console.log(`Recompute + redraw after one keystroke (median of 40, headless Chromium):\n${timings.join('\n')}`);
    if (weights.length > 0) console.log(`JavaScript loaded (gzip):\n${weights.join('\n')}`);
    await launched?.close();
    await site?.close();
  });

  for (const c of CASES) {
    describe(c.id, () => {
      const url = () => `${site.url}calculators/${c.id}/`;
      const input = (page: Page, field: string) => page.locator(`[name="${field}"]`).first();

      it('answers with its default values when JavaScript is off', async () => {
        const context = await browser.newContext({ javaScriptEnabled: false });
        const page = await context.newPage();
        await page.goto(url());
        for (const [key, text] of Object.entries(c.defaults)) expect(await outputText(page, key)).toBe(text);
        expect(await page.locator('[data-copy-link]').isVisible()).toBe(false);
        const chartRows = await page.locator('[data-chart-table] tbody tr').count();
        expect(chartRows).toBeGreaterThan(0);
        await expectNoJunk(page);
        await context.close();
      });

      it('updates on each keystroke, keeps the state in the URL and logs no errors', async () => {
        const context = await browser.newContext();
        const page = await context.newPage();
        const errors = collectPageErrors(page);
        await page.goto(url());
        const historyLength = await page.evaluate(() => history.length);
        await input(page, c.edit.field).fill(c.edit.value);
        await expectOutputs(page, c.edit.outputs);
        const search = new URL(page.url()).searchParams;
        expect(search.get(c.edit.field)).toBe(c.edit.value);
        expect(await page.evaluate(() => history.length)).toBe(historyLength);
        await page.locator('[data-chart]').scrollIntoViewIfNeeded();
        await expect.poll(() => page.locator('[data-chart]').getAttribute('data-chart-state')).toBe('drawn');
        expect(await page.locator('canvas[role="img"]').getAttribute('aria-label')).toMatch(/\d/);
        // Theme switch: the chart redraws with the new colours without errors.
        await page.evaluate(() => document.documentElement.setAttribute('data-theme', 'light'));
        await page.evaluate(() => document.documentElement.setAttribute('data-theme', 'dark'));
        await expectNoJunk(page);
        expect(errors).toEqual([]);
        await context.close();
      });

      it('shows a named alert for bad input and keeps the last result, marked stale', async () => {
        const page = await browser.newPage();
        const errors = collectPageErrors(page);
        await page.goto(url());
        const before = await outputText(page, Object.keys(c.defaults)[0] ?? '');
        for (const value of [c.bad.value, '', '-3', 'abc']) {
          await input(page, c.bad.field).fill(value);
          const alert = page.locator(`[data-error-for="${c.bad.field}"]`);
          await expect.poll(() => alert.textContent()).toContain(c.bad.label);
          expect(await alert.getAttribute('role')).toBe('alert');
          expect(await input(page, c.bad.field).getAttribute('aria-invalid')).toBe('true');
          expect(await page.locator('[data-stale-label]').isVisible()).toBe(true);
          expect(await outputText(page, Object.keys(c.defaults)[0] ?? '')).toBe(before);
          await expectNoJunk(page);
        }
        await input(page, c.bad.field).fill(c.bad.value);
        expect(await page.locator(`[data-error-for="${c.bad.field}"]`).textContent()).toBe(`${c.bad.label}: ${c.bad.message}`);
        expect(errors).toEqual([]);
        await page.close();
      });

      it('restores the state from a shared link and copies the link', async () => {
        const context = await browser.newContext();
        await context.grantPermissions(['clipboard-read', 'clipboard-write']);
        const page = await context.newPage();
        const errors = collectPageErrors(page);
        await page.goto(`${url()}?${c.shared.query}`);
        expect(await input(page, c.shared.field).inputValue()).toBe(c.shared.value);
        await expectOutputs(page, c.shared.outputs);
        await page.getByRole('button', { name: 'Copy link' }).click();
        await expect.poll(() => page.locator('[data-copy-status]').textContent()).toBe('Link copied');
        const copied = await page.evaluate(() => navigator.clipboard.readText());
        expect(new URL(copied).search).toBe(new URL(page.url()).search);
        expect(errors).toEqual([]);
        await context.close();
      });

      it('treats hostile query strings as bad input and runs none of them', async () => {
        const page = await browser.newPage();
        const errors = collectPageErrors(page);
        const hostile = ['<img src=x onerror="window.__pwned=1">', '1e999', '\u0000', '"><script>window.__pwned=2</script>'];
        for (const value of hostile) {
          await page.goto(`${url()}?${c.hostileField}=${encodeURIComponent(value)}`);
          await expect.poll(() => page.locator(`[data-error-for="${c.hostileField}"]`).textContent()).not.toBe('');
          expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
          expect(await page.locator('.hb-calc img, .hb-calc script').count()).toBe(0);
          await expectNoJunk(page);
        }
        expect(errors).toEqual([]);
        await page.close();
      });

      it('fits a 360 px phone without horizontal scrolling and loads chart.js only near the chart', async () => {
        // A short phone screen, so the chart starts well below the fold on every calculator.
        const context = await browser.newContext({ ...PHONE, viewport: { width: PHONE.viewport.width, height: 320 } });
        const page = await context.newPage();
        const scripts: string[] = [];
        page.on('response', (response) => {
          const pathname = new URL(response.url()).pathname;
          if (pathname.endsWith('.js')) scripts.push(pathname);
        });
        await page.goto(url(), { waitUntil: 'networkidle' });
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
        const sizeOf = (list: string[]) => list.reduce((sum, file) => sum + gzipBytes(path.join(DIST, file.slice(new URL(site.url).pathname.length))), 0);
        const beforeChart = [...scripts];
        expect(beforeChart.some((file) => file.includes('chart-render'))).toBe(false);
        await page.locator('[data-chart]').scrollIntoViewIfNeeded();
        await expect.poll(() => page.locator('[data-chart]').getAttribute('data-chart-state')).toBe('drawn');
        await page.waitForLoadState('networkidle');
        expect(scripts.some((file) => file.includes('chart-render'))).toBe(true);
        weights.push(`  ${c.id}: ${(sizeOf(beforeChart) / 1024).toFixed(1)} KB before the chart, ${(sizeOf(scripts) / 1024).toFixed(1)} KB with it`);
        await context.close();
      });

      it('measures the recompute time after one keystroke (printed, not asserted)', async () => {
        const page = await browser.newPage();
        await page.goto(url());
        await page.locator('[data-chart]').scrollIntoViewIfNeeded();
        await expect.poll(() => page.locator('[data-chart]').getAttribute('data-chart-state')).toBe('drawn');
        const field = c.edit.field;
        const values = [c.edit.value, (c.defaults && c.shared.field === field ? c.shared.value : c.edit.value)];
        const median = await page.evaluate(
          ({ field, values }) => {
            const control = document.querySelector<HTMLInputElement>(`[name="${field}"]`);
            if (!control) return Number.NaN;
            const samples: number[] = [];
            for (let round = 0; round < 40; round++) {
              control.value = values[round % values.length] ?? '';
              const start = performance.now();
              control.dispatchEvent(new Event('input', { bubbles: true }));
              samples.push(performance.now() - start);
            }
            samples.sort((a, b) => a - b);
            return samples[Math.floor(samples.length / 2)] ?? Number.NaN;
          },
          { field, values },
        );
        timings.push(`  ${c.id}: ${median.toFixed(2)} ms`);
        expect(Number.isFinite(median)).toBe(true);
        await page.close();
      });
    });
  }

  it('the availability chart table lists the library\u2019s nines for each size', async () => {
    const page = await browser.newPage();
    await page.goto(`${site.url}calculators/availability/`);
    const points = availabilityBySize({ maxMembers: 7, memberAvailability: 0.99 });
    const cells = await page.locator('[data-chart-table] tbody tr td:nth-child(4)').allTextContents();
    expect(cells).toEqual(points.map((point) => formatNumber(point.nines, 2)));
    await page.close();
  });
});
