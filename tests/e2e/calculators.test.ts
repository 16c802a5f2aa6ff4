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
import {
  availability,
  availabilityBySize,
  availabilitySentence,
  readMemberAvailability,
  roundedPercent,
} from '../../src/lib/calc/availability';
import { etcdTiming, etcdTimingSentence } from '../../src/lib/calc/etcd-timing';
import { leaderElection, leaderElectionSentence } from '../../src/lib/calc/leader-election';
import { nospaceForecast, nospaceSentence, readBytes, utcDate } from '../../src/lib/calc/nospace';
import { quorum, quorumSentence } from '../../src/lib/calc/quorum';
import { recoveryMember } from '../../src/lib/calc/recovery-member';
import { topology, topologySentence } from '../../src/lib/calc/topology';
import { writeLatency, writeLatencyDistribution, writeLatencySummary } from '../../src/lib/calc/write-latency';
import {
  formatMilliseconds,
  formatNumber,
  formatSeconds,
} from '../../src/components/calculators/client/format';
import { collectPageErrors, launchBrowser, PHONE, type LaunchedBrowser } from './helpers/browser';
import { serveStatic, type StaticSite } from './helpers/server';
import { BASE, DIST, ENHANCE_TIMEOUT_MS } from './helpers/site';


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
  /** The one-sentence answer for the defaults and after the edit (the library's sentence). */
  headline?: { defaults: string; edit: string };
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
const a3m = availability({ members: 3, mtbfHours: 2000, mttrHours: 8 });

// The page's defaults: kube-controller-manager 1.37 with its release gate at the default (off).
const kcm137 = { component: 'kube-controller-manager', kubernetesVersion: '1.37', releaseLockOnExitGate: false } as const;
const le15 = leaderElection({ leaseDurationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: 2, standbys: 2, ...kcm137 });
const le30 = leaderElection({ leaseDurationSeconds: 30, renewDeadlineSeconds: 10, retryPeriodSeconds: 2, standbys: 2, ...kcm137 });
const leOpenShift = leaderElection({
  leaseDurationSeconds: 137,
  renewDeadlineSeconds: 107,
  retryPeriodSeconds: 26,
  standbys: 1,
  component: 'other',
  releaseOnCancel: true,
});

const etcdDefault = etcdTiming({ heartbeatMs: 100, electionTimeoutMs: 1000, rttMs: 0.5 });
const etcd2000 = etcdTiming({ heartbeatMs: 100, electionTimeoutMs: 2000, rttMs: 0.5 });
const etcdRegion = etcdTiming({ heartbeatMs: 130, electionTimeoutMs: 1300, rttMs: 130 });
function failoverText(result: ReturnType<typeof etcdTiming>): string {
  if (!result.leaderFailoverMs) throw new Error('expected a failover estimate');
  return `${formatMilliseconds(result.leaderFailoverMs.best)} to ${formatMilliseconds(result.leaderFailoverMs.firstRoundWorst)}`;
}

// The page's Monte Carlo settings: 2000 samples, seed 1, the same-zone SSD distributions.
const wlDistributions = { rtt: { medianMs: 0.45, p99Ms: 1 }, fsync: { medianMs: 0.78, p99Ms: 2.38 }, samples: 2000, seed: 1 };
const wl3 = writeLatency({ members: 3, rttMs: 0.45, fsyncMs: 0.78 });
const wl3p = writeLatencyDistribution({ members: 3, ...wlDistributions });
const wl5 = writeLatency({ members: 5, rttMs: 0.45, fsyncMs: 0.78 });
const wl5p = writeLatencyDistribution({ members: 5, ...wlDistributions });
const wlList = writeLatency({ members: 3, rttMs: [0.5, 40], fsyncMs: 2 });

/** Two significant digits, as the write-latency page rounds simulated percentiles. */
const twoFigures = (value: number) => Number(value.toPrecision(2));

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const nospaceDefault = nospaceForecast({ dbSizeBytes: 1.2 * GiB, growth: { bytesPerDay: 50 * MiB }, measuredAtMs: Date.now() });
/** 1 GiB growing 100 MiB a day, read at 2026-12-01 00:00 UTC: 95 % of 2 GiB after 9.216 days, the alarm after 10.24. */
const nospaceKnown = nospaceForecast({ dbSizeBytes: GiB, growth: { bytesPerDay: 100 * MiB }, measuredAtMs: Date.UTC(2026, 11, 1) });

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
    headline: { defaults: quorumSentence(q3), edit: quorumSentence(q5) },
    edit: { field: 'members', value: '5', outputs: { quorum: `${q5.quorum} of 5`, faultTolerance: String(q5.faultTolerance) } },
    bad: { field: 'members', value: '0', label: 'Voting members', message: libraryIssue(() => quorum({ members: 0 })) },
    shared: { query: 'members=7&learners=1', field: 'members', value: '7', outputs: { quorum: `${q7.quorum} of 7`, learners: '1' } },
    hostileField: 'members',
    chart: true,
  },
  {
    id: 'availability',
    defaults: { availability: roundedPercent(a3.availability), nines: formatNumber(a3.nines, 1) },
    headline: { defaults: availabilitySentence(a3), edit: availabilitySentence(a5) },
    // Five members at 99 % are past five nines: the page says so instead of printing more digits.
    edit: { field: 'members', value: '5', outputs: { availability: 'better than 99.999 %', nines: 'more than 5' } },
    bad: {
      field: 'memberAvailability',
      value: '101',
      label: 'Availability of one member',
      message: libraryIssue(() => readMemberAvailability('101')),
    },
    shared: {
      query: 'members=3&mode=mtbf&mtbfHours=2000&mttrHours=8',
      field: 'mtbfHours',
      value: '2000',
      outputs: { availability: roundedPercent(a3m.availability), nines: formatNumber(a3m.nines, 1) },
    },
    hostileField: 'members',
    chart: true,
  },
  {
    id: 'leader-election',
    defaults: { crashExpected: formatSeconds(le15.crashFailover.expectedSeconds), safetyMargin: formatSeconds(le15.safetyMarginSeconds) },
    headline: { defaults: leaderElectionSentence(le15), edit: leaderElectionSentence(le30) },
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
      query: 'leaseDurationSeconds=137&renewDeadlineSeconds=107&retryPeriodSeconds=26&standbys=1&component=other&releaseOnCancel=true',
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
    headline: { defaults: etcdTimingSentence(etcdDefault, 0.5), edit: etcdTimingSentence(etcd2000, 0.5) },
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
    defaults: { commit: formatMilliseconds(wl3.commitMs), p99: formatMilliseconds(twoFigures(wl3p.p99Ms)) },
    headline: {
      defaults: writeLatencySummary({ typicalMs: wl3p.p50Ms, p99Ms: wl3p.p99Ms, fsyncP99Ms: 2.38 }).sentence,
      edit: writeLatencySummary({ typicalMs: wl5p.p50Ms, p99Ms: wl5p.p99Ms, fsyncP99Ms: 2.38 }).sentence,
    },
    edit: { field: 'members', value: '5', outputs: { commit: formatMilliseconds(wl5.commitMs), p99: formatMilliseconds(twoFigures(wl5p.p99Ms)) } },
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
    headline: { defaults: topologySentence(topologyDefault), edit: topologySentence(topologySingle) },
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
  {
    id: 'nospace',
    // The defaults' dates depend on the time the page is opened; the shares and the rate do not.
    defaults: { used: `${formatNumber(nospaceDefault.usedFraction * 100, 1)} % of 2 GiB (default)`, growth: '50 MiB a day' },
    edit: { field: 'dbSize', value: '1.5 GiB', outputs: { used: `${formatNumber((1.5 / 2) * 100, 1)} % of 2 GiB (default)` } },
    bad: { field: 'dbSize', value: 'lots', label: 'Database size now', message: libraryIssue(() => readBytes('lots', 'dbSize')) },
    shared: {
      query: 'dbSize=1+GiB&growthPerDay=100+MiB&measuredAt=2026-12-01',
      field: 'dbSize',
      value: '1 GiB',
      outputs: { alarm: utcDate(nospaceKnown.alarm.atMs ?? 0) },
    },
    hostileField: 'dbSize',
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
  await page.locator('.hb-calc[data-enhanced]').first().waitFor({ state: 'attached', timeout: ENHANCE_TIMEOUT_MS });
}

/** Scrolls to the chart and waits until chart.js has loaded and drawn it. */
async function waitForChart(page: Page): Promise<void> {
  await page.locator('[data-chart]').scrollIntoViewIfNeeded();
  await expect.poll(() => page.locator('[data-chart]').getAttribute('data-chart-state'), { timeout: ENHANCE_TIMEOUT_MS }).toBe('drawn');
}

/** The first form control named `field` (input, select or textarea). */
function input(page: Page, field: string) {
  return page.locator(`[name="${field}"]`).first();
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

      it('answers with its default values when JavaScript is off', async () => {
        const context = await browser.newContext({ javaScriptEnabled: false });
        const page = await context.newPage();
        await page.goto(url());
        for (const [key, text] of Object.entries(c.defaults)) expect(await outputText(page, key)).toBe(text);
        if (c.headline) expect((await page.locator('[data-headline]').textContent())?.trim()).toBe(c.headline.defaults);
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
        if (c.headline) await expect.poll(() => page.locator('[data-headline]').textContent()).toBe(c.headline.edit);
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
    await open(page, `${site.url}calculators/leader-election/?component=other&releaseOnCancel=yes`);
    const checkboxError = page.locator('[data-error-for="releaseOnCancel"]');
    await expect.poll(() => checkboxError.textContent()).toBe('Leader releases the lease on a clean shutdown: must be true or false');
    await page.locator('[name="releaseOnCancel"]').check();
    await expect.poll(() => checkboxError.textContent()).toBe('');
    expect(new URL(page.url()).searchParams.get('releaseOnCancel')).toBe('true');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('leader election: component, Kubernetes version and the release gate decide the clean-shutdown failover', async () => {
    const page = await browser.newPage();
    const errors = collectPageErrors(page);
    await open(page, `${site.url}calculators/leader-election/`);
    const timing = { leaseDurationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: 2, standbys: 2 };
    const note = (code: string) => page.locator(`[data-notes] [data-code="${code}"]`);
    // Defaults: kube-controller-manager 1.37 keeps its lease; coordinated leader election is noted.
    expect(await page.locator('[name="component"]').inputValue()).toBe('kube-controller-manager');
    expect(await page.locator('[name="kubernetesVersion"]').inputValue()).toBe('1.37');
    await expectOutputs(page, { gracefulExpected: formatSeconds(le15.gracefulFailover.expectedSeconds) });
    await expect.poll(() => note('graceful-is-crash').count()).toBe(1);
    await expect.poll(() => note('coordinated-leader-election').count()).toBe(1);
    expect(await page.locator('[name="releaseOnCancel"]').isVisible()).toBe(false);

    // The gate on: a graceful restart hands over on the standbys' next try.
    await page.locator('[name="releaseLockOnExitGate"]').check();
    const gated = leaderElection({ ...timing, ...kcm137, releaseLockOnExitGate: true });
    expect(gated.gracefulFailover.expectedSeconds).toBeLessThan(2);
    await expectOutputs(page, { gracefulExpected: formatSeconds(gated.gracefulFailover.expectedSeconds) });
    await expect.poll(() => page.locator('[data-headline]').textContent()).toBe(leaderElectionSentence(gated));
    await expect.poll(() => note('lease-released').count()).toBe(1);
    expect(new URL(page.url()).searchParams.get('releaseLockOnExitGate')).toBe('true');

    // 1.35 has no such gate: the field says so, in the library's words.
    await page.locator('[name="kubernetesVersion"]').selectOption('1.35');
    const message = libraryIssue(() => leaderElection({ ...timing, component: 'kube-controller-manager', kubernetesVersion: '1.35', releaseLockOnExitGate: true }));
    await expect
      .poll(() => page.locator('[data-error-for="releaseLockOnExitGate"]').textContent())
      .toBe(`Feature gate ControllerManagerReleaseLeaderElectionLockOnExit on: ${message}`);

    // kube-scheduler always releases; the gate field goes away.
    await page.locator('[name="component"]').selectOption('kube-scheduler');
    const scheduler = leaderElection({ ...timing, component: 'kube-scheduler', kubernetesVersion: '1.35' });
    await expectOutputs(page, { gracefulExpected: formatSeconds(scheduler.gracefulFailover.expectedSeconds) });
    await expect.poll(() => page.locator('[data-headline]').textContent()).toBe(leaderElectionSentence(scheduler));
    expect(await page.locator('[name="releaseLockOnExitGate"]').isVisible()).toBe(false);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('etcd timing: pre-vote off shows the second election, and the slow-disk preset fills its flags', async () => {
    const page = await browser.newPage();
    await open(page, `${site.url}calculators/etcd-timing/`);
    expect(await page.locator('[name="preVote"]').isChecked()).toBe(true);
    await expectOutputs(page, { failoverWorst: formatMilliseconds(etcdDefault.leaderFailoverMs!.worst) });
    await page.locator('[name="preVote"]').uncheck();
    const off = etcdTiming({ heartbeatMs: 100, electionTimeoutMs: 1000, rttMs: 0.5, preVote: false });
    await expectOutputs(page, {
      failover: failoverText(off),
      failoverWorst: `${formatMilliseconds(off.leaderFailoverMs!.worst)} (second election, 10 % of failovers)`,
    });
    await expect.poll(() => page.locator('[data-headline]').textContent()).toBe(etcdTimingSentence(off, 0.5));
    await expect.poll(() => page.locator('[data-notes] [data-code="pre-vote-off"]').count()).toBe(1);
    expect(new URL(page.url()).searchParams.get('preVote')).toBe('false');

    await page.getByRole('button', { name: 'Slow disks (OpenShift "Slower")' }).click();
    expect(await page.locator('[name="heartbeatMs"]').inputValue()).toBe('500');
    expect(await page.locator('[name="electionTimeoutMs"]').inputValue()).toBe('2500');
    expect(await page.locator('[name="preVote"]').isChecked()).toBe(true);
    const slow = etcdTiming({ heartbeatMs: 500, electionTimeoutMs: 2500, rttMs: 2, preVote: true });
    await expectOutputs(page, { failover: failoverText(slow), failoverWorst: formatMilliseconds(slow.leaderFailoverMs!.worst) });
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
        // A calculator embedded in a background section sits in a folded <details> (src/integrations/fold-intro.ts):
        // the reader opens it first, as here.
        await calculator.evaluate((element) => {
          for (let details = element.closest('details'); details; details = details.parentElement?.closest('details') ?? null) details.open = true;
        });
        await calculator.scrollIntoViewIfNeeded();
        await expect.poll(() => calculator.getAttribute('data-enhanced'), { timeout: ENHANCE_TIMEOUT_MS }).toBe('');
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
    // Past five nines the table says so instead of a figure the model cannot support.
    expect(cells).toEqual(points.map((point) => (point.nines > 5 ? 'more than 5' : formatNumber(point.nines, 1))));
    await page.close();
  });
  it('quorum: 3 members with 1 down says it cannot lose another (done-when)', async () => {
    const page = await browser.newPage();
    await open(page, `${site.url}calculators/quorum/`);
    await input(page, 'membersDown').fill('1');
    const expected = quorumSentence(quorum({ members: 3, membersDown: 1 }));
    expect(expected).toBe('With 3 voting members and 1 down, etcd still accepts writes, but it cannot lose another member.');
    await expect.poll(() => page.locator('[data-headline]').textContent()).toBe(expected);
    // The note that calls for action links the runbook that does it, under the site's base path.
    const link = page.locator('[data-code="replace-down-member"] a[data-action]');
    expect(await link.getAttribute('href')).toBe(`${BASE.replace(/\/+$/, '')}/runbooks/etcd-member-replacement/#procedure`);
    await page.close();
  });

  it('availability: reads 99.9 like 0.999, says how, and hides the fields the mode does not use', async () => {
    const page = await browser.newPage();
    await open(page, `${site.url}calculators/availability/`);
    const expected = availability({ members: 3, memberAvailability: 0.999 });
    for (const typed of ['99.9', '99.9 %', '0.999']) {
      await input(page, 'memberAvailability').fill(typed);
      await expect.poll(() => page.locator('[data-headline]').textContent()).toBe(availabilitySentence(expected));
      expect(await page.locator('[data-reading-for="memberAvailability"]').textContent()).toBe(readMemberAvailability(typed).description);
    }
    expect(await page.locator('[data-field="mtbfHours"]').isVisible()).toBe(false);
    await page.locator('[name="mode"]').selectOption('mtbf');
    await expect.poll(() => page.locator('[data-field="mtbfHours"]').isVisible()).toBe(true);
    expect(await page.locator('[data-field="memberAvailability"]').isVisible()).toBe(false);
    await page.close();
  });

  it('preset matching the inputs is selected, and a pinned result stays beside the current one in the link', async () => {
    const page = await browser.newPage();
    await open(page, `${site.url}calculators/quorum/`);
    const pressed = (label: string) => page.getByRole('button', { name: label, exact: true }).getAttribute('aria-pressed');
    expect(await pressed('3 members')).toBe('true');
    await page.getByRole('button', { name: 'Pin this result to compare' }).click();
    await input(page, 'members').fill('5');
    await expect.poll(() => pressed('5 members')).toBe('true');
    expect(await pressed('3 members')).toBe('false');
    const compare = page.locator('[data-compare]');
    await expect.poll(() => compare.isVisible()).toBe(true);
    const row = (label: string) => compare.locator('tbody tr', { hasText: label }).locator('td').allTextContents();
    expect(await row('Quorum (members that must be up)')).toEqual(['Quorum (members that must be up)', `${q3.quorum} of 3`, `${q5.quorum} of 5`]);
    const link = new URL(page.url());
    expect(link.searchParams.get('pin')).toBe('members=3&membersDown=0&learners=0');
    expect(link.searchParams.get('members')).toBe('5');
    // The shared link carries both.
    const second = await browser.newPage();
    await open(second, link.toString());
    await expect.poll(() => second.locator('[data-compare]').isVisible()).toBe(true);
    expect(await second.locator('[data-compare-pinned]').textContent()).toBe(`Pinned: ${quorumSentence(q3)}`);
    await second.close();
    await page.getByRole('button', { name: 'Unpin' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.has('pin')).toBe(false);
    await page.close();
  });

  it('a stale result greys out everything that belongs to it and is not announced', async () => {
    const page = await browser.newPage();
    await open(page, `${site.url}calculators/quorum/`);
    await input(page, 'members').fill('100');
    await expect.poll(() => page.locator('[data-notes] [data-code="impractical-size"]').count()).toBe(1);
    await input(page, 'members').fill('1000');
    await expect.poll(() => page.locator('.hb-calc').getAttribute('data-stale')).toBe('');
    for (const selector of ['[data-headline]', '[data-details]', '[data-chart]']) {
      const opacity = await page.locator(selector).evaluate((element) => Number(getComputedStyle(element).opacity));
      expect(opacity, selector).toBeLessThan(1);
    }
    // The notes are not in a live region; only the status line speaks, and only after typing pauses.
    expect(await page.locator('[data-notes]').evaluate((element) => element.closest('[aria-live]'))).toBeNull();
    await expect.poll(() => page.locator('[data-announce]').textContent(), { timeout: 5000 }).toContain('Voting members');
    await page.close();
  });

  it('on a phone the one-line answer stays on screen while a field lower down is edited', async () => {
    const context = await browser.newContext({ ...PHONE, viewport: { width: PHONE.viewport.width, height: 480 } });
    const page = await context.newPage();
    await open(page, `${site.url}calculators/write-latency/`);
    await input(page, 'via').focus();
    await input(page, 'via').scrollIntoViewIfNeeded();
    const box = await page.locator('[data-answer-box]').boundingBox();
    expect(box).not.toBeNull();
    expect((box?.y ?? -1) >= 0 && (box?.y ?? 1e9) + (box?.height ?? 0) <= 480).toBe(true);
    expect(await page.locator('[data-details]').evaluate((element) => (element as HTMLDetailsElement).open)).toBe(false);
    await context.close();
  });

  it('etcd timing: suggested flags are copyable code that says where it goes', async () => {
    const context = await browser.newContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    const page = await context.newPage();
    await open(page, `${site.url}calculators/etcd-timing/?rttMs=130`);
    const blocks = page.locator('[data-code-list] figure');
    await expect.poll(() => blocks.count()).toBe(2);
    expect(await blocks.nth(0).locator('figcaption').textContent()).toContain('kubeadm');
    expect(await blocks.nth(0).locator('code').textContent()).toContain('      - name: heartbeat-interval\n        value: "130"');
    expect(await blocks.nth(1).locator('figcaption').textContent()).toContain('/etc/kubernetes/manifests/etcd.yaml');
    expect(await blocks.nth(0).locator('pre').evaluate((element) => getComputedStyle(element).whiteSpace)).toBe('pre');
    await blocks.nth(1).getByRole('button', { name: 'Copy' }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe('    - --heartbeat-interval=130\n    - --election-timeout=1300');
    await context.close();
  });

  it('every link from a note reaches a page of the site', async () => {
    const page = await browser.newPage();
    const addresses = [
      'calculators/topology/?controlPlaneNodes=2&workers=1&loadBalancer=none&zones=1&colocated=true',
      'calculators/quorum/?members=4&membersDown=1',
      'calculators/etcd-timing/?heartbeatMs=100&electionTimeoutMs=400&rttMs=130',
    ];
    const hrefs = new Set<string>();
    for (const address of addresses) {
      await open(page, `${site.url}${address}`);
      for (const href of await page.locator('[data-notes] a[data-action]').evaluateAll((links) => links.map((link) => link.getAttribute('href') ?? ''))) {
        hrefs.add(href);
      }
    }
    expect(hrefs.size).toBeGreaterThan(4);
    for (const href of hrefs) {
      const response = await page.goto(new URL(href, site.url).toString());
      expect(response?.status(), href).toBe(200);
      const hash = new URL(href, site.url).hash;
      if (hash) expect(await page.locator(hash).count(), href).toBe(1);
    }
    await page.close();
  });

  describe('which member to recover from', () => {
    const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, '../fixtures/endpoint-status/3.6', name), 'utf8');

    it('picks the voting member over a learner with a higher raft index, keeps the paste out of the link, sends nothing', async () => {
      const page = await browser.newPage();
      const errors = collectPageErrors(page);
      await open(page, `${site.url}calculators/recovery-member/`);
      const requests: string[] = [];
      page.on('request', (request) => requests.push(request.url()));
      const pasted = `${fixture('member-m2.json')}\n${fixture('learner-m4.json')}`;
      await input(page, 'statusJson').fill(pasted);
      const expected = recoveryMember({ statusJson: pasted });
      expect(expected.chosen?.memberIdHex).toBe('35d237bbf3e11520');
      await expect.poll(() => page.locator('[data-headline]').textContent()).toBe(expected.reason);
      expect(await page.locator('[data-code-list] code').first().textContent()).toContain("SURVIVOR_URL='http://127.0.0.1:41304'");
      expect(await page.locator('[data-notes] [data-code="learner-refused"]').count()).toBe(1);
      expect(new URL(page.url()).search).toBe('');
      // Typing and the answer need no network at all (the code was loaded before pasting).
      expect(requests.filter((url) => !url.includes('/_astro/'))).toEqual([]);
      expect(errors).toEqual([]);
      await page.close();
    });

    it('names what is wrong with a cut-off paste', async () => {
      const page = await browser.newPage();
      await open(page, `${site.url}calculators/recovery-member/`);
      await input(page, 'statusJson').fill(fixture('all-four.json').slice(0, 200));
      await expect.poll(() => page.locator('[data-error-for="statusJson"]').textContent()).toContain('is cut off');
      await page.close();
    });
  });

  it('NOSPACE: the date 95 % is reached for a known growth rate (done-when)', async () => {
    const page = await browser.newPage();
    await open(page, `${site.url}calculators/nospace/?dbSize=1+GiB&growthPerDay=100+MiB&measuredAt=2026-12-01`);
    // By hand: 95 % of 2 GiB is 1,945.6 MiB; from 1,024 MiB at 100 MiB a day that is 9.216 days, 2026-12-10 05:11 UTC.
    expect(nospaceSentence(nospaceKnown)).toContain('reaches 95 % of its 2 GiB quota on 2026-12-10 05:11 UTC');
    await expect.poll(() => page.locator('[data-headline]').textContent()).toBe(nospaceSentence(nospaceKnown));
    const row = await page.locator('[data-result-table] tbody tr', { hasText: 'etcdDatabaseQuotaLowSpace' }).locator('td').allTextContents();
    expect(row[2]).toBe('2026-12-10 05:11 UTC');
    expect(await page.locator('[data-notes] a[data-action]').first().getAttribute('href')).toContain('/runbooks/etcd-nospace/');
    await page.close();
  });
});
