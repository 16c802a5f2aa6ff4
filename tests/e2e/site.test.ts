/**
 * Every page of the built handbook in a real browser: light and dark themes on a desktop, and a phone. A page
 * passes when it logs no console error, every image loads, its theme is the one asked for, axe-core finds no
 * WCAG 2.2 A/AA violation (in both themes: contrast differs), and on a phone nothing scrolls sideways. Then
 * search: the keyboard shortcuts open it, and it finds the backup runbook and an alert page by alert name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { axeViolations } from './helpers/axe';
import { collectPageErrors, launchBrowser, PHONE, type LaunchedBrowser } from './helpers/browser';
import { serveStatic, type StaticSite } from './helpers/server';
import { BASE, DIST, ENHANCE_TIMEOUT_MS, PAGE_LOAD_TIMEOUT_MS, PAGE_TEST_TIMEOUT_MS, sitemapPages, themedContext, type Theme } from './helpers/site';

const PAGES = sitemapPages();
/** Search is tried from a runbook page, where a reader needs it mid-incident. */
const SEARCH_FROM = PAGES.find((page) => page.startsWith('runbooks/')) ?? '';

let site: StaticSite;
let launched: LaunchedBrowser;
const contexts = new Map<string, BrowserContext>();

beforeAll(async () => {
  site = await serveStatic(DIST, BASE);
  launched = await launchBrowser();
  contexts.set('light', await themedContext(launched.browser, 'light'));
  contexts.set('dark', await themedContext(launched.browser, 'dark'));
  contexts.set('phone', await themedContext(launched.browser, 'light', PHONE));
});

afterAll(async () => {
  for (const context of contexts.values()) await context.close();
  await launched?.close();
  await site?.close();
});

/** The URL path of a page under the base, as search result links carry it. */
function sitePath(pagePath: string): string {
  return new URL(pagePath, site.url).pathname;
}

function context(name: string): BrowserContext {
  const found = contexts.get(name);
  if (!found) throw new Error(`no browser context ${name}`);
  return found;
}

/** Images that failed to load; lazy images are made eager first so every one is really fetched. */
async function brokenImages(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const images = [...document.images];
    const broken: string[] = [];
    await Promise.all(
      images.map(async (image) => {
        image.loading = 'eager';
        try {
          await image.decode();
        } catch {
          broken.push(image.currentSrc || image.src);
        }
        if (image.naturalWidth === 0 && !broken.includes(image.currentSrc || image.src)) broken.push(image.currentSrc || image.src);
      }),
    );
    return broken;
  });
}

async function visit(contextName: string, pagePath: string): Promise<{ page: Page; errors: string[]; status: number | undefined }> {
  const page = await context(contextName).newPage();
  const errors = collectPageErrors(page);
  const response = await page.goto(new URL(pagePath, site.url).href, { waitUntil: 'load', timeout: PAGE_LOAD_TIMEOUT_MS });
  return { page, errors, status: response?.status() };
}

describe('every page in the sitemap', () => {
  it('lists the pages of the handbook', () => {
    expect(PAGES).toContain('');
    expect(PAGES.some((page) => page.startsWith('runbooks/'))).toBe(true);
    expect(PAGES.some((page) => page.startsWith('alerts/'))).toBe(true);
  });

  describe.concurrent.each(['light', 'dark'] as Theme[])('desktop, %s theme', (theme) => {
    it.for(PAGES)(
      '/%s: no console errors, no broken images, no axe WCAG 2.2 A/AA violations',
      { timeout: PAGE_TEST_TIMEOUT_MS },
      async (pagePath, { expect }) => {
        const { page, errors, status } = await visit(theme, pagePath);
        try {
          expect(status).toBe(200);
          await expect(page.evaluate(() => document.documentElement.dataset['theme'])).resolves.toBe(theme);
          expect.soft(await brokenImages(page), 'broken images').toEqual([]);
          // One visit serves both checks: axe waits for the page to settle, after which every error has been logged.
          expect.soft(await axeViolations(page), 'axe violations').toEqual([]);
          expect.soft(errors, 'console errors').toEqual([]);
        } finally {
          await page.close();
        }
      },
    );
  });

  describe.concurrent('phone', () => {
    it.for(PAGES)('/%s: does not scroll sideways', { timeout: PAGE_TEST_TIMEOUT_MS }, async (pagePath, { expect }) => {
      const { page, errors, status } = await visit('phone', pagePath);
      try {
        expect(status).toBe(200);
        const widths = await page.evaluate(() => ({
          scrollWidth: document.documentElement.scrollWidth,
          clientWidth: document.documentElement.clientWidth,
        }));
        expect(widths.scrollWidth, `scrollWidth ${widths.scrollWidth} > clientWidth ${widths.clientWidth}`).toBeLessThanOrEqual(widths.clientWidth);
        expect(await brokenImages(page)).toEqual([]);
        await page.waitForLoadState('networkidle');
        expect(errors).toEqual([]);
      } finally {
        await page.close();
      }
    });
  });
});

describe('search', () => {
  /** Opens a page, opens search with `open`, types `query` and returns the result links' paths. */
  async function search(open: (page: Page) => Promise<void>, query: string, contextName = 'light'): Promise<string[]> {
    const { page, errors } = await visit(contextName, SEARCH_FROM);
    try {
      await open(page);
      await page.locator('site-search dialog[open]').waitFor();
      const input = page.locator('#starlight__search input');
      await input.waitFor();
      await expect.poll(() => input.evaluate((element) => element === document.activeElement)).toBe(true);
      await input.fill(query);
      const links = page.locator('#starlight__search .pagefind-ui__result-link');
      await links.first().waitFor({ timeout: ENHANCE_TIMEOUT_MS });
      const hrefs = await links.evaluateAll((anchors) => anchors.map((anchor) => new URL((anchor as HTMLAnchorElement).href).pathname));
      expect(errors).toEqual([]);
      return hrefs;
    } finally {
      await page.close();
    }
  }

  it('does not load the search UI until search is opened', async () => {
    const { page } = await visit('light', '');
    try {
      const scripts: string[] = [];
      page.on('request', (request) => scripts.push(request.url()));
      await page.waitForLoadState('networkidle');
      const loaded = await page.evaluate(() => performance.getEntriesByType('resource').map((entry) => entry.name));
      expect([...loaded, ...scripts].filter((url) => /ui-core|pagefind/.test(url))).toEqual([]);
      await page.keyboard.press('Control+K');
      await page.locator('#starlight__search input').waitFor();
      const after = await page.evaluate(() => performance.getEntriesByType('resource').map((entry) => entry.name));
      expect(after.some((url) => /pagefind/.test(url))).toBe(true);
    } finally {
      await page.close();
    }
  });

  it('Ctrl+K opens search and finds the backup runbook for "snapshot restore"', async () => {
    const results = await search((page) => page.keyboard.press('Control+K'), 'snapshot restore');
    expect(results.slice(0, 3), `top results: ${results.join(', ')}`).toContain(sitePath('runbooks/etcd-backup-restore/'));
  });

  it('the "/" key opens search and finds an alert page by its alert name', async () => {
    const results = await search((page) => page.keyboard.press('/'), 'etcdNoLeader');
    expect(results[0], `results: ${results.join(', ')}`).toBe(sitePath('alerts/etcdnoleader/'));
  });

  it('the search button opens search on a phone', async () => {
    const results = await search((page) => page.getByRole('button', { name: /^Search/ }).click(), 'etcdNoLeader', 'phone');
    expect(results.length).toBeGreaterThan(0);
  });

  it('the landing page offers the three ways in, and its big search button opens search', async () => {
    const { page, errors } = await visit('light', '');
    try {
      for (const name of ['I have an alert', 'I need a procedure', 'I am planning capacity']) {
        await expect(page.getByText(name, { exact: true }).isVisible()).resolves.toBe(true);
      }
      await page.getByRole('button', { name: /Search the handbook/ }).click();
      await page.locator('site-search dialog[open]').waitFor();
      await page.locator('#starlight__search input').waitFor();
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('the search button is named by its visible text, including the shortcut', async () => {
    const { page } = await visit('light', '');
    try {
      const button = page.locator('site-search button[data-open-modal]');
      const visibleText = (await button.innerText()).replace(/\s+/g, ' ').trim();
      expect(visibleText).toBe('Search Ctrl K');
      await expect(page.getByRole('button', { name: 'Search Ctrl K', exact: true }).count()).resolves.toBe(1);
    } finally {
      await page.close();
    }
  });
});
