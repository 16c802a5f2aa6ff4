/**
 * Step ticks on runbook procedures, on a 390×844 phone: each top-level step of a `<Steps>` list gets a tick of at
 * least 44×44 px whose accessible name is the step's title, stamped with the time; while ticks exist a bar stays
 * on screen with "N of M steps done", reset and "copy incident log" (Markdown with the page and the ticked steps
 * and their times); ticks survive a reload and stay with their page; ticks older than a day ask to be cleared.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { collectPageErrors, launchBrowser, type LaunchedBrowser } from './helpers/browser';
import { serveStatic, type StaticSite } from './helpers/server';
import { BASE, DIST, sitemapPages, themedContext } from './helpers/site';

const PHONE_390 = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 3 };

/** Runbook pages with at least one Steps list, and the titles of the first list's steps as the built HTML has them. */
const RUNBOOKS_WITH_STEPS = sitemapPages()
  .filter((page) => page.startsWith('runbooks/'))
  .map((page) => {
    const html = readFileSync(path.join(DIST, page, 'index.html'), 'utf8');
    return { page, lists: html.match(/<ol[^>]*class="[^"]*\bsl-steps\b/g)?.length ?? 0 };
  })
  .filter((runbook) => runbook.lists > 0);

let site: StaticSite;
let launched: LaunchedBrowser;
let context: BrowserContext;

beforeAll(async () => {
  site = await serveStatic(DIST, BASE);
  launched = await launchBrowser();
  context = await themedContext(launched.browser, 'light', PHONE_390);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(site.url).origin });
});

afterAll(async () => {
  await context?.close();
  await launched?.close();
  await site?.close();
});

/**
 * The tick code loads when the first procedure nears the screen (1,500 px ahead): scroll to it as a reader does,
 * then wait for the ticks, after every load. A page whose procedure starts far down loads them only then.
 */
async function ticksReady(page: Page): Promise<void> {
  await page.locator('.sl-markdown-content ol.sl-steps').first().scrollIntoViewIfNeeded();
  await page.locator('.handbook-step-check').first().waitFor({ state: 'attached' });
}

const topLevelSteps = (page: Page) => page.locator('.sl-markdown-content ol.sl-steps').first().locator(':scope > li');

/** The title a reader sees at the start of a step: its leading bold text. */
async function expectedTitle(page: Page, index: number): Promise<string> {
  const text = await topLevelSteps(page).nth(index).locator(':scope > p').first().locator('strong').first().innerText();
  return text.replace(/\s+/g, ' ').trim().replace(/[.:]$/, '');
}

describe('step ticks on runbooks', () => {
  it('there is a runbook with a Steps procedure to try it on', () => {
    expect(RUNBOOKS_WITH_STEPS.length).toBeGreaterThan(0);
  });

  it('ticks are 44 px targets named after their step, timed, counted in a bar that stays on screen, and survive a reload', async () => {
    const runbook = RUNBOOKS_WITH_STEPS[0];
    if (!runbook) throw new Error('no runbook with steps');
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    try {
      await page.goto(new URL(runbook.page, site.url).href);
      await ticksReady(page);
      const steps = topLevelSteps(page);
      const stepCount = await steps.count();
      expect(stepCount).toBeGreaterThan(1);
      const total = await page.locator('.sl-markdown-content ol.sl-steps > li').count();
      for (let index = 0; index < stepCount; index += 1) {
        const title = await expectedTitle(page, index);
        expect(title.length).toBeGreaterThan(3);
        const box = steps.nth(index).getByRole('checkbox', { name: title });
        await expect(box.count()).resolves.toBe(1);
        const target = await steps.nth(index).locator(':scope > label.handbook-step-check').boundingBox();
        expect(target?.height ?? 0).toBeGreaterThanOrEqual(44);
        expect(target?.width ?? 0).toBeGreaterThanOrEqual(44);
      }
      await expect(page.locator('ol.sl-steps li li input[type="checkbox"]').count()).resolves.toBe(0);
      // No ticks yet: no bar.
      await expect(page.locator('.handbook-step-bar').isVisible()).resolves.toBe(false);

      // Tap the first tick; keyboard for the second.
      await steps.nth(0).locator(':scope > label').tap();
      await steps.nth(1).getByRole('checkbox').focus();
      await page.keyboard.press('Space');
      await expect(steps.nth(1).getByRole('checkbox').isChecked()).resolves.toBe(true);
      await expect(steps.nth(0).locator(':scope > label time').innerText()).resolves.toMatch(/\d{1,2}:\d{2}/);

      // Scrolled to the middle of the procedure, the progress is still on screen.
      await steps.nth(Math.floor(stepCount / 2)).scrollIntoViewIfNeeded();
      const bar = page.getByRole('region', { name: 'Step progress' });
      await expect(bar.getByRole('status').innerText()).resolves.toBe(`2 of ${total} steps done`);
      const barBox = await bar.boundingBox();
      expect(barBox).not.toBeNull();
      expect((barBox?.y ?? 0) + (barBox?.height ?? 0)).toBeLessThanOrEqual(PHONE_390.viewport.height + 1);
      expect(barBox?.y ?? -1).toBeGreaterThanOrEqual(0);

      await page.reload();
      await ticksReady(page);
      await expect(steps.nth(0).getByRole('checkbox').isChecked()).resolves.toBe(true);
      await expect(steps.nth(1).getByRole('checkbox').isChecked()).resolves.toBe(true);
      if (stepCount > 2) await expect(steps.nth(2).getByRole('checkbox').isChecked()).resolves.toBe(false);
      const stored = await page.evaluate(() => Object.keys(localStorage).filter((key) => key.startsWith('handbook-steps:')));
      expect(stored).toEqual([`handbook-steps:${new URL(runbook.page, site.url).pathname}`]);

      // The incident log: page, ticked steps with their times, oldest first.
      await bar.getByRole('button', { name: 'copy incident log' }).tap();
      const log = await page.evaluate(() => navigator.clipboard.readText());
      const pageTitle = await page.locator('h1').innerText();
      const ticks = (await page.evaluate((key) => JSON.parse(localStorage.getItem(key) ?? '{}'), `handbook-steps:${new URL(runbook.page, site.url).pathname}`)) as { ticks: Record<string, string> };
      const utc = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
      expect(log.split('\n')[0]).toBe(`**${pageTitle}**: ${page.url()}`);
      const entries = log.split('\n').filter((line) => line.startsWith('- '));
      expect(entries).toHaveLength(2);
      expect(entries[0]).toContain(`${utc(ticks.ticks['1.1'] ?? '')}: `);
      expect(entries[0]).toContain(`step 1: ${await expectedTitle(page, 0)}`);
      expect(entries[1]).toContain(`step 2: ${await expectedTitle(page, 1)}`);

      await bar.getByRole('button', { name: 'reset' }).tap();
      await expect(steps.nth(0).getByRole('checkbox').isChecked()).resolves.toBe(false);
      await page.reload();
      await ticksReady(page);
      await expect(steps.nth(0).getByRole('checkbox').isChecked()).resolves.toBe(false);
      await expect(page.locator('.handbook-step-bar').isVisible()).resolves.toBe(false);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('ticks older than a day ask whether to clear them; "keep" stops asking, "clear" clears', async () => {
    const runbook = RUNBOOKS_WITH_STEPS[0];
    if (!runbook) throw new Error('no runbook with steps');
    const key = `handbook-steps:${new URL(runbook.page, site.url).pathname}`;
    const page = await context.newPage();
    try {
      await page.goto(new URL(runbook.page, site.url).href);
      await ticksReady(page);
      const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600 * 1000).toISOString();
      await page.evaluate(([storageKey, at]) => localStorage.setItem(storageKey ?? '', JSON.stringify({ ticks: { '1.1': at } })), [key, twoDaysAgo]);
      await page.reload();
      await ticksReady(page);
      const bar = page.getByRole('region', { name: 'Step progress' });
      await expect(bar.innerText()).resolves.toContain('Clear them?');
      await bar.getByRole('button', { name: 'keep' }).tap();
      await page.reload();
      await ticksReady(page);
      await expect(bar.innerText()).resolves.not.toContain('Clear them?');
      await expect(topLevelSteps(page).nth(0).getByRole('checkbox').isChecked()).resolves.toBe(true);

      // A fresh stale set asks again; "clear" removes every tick.
      await page.evaluate(([storageKey, at]) => localStorage.setItem(storageKey ?? '', JSON.stringify({ ticks: { '1.1': at } })), [key, twoDaysAgo]);
      await page.reload();
      await ticksReady(page);
      await bar.getByRole('button', { name: 'clear' }).tap();
      await expect(topLevelSteps(page).nth(0).getByRole('checkbox').isChecked()).resolves.toBe(false);
      await expect(page.evaluate((storageKey) => localStorage.getItem(storageKey), key)).resolves.toBeNull();
    } finally {
      await page.close();
    }
  });
});
