/**
 * The six calculators in headless Chromium, against a built site: `dist/` by default, or the directory named by
 * HANDBOOK_E2E_DIST, like the other browser suites (e.g. `npx astro build --outDir .cache/dist-calculators &&
 * HANDBOOK_E2E_DIST=.cache/dist-calculators npx vitest run --project e2e tests/e2e/calculators.test.ts`). Expected values come from the library itself.
 * Recompute timings and JavaScript weights are printed, not asserted.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CalcInputError } from '../../src/lib/calc/errors';
import { availability, availabilityBySize } from '../../src/lib/calc/availability';
import { etcdTiming } from '../../src/lib/calc/etcd-timing';
import { leaderElection } from '../../src/lib/calc/leader-election';
import { quorum } from '../../src/lib/calc/quorum';
import { topology } from '../../src/lib/calc/topology';
import { writeLatency, writeLatencyDistribution } from '../../src/lib/calc/write-latency';
import {
  formatMilliseconds,
  formatMinutes,
  formatNumber,
  formatPercent,
  formatSeconds,
} from '../../src/components/calculators/client/format';
import { collectPageErrors, launchBrowser, PHONE, type LaunchedBrowser } from './helpers/browser';
import { serveStatic, type StaticSite } from './helpers/server';
import { BASE, DIST } from './helpers/site';


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
  /** Whether the calculator draws a chart. */
  chart: boolean;
}

const q3 = quorum({ members: 3 });
const q5 = quorum({ members: 5 });
const q7 = quorum({ members: 7 });
const a3 = availability({ members: 3, memberAvailability: 0.99 });
const a5 = availability({ members: 5, memberAvailability: 0.99 });
const a5m = availability({ members: 5, mtbfHours: 2000, mttrHours: 8 });

const le15 = leaderElection({ leaseDurationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: 2, standbys: 2 });
const le30 = leaderElection({ leaseDurationSeconds: 30, renewDeadlineSeconds: 10, retryPeriodSeconds: 2, standbys: 2 });
const leOpenShift = leaderElection({ leaseDurationSeconds: 137, renewDeadlineSeconds: 107, retryPeriodSeconds: 26, standbys: 1, releaseOnCancel: true });

const etcdDefault = etcdTiming({ heartbeatMs: 100, electionTimeoutMs: 1000, rttMs: 0.5 });
const etcd2000 = etcdTiming({ heartbeatMs: 100, electionTimeoutMs: 2000, rttMs: 0.5 });
const etcdRegion = etcdTiming({ heartbeatMs: 130, electionTimeoutMs: 1300, rttMs: 130 });
function failoverText(result: ReturnType<typeof etcdTiming>): string {
  if (!result.leaderFailoverMs) throw new Error('expected a failover estimate');
  return `${formatMilliseconds(result.leaderFailoverMs.best)} to ${formatMilliseconds(result.leaderFailoverMs.worst)}`;
}

// The page's Monte Carlo settings: 2000 samples, seed 1, the same-zone SSD distributions.
const wlDistributions = { rtt: { medianMs: 0.45, p99Ms: 1 }, fsync: { medianMs: 0.78, p99Ms: 2.38 }, samples: 2000, seed: 1 };
const wl3 = writeLatency({ members: 3, rttMs: 0.45, fsyncMs: 0.78 });
const wl3p = writeLatencyDistribution({ members: 3, ...wlDistributions });
const wl5 = writeLatency({ members: 5, rttMs: 0.45, fsyncMs: 0.78 });
const wl5p = writeLatencyDistribution({ members: 5, ...wlDistributions });
const wlList = writeLatency({ members: 3, rttMs: [0.5, 40], fsyncMs: 2 });

const VERDICTS: Record<string, string> = {
  'development-only': 'Development only',
  'not-recommended': 'Not recommended',
  acceptable: 'Acceptable',
  production: 'Production ready',
};
const verdictText = (verdict: string) => VERDICTS[verdict] ?? verdict;
const stackedBehindLb = { etcd: { topology: 'stacked' as const }, loadBalancer: 'load-balancer' as const, zones: 3 };
const topologyDefault = topology({ controlPlaneNodes: 3, workers: 5, ...stackedBehindLb });
const topologySingle = topology({ controlPlaneNodes: 1, workers: 5, ...stackedBehindLb });
const topologyDns = topology({ controlPlaneNodes: 3, workers: 5, etcd: { topology: 'stacked' }, loadBalancer: 'dns-round-robin', zones: 2 });

const CASES: CalculatorCase[] = [
  {
    id: 'quorum',
    defaults: { quorum: `${q3.quorum} of 3`, faultTolerance: String(q3.faultTolerance) },
    edit: { field: 'members', value: '5', outputs: { quorum: `${q5.quorum} of 5`, faultTolerance: String(q5.faultTolerance) } },
    bad: { field: 'members', value: '0', label: 'Voting members', message: libraryIssue(() => quorum({ members: 0 })) },
    shared: { query: 'members=7&learners=1', field: 'members', value: '7', outputs: { quorum: `${q7.quorum} of 7`, learners: '1' } },
    hostileField: 'members',
    chart: true,
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
    chart: true,
  },
  {
    id: 'leader-election',
    defaults: { crashExpected: formatSeconds(le15.crashFailover.expectedSeconds), safetyMargin: formatSeconds(le15.safetyMarginSeconds) },
    edit: {
      field: 'leaseDurationSeconds',
      value: '30',
      outputs: { crashExpected: formatSeconds(le30.crashFailover.expectedSeconds), safetyMargin: formatSeconds(le30.safetyMarginSeconds) },
    },
    bad: {
      field: 'retryPeriodSeconds',
      value: '-2',
      label: 'Retry period',
      message: libraryIssue(() => leaderElection({ leaseDurationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: -2 })),
    },
    shared: {
      query: 'leaseDurationSeconds=137&renewDeadlineSeconds=107&retryPeriodSeconds=26&standbys=1&releaseOnCancel=true',
      field: 'renewDeadlineSeconds',
      value: '107',
      outputs: {
        crashExpected: formatSeconds(leOpenShift.crashFailover.expectedSeconds),
        gracefulExpected: formatSeconds(leOpenShift.gracefulFailover.expectedSeconds),
      },
    },
    hostileField: 'leaseDurationSeconds',
    chart: true,
  },
  {
    id: 'etcd-timing',
    defaults: { failover: failoverText(etcdDefault), ticks: String(etcdDefault.electionTicks) },
    edit: { field: 'electionTimeoutMs', value: '2000', outputs: { failover: failoverText(etcd2000), ticks: String(etcd2000.electionTicks) } },
    bad: {
      field: 'heartbeatMs',
      value: '1.5',
      label: 'Heartbeat interval',
      message: libraryIssue(() => etcdTiming({ heartbeatMs: 1.5, electionTimeoutMs: 1000 })),
    },
    shared: { query: 'heartbeatMs=130&electionTimeoutMs=1300&rttMs=130', field: 'heartbeatMs', value: '130', outputs: { failover: failoverText(etcdRegion) } },
    hostileField: 'electionTimeoutMs',
    chart: false,
  },
  {
    id: 'write-latency',
    defaults: { commit: formatMilliseconds(wl3.commitMs), p99: formatMilliseconds(wl3p.p99Ms) },
    edit: { field: 'members', value: '5', outputs: { commit: formatMilliseconds(wl5.commitMs), p99: formatMilliseconds(wl5p.p99Ms) } },
    bad: {
      field: 'fsyncMs',
      value: '-1',
      label: 'WAL fsync, median',
      message: libraryIssue(() => writeLatency({ members: 3, rttMs: 0.45, fsyncMs: -1 })),
    },
    shared: { query: 'members=3&rttMs=0.5%2C+40&fsyncMs=2', field: 'rttMs', value: '0.5, 40', outputs: { commit: formatMilliseconds(wlList.commitMs) } },
    hostileField: 'rttMs',
    chart: true,
  },
  {
    id: 'topology',
    defaults: { verdict: verdictText(topologyDefault.verdict) },
    edit: { field: 'controlPlaneNodes', value: '1', outputs: { verdict: verdictText(topologySingle.verdict) } },
    bad: {
      field: 'workers',
      value: '0',
      label: 'Worker nodes',
      message: libraryIssue(() => topology({ controlPlaneNodes: 3, workers: 0, etcd: { topology: 'stacked' }, loadBalancer: 'load-balancer' })),
    },
    shared: {
      query: 'controlPlaneNodes=3&workers=5&loadBalancer=dns-round-robin&zones=2',
      field: 'workers',
      value: '5',
      outputs: { verdict: verdictText(topologyDns.verdict) },
    },
    hostileField: 'controlPlaneNodes',
    chart: false,
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

/** Opens a calculator page and waits until its code has loaded and taken over the form. */
async function open(page: Page, address: string): Promise<void> {
  await page.goto(address);
  await page.locator('.hb-calc[data-enhanced]').first().waitFor({ state: 'attached', timeout: 15_000 });
}

/** Scrolls to the chart and waits until chart.js has loaded and drawn it. */
async function waitForChart(page: Page): Promise<void> {
  await page.locator('[data-chart]').scrollIntoViewIfNeeded();
  await expect.poll(() => page.locator('[data-chart]').getAttribute('data-chart-state'), { timeout: 15_000 }).toBe('drawn');
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
    site = await serveStatic(DIST, BASE);
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
        if (c.chart) expect(await page.locator('[data-chart-table] tbody tr').count()).toBeGreaterThan(0);
        await expectNoJunk(page);
        await context.close();
      });

      it('updates on each keystroke, keeps the state in the URL and logs no errors', async () => {
        const context = await browser.newContext();
        const page = await context.newPage();
        const errors = collectPageErrors(page);
        await open(page, url());
        const historyLength = await page.evaluate(() => history.length);
        await input(page, c.edit.field).fill(c.edit.value);
        await expectOutputs(page, c.edit.outputs);
        const search = new URL(page.url()).searchParams;
        expect(search.get(c.edit.field)).toBe(c.edit.value);
        expect(await page.evaluate(() => history.length)).toBe(historyLength);
        if (c.chart) {
          await waitForChart(page);
          expect(await page.locator('canvas[role="img"]').getAttribute('aria-label')).toMatch(/\d/);
        }
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
        await open(page, url());
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
        await open(page, `${url()}?${c.shared.query}`);
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
          await open(page, `${url()}?${c.hostileField}=${encodeURIComponent(value)}`);
          await expect.poll(() => page.locator(`[data-error-for="${c.hostileField}"]`).textContent()).not.toBe('');
          // The stale result stays on screen, and the chart shows that same result.
          if (c.chart && value === hostile[0]) await waitForChart(page);
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
        if (!c.chart) {
          weights.push(`  ${c.id}: ${(sizeOf(beforeChart) / 1024).toFixed(1)} KB (no chart)`);
          expect(beforeChart.some((file) => file.includes('chart-render'))).toBe(false);
          await context.close();
          return;
        }
        expect(beforeChart.some((file) => file.includes('chart-render'))).toBe(false);
        await waitForChart(page);
        await page.waitForLoadState('networkidle');
        expect(scripts.some((file) => file.includes('chart-render'))).toBe(true);
        weights.push(`  ${c.id}: ${(sizeOf(beforeChart) / 1024).toFixed(1)} KB before the chart, ${(sizeOf(scripts) / 1024).toFixed(1)} KB with it`);
        await context.close();
      });

      it('measures the recompute time after one keystroke (printed, not asserted)', async () => {
        const page = await browser.newPage();
        await open(page, url());
        if (c.chart) {
          await waitForChart(page);
        }
        const field = c.edit.field;
        // Alternate between the default and the edited value, so every keystroke changes the result.
        const initial = await input(page, field).inputValue();
        const values = [c.edit.value, initial];
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
        // Charts that wait for a pause in typing: how long their recompute and redraw takes once it runs.
        const chartMedian = await page.evaluate(
          async ({ field, values }) => {
            const control = document.querySelector<HTMLInputElement>(`[name="${field}"]`);
            if (!control) return Number.NaN;
            const samples: number[] = [];
            for (let round = 0; round < 8; round++) {
              performance.clearMeasures('hb-calc:chart');
              control.value = values[round % values.length] ?? '';
              control.dispatchEvent(new Event('input', { bubbles: true }));
              await new Promise((resolve) => setTimeout(resolve, 400));
              const entry = performance.getEntriesByName('hb-calc:chart').at(-1);
              if (entry) samples.push(entry.duration);
            }
            samples.sort((a, b) => a - b);
            return samples.length > 0 ? (samples[Math.floor(samples.length / 2)] ?? Number.NaN) : Number.NaN;
          },
          { field, values },
        );
        const deferred = Number.isNaN(chartMedian) ? '' : `; chart after a pause in typing ${chartMedian.toFixed(2)} ms`;
        timings.push(`  ${c.id}: ${median.toFixed(2)} ms${deferred}`);
        expect(Number.isFinite(median)).toBe(true);
        await page.close();
      });
    });
  }

  it('leader election: presets fill the inputs and client-go\u2019s refusal is shown in its own words', async () => {
    const page = await browser.newPage();
    const errors = collectPageErrors(page);
    await open(page, `${site.url}calculators/leader-election/`);
    await page.getByRole('button', { name: 'OpenShift', exact: true }).click();
    expect(await page.locator('[name="leaseDurationSeconds"]').inputValue()).toBe('137');
    const openShift = leaderElection({ leaseDurationSeconds: 137, renewDeadlineSeconds: 107, retryPeriodSeconds: 26, standbys: 2 });
    await expectOutputs(page, { crashExpected: formatSeconds(openShift.crashFailover.expectedSeconds) });
    expect(await page.getByRole('button', { name: 'OpenShift', exact: true }).getAttribute('aria-pressed')).toBe('true');

    await page.locator('[name="leaseDurationSeconds"]').fill('20');
    await page.locator('[name="renewDeadlineSeconds"]').fill('20');
    const refused = leaderElection({ leaseDurationSeconds: 20, renewDeadlineSeconds: 20, retryPeriodSeconds: 26 });
    const refusal = page.locator('[data-refusal]');
    await expect.poll(() => refusal.isVisible()).toBe(true);
    expect(await refusal.getAttribute('role')).toBe('alert');
    expect(await refusal.getByRole('heading').textContent()).toBe('kube-controller-manager would refuse this');
    expect(await refusal.locator('li').allTextContents()).toEqual(refused.errors);
    await expectNoJunk(page);

    // A checkbox value in a link that is neither true nor false is bad input until the box is used.
    await open(page, `${site.url}calculators/leader-election/?releaseOnCancel=yes`);
    const checkboxError = page.locator('[data-error-for="releaseOnCancel"]');
    await expect.poll(() => checkboxError.textContent()).toBe('Leader releases the lease on a clean shutdown: must be true or false');
    await page.locator('[name="releaseOnCancel"]').check();
    await expect.poll(() => checkboxError.textContent()).toBe('');
    expect(new URL(page.url()).searchParams.get('releaseOnCancel')).toBe('true');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('etcd timing: presets and etcd\u2019s own refusal', async () => {
    const page = await browser.newPage();
    await open(page, `${site.url}calculators/etcd-timing/`);
    await page.getByRole('button', { name: 'Across regions' }).click();
    expect(await page.locator('[name="rttMs"]').inputValue()).toBe('130');
    await expectOutputs(page, { failover: failoverText(etcdRegion) });
    await page.locator('[name="electionTimeoutMs"]').fill('400');
    const refused = etcdTiming({ heartbeatMs: 130, electionTimeoutMs: 400, rttMs: 130 });
    expect(refused.valid).toBe(false);
    const refusal = page.locator('[data-refusal]');
    await expect.poll(() => refusal.locator('li').allTextContents()).toEqual(refused.errors);
    expect(await refusal.getByRole('heading').textContent()).toBe('etcd would refuse to start with this');
    await page.close();
  });

  it('write latency: a per-follower list of the wrong length is named next to the RTT field', async () => {
    const page = await browser.newPage();
    await open(page, `${site.url}calculators/write-latency/`);
    await page.locator('[name="rttMs"]').fill('1, 2, 3');
    const message = libraryIssue(() => writeLatency({ members: 3, rttMs: [1, 2, 3], fsyncMs: 0.78 }));
    await expect.poll(() => page.locator('[data-error-for="rttMs"]').textContent()).toBe(`Round trip leader to follower, median: ${message}`);
    await page.close();
  });

  it('topology: single points of failure are listed in a table', async () => {
    const page = await browser.newPage();
    await open(page, `${site.url}calculators/topology/?controlPlaneNodes=3&workers=1&loadBalancer=none&workerReplacement=months`);
    const result = topology({ controlPlaneNodes: 3, workers: 1, etcd: { topology: 'stacked' }, loadBalancer: 'none', workerReplacement: 'months', zones: 3 });
    await expectOutputs(page, { verdict: verdictText(result.verdict) });
    expect(await page.locator('[data-result-table] tbody td').allTextContents()).toEqual(result.singlePointsOfFailure);
    await page.close();
  });

  describe('embedded in other pages', () => {
    const EMBEDS = [
      { page: 'runbooks/leader-election-tuning/', id: 'leader-election', output: 'crashExpected', text: formatSeconds(le15.crashFailover.expectedSeconds) },
      { page: 'runbooks/etcd-member-replacement/', id: 'quorum', output: 'quorum', text: `${q3.quorum} of 3` },
      { page: 'reference/topology-and-sizing/', id: 'topology', output: 'verdict', text: verdictText(topologyDefault.verdict) },
    ];
    for (const embed of EMBEDS) {
      it(`/${embed.page} shows the ${embed.id} calculator and loads its code only when the reader gets there`, async () => {
        const context = await browser.newContext({ viewport: { width: 1280, height: 500 } });
        const page = await context.newPage();
        const errors = collectPageErrors(page);
        await page.goto(`${site.url}${embed.page}`, { waitUntil: 'networkidle' });
        const calculator = page.locator(`.hb-calc[data-calculator="${embed.id}"]`);
        expect(await calculator.locator(`output[data-out="${embed.output}"]`).textContent()).toBe(embed.text);
        // Far below the fold (more than the 600 px look-ahead), the calculator's code has not been fetched yet.
        const top = (await calculator.boundingBox())?.y ?? 0;
        if (top > 500 + 600 + 100) expect(await calculator.getAttribute('data-enhanced')).toBeNull();
        await calculator.scrollIntoViewIfNeeded();
        await expect.poll(() => calculator.getAttribute('data-enhanced'), { timeout: 15_000 }).toBe('');
        expect(errors).toEqual([]);
        await context.close();
      });
    }
  });

  it('the availability chart table lists the library\u2019s nines for each size', async () => {
    const page = await browser.newPage();
    await open(page, `${site.url}calculators/availability/`);
    const points = availabilityBySize({ maxMembers: 7, memberAvailability: 0.99 });
    const cells = await page.locator('[data-chart-table] tbody tr td:nth-child(4)').allTextContents();
    expect(cells).toEqual(points.map((point) => formatNumber(point.nines, 2)));
    await page.close();
  });
});
