/**
 * Per-step progress on runbook procedures: each top-level step of a `<Steps>` list gets a "Step N done"
 * checkbox that the keyboard can reach and toggle, ticks survive a reload, stay with their page, and "reset"
 * clears them.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { collectPageErrors, launchBrowser, type LaunchedBrowser } from './helpers/browser';
import { serveStatic, type StaticSite } from './helpers/server';
import { BASE, DIST, sitemapPages, themedContext } from './helpers/site';

/** Runbook pages with at least one Steps list, and how many lists each has. */
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
  context = await themedContext(launched.browser, 'light');
});

afterAll(async () => {
  await context?.close();
  await launched?.close();
  await site?.close();
});

const topLevelSteps = (page: Page) => page.locator('.sl-markdown-content ol.sl-steps').first().locator(':scope > li');

describe('step progress on runbooks', () => {
  it('there is a runbook with a Steps procedure to try it on', () => {
    expect(RUNBOOKS_WITH_STEPS.length).toBeGreaterThan(0);
  });

  it('every top-level step gets a labelled checkbox; ticks survive a reload and reset clears them', async () => {
    const runbook = RUNBOOKS_WITH_STEPS[0];
    if (!runbook) throw new Error('no runbook with steps');
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    try {
      await page.goto(new URL(runbook.page, site.url).href);
      const steps = topLevelSteps(page);
      const stepCount = await steps.count();
      expect(stepCount).toBeGreaterThan(1);
      for (let index = 0; index < stepCount; index += 1) {
        await expect(steps.nth(index).getByRole('checkbox', { name: `Step ${index + 1} done`, exact: true }).count()).resolves.toBe(1);
      }
      // Nested items (sub-steps) get no checkbox of their own.
      await expect(page.locator('ol.sl-steps li li input[type="checkbox"]').count()).resolves.toBe(0);

      // Keyboard: focus the second step's box and toggle it with Space.
      const second = steps.nth(1).getByRole('checkbox', { name: 'Step 2 done' });
      await second.focus();
      await page.keyboard.press('Space');
      await expect(second.isChecked()).resolves.toBe(true);
      await steps.nth(0).getByRole('checkbox', { name: 'Step 1 done' }).check();

      await page.reload();
      await expect(steps.nth(0).getByRole('checkbox').isChecked()).resolves.toBe(true);
      await expect(steps.nth(1).getByRole('checkbox').isChecked()).resolves.toBe(true);
      if (stepCount > 2) await expect(steps.nth(2).getByRole('checkbox').isChecked()).resolves.toBe(false);
      await expect(page.getByRole('status').first().innerText()).resolves.toBe(`2 of ${stepCount} steps done`);

      // Ticks are stored under this page's path only, so other runbooks start clean.
      const stored = await page.evaluate(() => Object.keys(localStorage).filter((key) => key.startsWith('handbook-steps:')));
      expect(stored).toEqual([`handbook-steps:${new URL(runbook.page, site.url).pathname}`]);

      const reset = page.getByRole('button', { name: 'Reset all ticks on this page' }).first();
      await reset.focus();
      await page.keyboard.press('Enter');
      await expect(steps.nth(0).getByRole('checkbox').isChecked()).resolves.toBe(false);
      await page.reload();
      await expect(steps.nth(0).getByRole('checkbox').isChecked()).resolves.toBe(false);
      await expect(steps.nth(1).getByRole('checkbox').isChecked()).resolves.toBe(false);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
