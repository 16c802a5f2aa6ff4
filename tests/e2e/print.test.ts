/**
 * The print edition (/print/) as a reader would get it: Chromium prints it to PDF, and the PDF's text (read
 * with poppler's pdftotext) must hold every runbook and alert page title and every shell command of every
 * runbook, unbroken. Print media hides the site's navigation and wraps code instead of cutting it off.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { extractCodeBlocks } from '../runbooks/lib/extract-blocks';
import { collectPageErrors, launchBrowser, type LaunchedBrowser } from './helpers/browser';
import { serveStatic, type StaticSite } from './helpers/server';
import { BASE, builtPageTitle, DIST, PAGE_LOAD_TIMEOUT_MS, settle, sitemapPages } from './helpers/site';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PAGES = sitemapPages();
const SHELL_LANGS = new Set(['bash', 'sh', 'shell', 'console']);

/** Published runbooks (in the sitemap) with their MDX source. */
const RUNBOOKS = PAGES.filter((page) => /^runbooks\/[^/]+\/$/.test(page)).map((page) => {
  const slug = page.split('/')[1] ?? '';
  const source = readdirSync(path.join(ROOT, 'src/content/runbooks')).find((file) => file.replace(/\.mdx?$/, '') === slug);
  if (!source) throw new Error(`no source for ${page}`);
  return { page, source: readFileSync(path.join(ROOT, 'src/content/runbooks', source), 'utf8') };
});

/** Whitespace differs between a wrapped PDF line and the source; the characters must not. */
const squeeze = (text: string) => text.replace(/\s+/g, '');

let site: StaticSite;
let launched: LaunchedBrowser;
let page: Page;
let pdfText: string;
let errors: string[];
const workDir = mkdtempSync(path.join(tmpdir(), 'handbook-print-'));

beforeAll(async () => {
  site = await serveStatic(DIST, BASE);
  launched = await launchBrowser();
  page = await launched.browser.newPage({ serviceWorkers: 'block' });
  errors = collectPageErrors(page);
  await page.goto(new URL('print/', site.url).href, { waitUntil: 'networkidle', timeout: PAGE_LOAD_TIMEOUT_MS });
  await page.emulateMedia({ media: 'print' });
  // Scripts react to the print layout (Expressive Code re-measures code blocks); printing while they still run
  // makes Chromium cut the PDF short at a random page.
  await settle(page);
  const pdfFile = path.join(workDir, 'handbook.pdf');
  writeFileSync(pdfFile, await page.pdf({ format: 'A4', printBackground: false }));
  // -layout keeps a hyphen that ends a wrapped line (the default mode joins it away, as if it were hyphenation).
  pdfText = execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', pdfFile, '-'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
});

afterAll(async () => {
  await launched?.close();
  await site?.close();
  rmSync(workDir, { recursive: true, force: true });
});

describe('the print edition', () => {
  it('renders without errors and prints a non-trivial PDF', () => {
    expect(errors).toEqual([]);
    expect(pdfText.length).toBeGreaterThan(1000);
  });

  it('holds every runbook and alert page, listed in its table of contents, to the end', async () => {
    const entries = PAGES.filter((pagePath) => /^(runbooks|alerts)\/[^/]+\/$/.test(pagePath));
    expect(entries.length).toBeGreaterThan(0);
    const contents = await page.locator('nav.print-edition-contents a').allInnerTexts();
    const text = squeeze(pdfText);
    for (const entry of entries) {
      const title = builtPageTitle(entry);
      expect(contents, `table of contents lacks ${title}`).toContain(title);
      // Each entry starts with its online address, which the table of contents does not print.
      expect(text, `PDF lacks the page ${entry}`).toContain(squeeze(`Online: ${new URL(entry, site.url).pathname}`));
    }
    expect(text).toContain(squeeze(`End of the print edition: ${entries.length} runbook and alert pages.`));
  });

  it.for(RUNBOOKS.map((runbook) => runbook.page))('holds every shell command of /%s, unbroken', (runbookPage, { expect }) => {
    const runbook = RUNBOOKS.find((candidate) => candidate.page === runbookPage);
    const commands = extractCodeBlocks(runbook?.source ?? '').filter((block) => SHELL_LANGS.has(block.lang));
    const text = squeeze(pdfText);
    const missing = commands.filter((block) => !text.includes(squeeze(block.code))).map((block) => `line ${block.line}: ${block.code.slice(0, 80)}`);
    expect(missing).toEqual([]);
  });

  it('hides the navigation, sidebar, search and theme select, and wraps code in print', async () => {
    const hidden = await page.evaluate(() =>
      ['header.header', '#starlight__sidebar', 'site-search', 'starlight-theme-select'].map((selector) => {
        const element = document.querySelector(selector);
        return { selector, shown: element !== null && element.getClientRects().length > 0 };
      }),
    );
    expect(hidden.filter((entry) => entry.shown)).toEqual([]);
    const codeWhiteSpace = await page.evaluate(() => {
      const code = document.querySelector('.sl-markdown-content pre');
      return code ? getComputedStyle(code).whiteSpace : 'no code block';
    });
    expect(codeWhiteSpace).toBe('pre-wrap');
  });

  it('shows where external links point', async () => {
    const external = page.locator('.sl-markdown-content a[href^="http"]').first();
    if ((await external.count()) === 0) throw new Error('the print edition has no external link to check');
    const { href, after } = await external.evaluate((anchor) => ({
      href: anchor.getAttribute('href'),
      after: getComputedStyle(anchor, '::after').content,
    }));
    expect(after).toBe(`" (${href})"`);
  });
});
