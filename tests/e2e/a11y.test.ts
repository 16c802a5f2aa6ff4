/**
 * Accessibility of every page in the sitemap, in both themes: axe-core with the WCAG 2.0, 2.1 and 2.2 level A
 * and AA rules must report no violation. Axe's "label in name" rule (WCAG 2.5.3, still marked experimental in
 * axe) is switched on as well, because the handbook's own search button was built to pass it.
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { launchBrowser, type LaunchedBrowser } from './helpers/browser';
import { serveStatic, type StaticSite } from './helpers/server';
import { BASE, DIST, PAGE_LOAD_TIMEOUT_MS, PAGE_TEST_TIMEOUT_MS, settle, sitemapPages, themedContext, type Theme } from './helpers/site';

const AXE_SOURCE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const PAGES = sitemapPages();

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[]; failureSummary?: string }>;
}

let site: StaticSite;
let launched: LaunchedBrowser;
const contexts = new Map<Theme, BrowserContext>();

beforeAll(async () => {
  site = await serveStatic(DIST, BASE);
  launched = await launchBrowser();
  for (const theme of ['light', 'dark'] as const) contexts.set(theme, await themedContext(launched.browser, theme));
});

afterAll(async () => {
  for (const context of contexts.values()) await context.close();
  await launched?.close();
  await site?.close();
});

/** One line per failing element, so a report names the rule, the element and what to fix. */
function describeViolations(violations: AxeViolation[]): string[] {
  return violations.flatMap((violation) =>
    violation.nodes.map(
      (node) => `${violation.id} (${violation.impact ?? 'n/a'}): ${violation.help} at ${JSON.stringify(node.target)}${node.failureSummary ? ` — ${node.failureSummary.replace(/\s+/g, ' ')}` : ''}`,
    ),
  );
}

describe.concurrent.each(['light', 'dark'] as Theme[])('axe, WCAG 2.2 A/AA, %s theme', (theme) => {
  it.for(PAGES)('/%s has no violations', { timeout: PAGE_TEST_TIMEOUT_MS }, async (pagePath, { expect }) => {
    const context = contexts.get(theme);
    if (!context) throw new Error(`no ${theme} context`);
    const page = await context.newPage();
    try {
      await page.goto(new URL(pagePath, site.url).href, { waitUntil: 'load', timeout: PAGE_LOAD_TIMEOUT_MS });
      await expect(page.evaluate(() => document.documentElement.dataset['theme'])).resolves.toBe(theme);
      await settle(page);
      await page.addScriptTag({ path: AXE_SOURCE });
      const violations = await page.evaluate(
        async (tags) => {
          // axe is the global the injected script defines.
          const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: unknown[] }> } }).axe;
          const result = await axe.run(document, {
            runOnly: { type: 'tag', values: tags },
            rules: { 'label-content-name-mismatch': { enabled: true } },
            resultTypes: ['violations'],
          });
          return result.violations;
        },
        WCAG_TAGS,
      );
      expect(describeViolations(violations as AxeViolation[])).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
