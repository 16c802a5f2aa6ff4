/**
 * Navigation on a 390×844 phone: the menu lists every page of the sitemap (so nothing is reachable only through
 * search), the splash home page leads to the index pages, and every alert page links a runbook above its first
 * body heading (the fix is one tap from the page a notification opened).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { collectPageErrors, launchBrowser, type LaunchedBrowser } from './helpers/browser';
import { serveStatic, type StaticSite } from './helpers/server';
import { BASE, DIST, sitemapPages, themedContext } from './helpers/site';

/** The phone the issue was measured on (390×844 CSS pixels). */
const PHONE_390 = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 3 };

const PAGES = sitemapPages();
const ALERT_PAGES = PAGES.filter((page) => /^alerts\/[^/]+\/$/.test(page));
/** One page of each kind to open the menu on. */
const MENU_FROM = ['runbooks/', 'alerts/', ...['runbooks/', 'alerts/', 'calculators/', 'reference/'].map((prefix) => {
  const found = PAGES.find((page) => page.startsWith(prefix) && page !== prefix);
  if (!found) throw new Error(`no page under ${prefix} in the sitemap`);
  return found;
})];

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

/** A link's target as a path below the base ('' for home), or undefined for links elsewhere. */
function pageOf(href: string, from: string): string | undefined {
  const url = new URL(href, from);
  const root = new URL(site.url);
  if (url.origin !== root.origin || !url.pathname.startsWith(root.pathname)) return undefined;
  return decodeURI(url.pathname.slice(root.pathname.length));
}

describe('navigation on a phone', () => {
  it('the sitemap has runbooks, alerts, calculators, reference pages and both new index pages', () => {
    for (const page of ['runbooks/', 'calculators/', 'alerts/']) expect(PAGES).toContain(page);
    for (const prefix of ['runbooks/', 'alerts/', 'calculators/', 'reference/']) {
      expect(PAGES.filter((page) => page.startsWith(prefix) && page !== prefix).length, prefix).toBeGreaterThan(0);
    }
  });

  it('every page with a sidebar lists every sitemap page in it (read from the built HTML)', () => {
    const missingByPage: Record<string, string[]> = {};
    let checked = 0;
    for (const page of PAGES) {
      const html = readFileSync(path.join(DIST, page, 'index.html'), 'utf8');
      const start = html.indexOf('id="starlight__sidebar"');
      if (start < 0) continue; // splash pages have no sidebar; checked below
      checked += 1;
      const sidebar = html.slice(start, html.indexOf('</nav>', start));
      const linked = new Set([...sidebar.matchAll(/<a href="([^"]+)"/g)].map((match) => pageOf(match[1] ?? '', new URL(page, site.url).href)));
      const missing = PAGES.filter((target) => !linked.has(target));
      if (missing.length > 0) missingByPage[page] = missing;
    }
    expect(missingByPage).toEqual({});
    // Only the splash home page and the print edition's own layout may lack a sidebar.
    expect(checked).toBeGreaterThanOrEqual(PAGES.length - 2);
  });

  it('the home page (no sidebar) links the runbook, alert and calculator indexes', () => {
    const html = readFileSync(path.join(DIST, 'index.html'), 'utf8');
    const linked = new Set([...html.matchAll(/<a href="([^"]+)"/g)].map((match) => pageOf(match[1] ?? '', site.url)));
    for (const index of ['runbooks/', 'alerts/', 'calculators/']) expect(linked.has(index), index).toBe(true);
  });

  it.each(MENU_FROM)('on %s the phone menu opens and shows a visible link to every sitemap page', async (start) => {
    const page = await phone.newPage();
    const errors = collectPageErrors(page);
    try {
      await page.goto(new URL(start, site.url).href);
      const menu = page.getByRole('button', { name: 'Menu' });
      await menu.click();
      const links = page.locator('#starlight__sidebar a[href]');
      const visible: string[] = [];
      for (const link of await links.all()) {
        await link.scrollIntoViewIfNeeded();
        if (!(await link.isVisible())) continue;
        const box = await link.boundingBox();
        // A tap target a thumb can hit: on screen after scrolling the menu, and not a sliver.
        if (!box || box.height < 24 || box.width < 24) continue;
        const target = pageOf((await link.getAttribute('href')) ?? '', page.url());
        if (target !== undefined) visible.push(target);
      }
      expect(PAGES.filter((target) => !visible.includes(target))).toEqual([]);
      // And a tap really goes there.
      const alertLink = page.locator('#starlight__sidebar a[href$="/alerts/etcdnoleader/"]');
      await alertLink.scrollIntoViewIfNeeded();
      await alertLink.tap();
      await page.waitForURL(/\/alerts\/etcdnoleader\/$/);
      await expect(page.locator('h1').innerText()).resolves.toBe('etcdNoLeader');
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});

describe('alert pages: the fix one tap away', () => {
  it('there are alert pages', () => expect(ALERT_PAGES.length).toBeGreaterThan(5));

  it('every alert page links a runbook above the first heading of its body, within the first phone screen', async () => {
    const page = await phone.newPage();
    const problems: string[] = [];
    try {
      for (const alertPage of ALERT_PAGES) {
        await page.goto(new URL(alertPage, site.url).href);
        const heading = await page.locator('.sl-markdown-content h2').first().boundingBox();
        if (!heading) {
          problems.push(`${alertPage}: no h2 in the body`);
          continue;
        }
        const runbookLinks = await page.locator('main a[href*="/runbooks/"]').evaluateAll((anchors) =>
          anchors.map((anchor) => ({ href: anchor.getAttribute('href') ?? '', top: anchor.getBoundingClientRect().top + window.scrollY })),
        );
        const above = runbookLinks.filter((link) => link.top < heading.y && /\/runbooks\/[a-z0-9-]+\/$/.test(link.href));
        if (above.length === 0) problems.push(`${alertPage}: no runbook link above the first heading (at ${Math.round(heading.y)} px)`);
        else if ((above[0]?.top ?? Infinity) > PHONE_390.viewport.height) problems.push(`${alertPage}: first runbook link below the first screen`);
        for (const link of above) {
          const response = await page.request.get(new URL(link.href, page.url()).href);
          if (response.status() !== 200) problems.push(`${alertPage}: ${link.href} answers ${response.status()}`);
        }
      }
    } finally {
      await page.close();
    }
    expect(problems).toEqual([]);
  });

  it('the alert index names a runbook for every alert', async () => {
    const page = await phone.newPage();
    try {
      await page.goto(new URL('alerts/', site.url).href);
      const rows = page.locator('.alert-index li');
      await expect(rows.count()).resolves.toBe(ALERT_PAGES.length);
      for (const row of await rows.all()) {
        await expect(row.locator('a[href*="/runbooks/"]').count()).resolves.toBeGreaterThan(0);
      }
    } finally {
      await page.close();
    }
  });
});
