/**
 * A runbook's first screen is for acting: on a 390×844 phone, the first shell command of every runbook (the
 * first visible `bash`/`sh` block of the body, usually "Set up your shell") starts on the first or second
 * screen. Prints the table of screens per runbook; fails for any runbook beyond the second.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { launchBrowser, type LaunchedBrowser } from './helpers/browser';
import { serveStatic, type StaticSite } from './helpers/server';
import { BASE, DIST, PAGE_LOAD_TIMEOUT_MS, settle, sitemapPages, themedContext } from './helpers/site';

const PHONE_390 = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 3 };
const SCREEN_HEIGHT_PX = PHONE_390.viewport.height;
const MAX_SCREEN = 2;
const RUNBOOKS = sitemapPages().filter((page) => /^runbooks\/[^/]+\/$/.test(page));

let site: StaticSite;
let launched: LaunchedBrowser;
let phone: BrowserContext;

beforeAll(async () => {
  site = await serveStatic(DIST, BASE);
  launched = await launchBrowser();
  phone = await themedContext(launched.browser, 'light', PHONE_390);
});

afterAll(async () => {
  await phone?.close();
  await launched?.close();
  await site?.close();
});

interface Measure {
  runbook: string;
  /** Top of the first command's first line, in CSS pixels from the top of the page. */
  topPx: number;
  screen: number;
  block: string;
}

describe('first command on a phone', () => {
  it('there are runbooks to measure', () => expect(RUNBOOKS.length).toBeGreaterThan(3));

  it(`every runbook's first command starts within screen ${MAX_SCREEN} at ${PHONE_390.viewport.width}×${SCREEN_HEIGHT_PX}`, async () => {
    const page = await phone.newPage();
    const results: Measure[] = [];
    try {
      for (const runbook of RUNBOOKS) {
        await page.goto(new URL(runbook, site.url).href);
        await settle(page);
        // The Your cluster bar goes above the set-up block once its code has loaded: measure with it in place.
        // (A CI machine running two labs beside the browser can take more than the default 30 s to get there.)
        if ((await page.locator('handbook-your-cluster').count()) > 0) await page.locator('.hb-cluster-bar').first().waitFor({ timeout: PAGE_LOAD_TIMEOUT_MS });
        const found = await page.evaluate(() => {
          const blocks = [...document.querySelectorAll<HTMLElement>('.sl-markdown-content pre[data-language]')];
          const command = blocks.find(
            (pre) => /^(bash|sh|shell)$/.test(pre.dataset['language'] ?? '') && pre.getClientRects().length > 0 && pre.offsetHeight > 0,
          );
          if (!command) return undefined;
          const line = command.querySelector('.ec-line') ?? command;
          const title = command.closest('figure')?.querySelector('.title')?.textContent ?? '(untitled)';
          return { topPx: line.getBoundingClientRect().top + window.scrollY, block: title };
        });
        if (!found) throw new Error(`${runbook}: no visible shell block`);
        results.push({ runbook, topPx: Math.round(found.topPx), screen: Math.floor(found.topPx / SCREEN_HEIGHT_PX) + 1, block: found.block });
      }
    } finally {
      await page.close();
    }
    console.log(
      `First command per runbook at ${PHONE_390.viewport.width}×${SCREEN_HEIGHT_PX} (screen = floor(top / ${SCREEN_HEIGHT_PX}) + 1):\n` +
        results.map((result) => `  ${result.runbook.padEnd(40)} screen ${result.screen}  (${result.topPx} px, "${result.block}")`).join('\n'),
    );
    expect(results.filter((result) => result.screen > MAX_SCREEN)).toEqual([]);
  }, 600_000);
});
