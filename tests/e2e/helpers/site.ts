import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';

/**
 * The build the browser suites test: `dist/` (what `npm test` builds), or another output directory named by
 * HANDBOOK_E2E_DIST (an engineer's own `--outDir` build). HANDBOOK_BASE is the base path it was built with.
 */
export const DIST = path.resolve(import.meta.dirname, '../../..', process.env['HANDBOOK_E2E_DIST'] ?? 'dist');
export const BASE = process.env['HANDBOOK_BASE'] ?? '/';

export type Theme = 'light' | 'dark';

/**
 * The print edition's binder fetches and lays out every chosen page (the whole handbook, in its test); on a busy
 * 2-core machine running other suites that can take tens of seconds, so page checks get generous limits.
 */
export const PAGE_LOAD_TIMEOUT_MS = 120_000;
export const PAGE_TEST_TIMEOUT_MS = 240_000;

/**
 * How long a browser test waits for a page's code to take over (a calculator's `data-enhanced`, a chart drawn). In
 * CI the browser runs at low priority beside the labs' bring-ups; a cold CI run once needed more than 15 s for a
 * calculator page whose neighbours took 1-3 s. Readers' speed is measured by the timing and budget checks, not here.
 */
export const ENHANCE_TIMEOUT_MS = 45_000;

/**
 * Every page in the build's sitemap as a path below the base (`''` for the home page, `runbooks/x/` ...), so a
 * test can join it to the local server's URL whatever origin the sitemap was built for.
 */
export function sitemapPages(dist = DIST): string[] {
  const files = readdirSync(dist).filter((file) => /^sitemap-\d+\.xml$/.test(file));
  if (files.length === 0) throw new Error(`no sitemap-N.xml in ${dist}; build the site first`);
  const prefix = `/${BASE.replace(/^\/+|\/+$/g, '')}/`.replace('//', '/');
  const pages: string[] = [];
  for (const file of files) {
    for (const match of readFileSync(path.join(dist, file), 'utf8').matchAll(/<loc>([^<]+)<\/loc>/g)) {
      const pathname = new URL(match[1] ?? '').pathname;
      if (!pathname.startsWith(prefix)) throw new Error(`${pathname} in ${file} is outside the base ${prefix}`);
      pages.push(decodeURI(pathname.slice(prefix.length)));
    }
  }
  return pages.sort();
}

/**
 * A browser context whose pages start in the given Starlight theme (Starlight reads `starlight-theme` from
 * localStorage before first paint). Service workers are blocked unless asked for, so page checks measure the
 * pages rather than a worker precaching the whole site in the background.
 */
export async function themedContext(
  browser: Browser,
  theme: Theme,
  options: BrowserContextOptions = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({ serviceWorkers: 'block', ...options });
  await context.addInitScript((storedTheme: string) => {
    try {
      localStorage.setItem('starlight-theme', storedTheme);
    } catch {
      // about:blank has no storage; the real pages do.
    }
  }, theme);
  return context;
}

/** Runs `task` over `items` with at most `limit` in flight (2 cores: a few pages at a time is the sweet spot). */
export async function inBatches<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
    }
  });
  await Promise.all(workers);
  return results;
}

/**
 * Waits until a loaded page has finished its own start-up work: the network is quiet and the idle callbacks
 * scripts schedule after load (Expressive Code marks scrollable code blocks focusable ~250 ms after layout)
 * have run.
 */
export async function settle(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle');
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        setTimeout(() => (window.requestIdleCallback ?? ((callback: () => void) => setTimeout(callback, 1)))(() => resolve()), 600);
      }),
  );
}

/** The page's title (Starlight's `h1#_top`) as the built HTML file in `dist` has it, entities decoded. */
export function builtPageTitle(pagePath: string, dist = DIST): string {
  const html = readFileSync(path.join(dist, pagePath, 'index.html'), 'utf8');
  const title = /<h1[^>]*id="_top"[^>]*>([^<]+)<\/h1>/.exec(html)?.[1];
  if (!title) throw new Error(`no page title in ${pagePath}`);
  return title
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
