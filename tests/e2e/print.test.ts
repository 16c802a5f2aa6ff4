/**
 * The print edition as a reader gets it. /print/ is a chooser; ticking every runbook and alert page and making
 * the binder lays the chosen pages out in the browser. Chromium prints it to PDF, and the PDF's text (read with
 * poppler's pdftotext) must hold every runbook and alert page and every shell command of every runbook,
 * unbroken. The binder's DOM must have no repeated id, in-page links that stay inside their own entry, entry
 * titles one level above their sections, every tab panel under its own tab label (read from the runbook's own
 * page), a ☐ per step in print and links with absolute addresses under the published site URL. A runbook's
 * printable checklist holds every command of the runbook's steps and prints on fewer pages than the runbook.
 * Page counts come from poppler's pdfinfo and are printed for the record.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { extractCodeBlocks } from '../runbooks/lib/extract-blocks';
import { collectPageErrors, launchBrowser, type LaunchedBrowser } from './helpers/browser';
import { serveStatic, type StaticSite } from './helpers/server';
import { BASE, builtPageTitle, DIST, PAGE_LOAD_TIMEOUT_MS, PAGE_TEST_TIMEOUT_MS, settle, sitemapPages } from './helpers/site';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PAGES = sitemapPages();
const ENTRIES = PAGES.filter((pagePath) => /^(runbooks|alerts)\/[^/]+\/$/.test(pagePath));
const SHELL_LANGS = new Set(['bash', 'sh', 'shell', 'console']);
const CHECKLIST_RUNBOOK = 'etcd-backup-restore';

/** Published runbooks (in the sitemap) with their MDX source. */
const RUNBOOKS = PAGES.filter((page) => /^runbooks\/[^/]+\/$/.test(page)).map((page) => {
  const slug = page.split('/')[1] ?? '';
  const source = readdirSync(path.join(ROOT, 'src/content/runbooks')).find((file) => file.replace(/\.mdx?$/, '') === slug);
  if (!source) throw new Error(`no source for ${page}`);
  return { page, slug, source: readFileSync(path.join(ROOT, 'src/content/runbooks', source), 'utf8') };
});

/** The published address (HANDBOOK_SITE + base), as the build wrote it into its sitemap. */
const SITE_ROOT = (() => {
  const sitemap = readdirSync(DIST).find((file) => /^sitemap-\d+\.xml$/.test(file)) ?? '';
  const first = /<loc>([^<]+)<\/loc>/.exec(readFileSync(path.join(DIST, sitemap), 'utf8'))?.[1] ?? '';
  return new URL(`${BASE.replace(/\/?$/, '/')}`, new URL(first).origin).href;
})();

/** Whitespace differs between a wrapped PDF line and the source; the characters must not. */
const squeeze = (text: string) => text.replace(/\s+/g, '');

let site: StaticSite;
let launched: LaunchedBrowser;
let page: Page;
let binderPdf: { text: string; pages: number };
let errors: string[];
const workDir = mkdtempSync(path.join(tmpdir(), 'handbook-print-'));

/** Prints the page as it stands to an A4 PDF and returns its text and page count. */
async function printToPdf(target: Page, name: string): Promise<{ text: string; pages: number }> {
  await target.emulateMedia({ media: 'print' });
  // Scripts react to the print layout (Expressive Code re-measures code blocks); printing while they still run
  // makes Chromium cut the PDF short at a random page.
  await settle(target);
  const file = path.join(workDir, `${name}.pdf`);
  writeFileSync(file, await target.pdf({ format: 'A4', printBackground: false }));
  // -layout keeps a hyphen that ends a wrapped line (the default mode joins it away, as if it were hyphenation).
  const text = execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const pages = Number(/^Pages:\s+(\d+)/m.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))?.[1]);
  console.info(`${name}.pdf: ${pages} A4 pages`);
  return { text, pages };
}

/** Opens a print-edition address and waits until its script has laid out every chosen page. */
async function openAssembled(browser: Browser, address: string, errorsOut: string[] = []): Promise<Page> {
  const opened = await browser.newPage({ serviceWorkers: 'block' });
  const pageErrors = collectPageErrors(opened);
  opened.on('close', () => errorsOut.push(...pageErrors));
  await opened.goto(new URL(address, site.url).href, { waitUntil: 'networkidle', timeout: PAGE_LOAD_TIMEOUT_MS });
  await opened.locator('[data-ready="true"]').waitFor({ timeout: PAGE_LOAD_TIMEOUT_MS });
  return opened;
}

beforeAll(async () => {
  site = await serveStatic(DIST, BASE);
  launched = await launchBrowser();
  page = await launched.browser.newPage({ serviceWorkers: 'block' });
  errors = collectPageErrors(page);
  // Choose every runbook and alert page in the chooser and make the binder, as a reader would.
  await page.goto(new URL('print/', site.url).href, { waitUntil: 'networkidle', timeout: PAGE_LOAD_TIMEOUT_MS });
  for (const box of await page.locator('form.print-chooser-form input[type="checkbox"]').all()) await box.check();
  const clickedAtMs = Date.now();
  await page.getByRole('button', { name: 'Make the binder' }).click();
  // The whole handbook (about 250 A4 pages) is fetched and laid out. In CI the browser runs at low priority beside
  // two labs, and a CI run once needed more than 240 s for it, so this one wait gets twice the page-test bound.
  await page.locator('[data-ready="true"]').waitFor({ timeout: 2 * PAGE_TEST_TIMEOUT_MS });
  console.info(`binder laid out ${((Date.now() - clickedAtMs) / 1000).toFixed(1)} s after "Make the binder"`);
  binderPdf = await printToPdf(page, 'binder');
}, 3 * PAGE_TEST_TIMEOUT_MS);

afterAll(async () => {
  await launched?.close();
  await site?.close();
  rmSync(workDir, { recursive: true, force: true });
});

describe('the print edition binder', () => {
  it('renders without errors and prints a non-trivial PDF', () => {
    expect(errors).toEqual([]);
    expect(binderPdf.text.length).toBeGreaterThan(1000);
  });

  it('holds every runbook and alert page, listed in its table of contents, to the end', async () => {
    expect(ENTRIES.length).toBeGreaterThan(0);
    const contents = await page.locator('nav.print-edition-contents a').allInnerTexts();
    const text = squeeze(binderPdf.text);
    for (const entry of ENTRIES) {
      const title = builtPageTitle(entry);
      expect(contents, `table of contents lacks ${title}`).toContain(title);
      // Each entry starts with its online address, which the table of contents does not print.
      expect(text, `PDF lacks the page ${entry}`).toContain(squeeze(`Online: ${new URL(entry, SITE_ROOT).href}`));
    }
    expect(text).toContain(squeeze(`End of the binder: ${ENTRIES.length} of ${ENTRIES.length} pages.`));
  });

  it.for(RUNBOOKS.map((runbook) => runbook.page))('holds every shell command of /%s, unbroken', (runbookPage, { expect }) => {
    const runbook = RUNBOOKS.find((candidate) => candidate.page === runbookPage);
    const commands = extractCodeBlocks(runbook?.source ?? '').filter((block) => SHELL_LANGS.has(block.lang));
    const text = squeeze(binderPdf.text);
    const missing = commands.filter((block) => !text.includes(squeeze(block.code))).map((block) => `line ${block.line}: ${block.code.slice(0, 80)}`);
    expect(missing).toEqual([]);
  });

  it('has no repeated id', async () => {
    const repeated = await page.evaluate(() => {
      const seen = new Map<string, number>();
      for (const element of document.querySelectorAll('[id]')) seen.set(element.id, (seen.get(element.id) ?? 0) + 1);
      return [...seen].filter(([, count]) => count > 1).map(([id, count]) => `${id} ×${count}`);
    });
    expect(repeated).toEqual([]);
  });

  it("keeps in-page links inside their entry, the runbooks' own #section links included", async () => {
    const links = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLAnchorElement>('article.print-edition-entry a[href^="#"]')].map((anchor) => {
        const entry = anchor.closest('article');
        const target = document.getElementById(decodeURIComponent(anchor.getAttribute('href')!.slice(1)));
        return { entry: entry?.id, href: anchor.getAttribute('href'), inside: target !== null && entry !== null && entry.contains(target) };
      }),
    );
    expect(links.filter((link) => !link.inside)).toEqual([]);
    // Every `](#section)` link a runbook's source holds must be among them, pointing into that runbook's entry.
    const sourceLinks = RUNBOOKS.flatMap((runbook) => [...runbook.source.matchAll(/\]\(#([^)]+)\)/g)].map((match) => `#runbooks-${runbook.slug}--${match[1]}`));
    expect(sourceLinks.length).toBeGreaterThan(0);
    const hrefs = new Set(links.map((link) => link.href));
    expect(sourceLinks.filter((href) => !hrefs.has(href))).toEqual([]);
  });

  it('sets each entry title one heading level above its sections', async () => {
    const levels = await page.evaluate(() =>
      [...document.querySelectorAll('article.print-edition-entry')].map((entry) => ({
        entry: entry.id,
        title: entry.querySelector(':scope > h2') !== null,
        topSection: Math.min(...[...entry.querySelectorAll(':scope > .sl-markdown-content :is(h2, h3, h4)')].map((heading) => Number(heading.tagName.slice(1)))),
      })),
    );
    expect(levels.length).toBe(ENTRIES.length);
    expect(levels.filter((entry) => !entry.title || entry.topSection !== 3)).toEqual([]);
  });

  it("labels every printed tab panel with its tab's label, in the runbook page's order", async () => {
    let panels = 0;
    for (const runbook of RUNBOOKS) {
      const html = readFileSync(path.join(DIST, runbook.page, 'index.html'), 'utf8');
      const expected = [...html.matchAll(/<a role="tab"[^>]*>([^<]*)<\/a>/g)].map((match) => (match[1] ?? '').trim());
      const printed = await page.locator(`article#runbooks-${runbook.slug} .print-tab-label`).allInnerTexts();
      expect(printed.map((label) => label.trim()), runbook.page).toEqual(expected);
      panels += expected.length;
    }
    expect(panels).toBeGreaterThan(0);
    // Tabs are flattened: no tab list is left to print without its panels' names.
    await expect(page.locator('article.print-edition-entry [role="tablist"]').count()).resolves.toBe(0);
  });

  it('prints a ☐ at the start of every step', async () => {
    const marks = await page.evaluate(() =>
      [...document.querySelectorAll('article.print-edition-entry ol.sl-steps > li')].map((step) => {
        const first = [...step.children].find((child) => getComputedStyle(child).display !== 'none');
        return first ? getComputedStyle(first, '::before').content : 'no visible content';
      }),
    );
    expect(marks.length).toBeGreaterThan(0);
    expect(marks.filter((mark) => mark !== '"☐\u00a0"')).toEqual([]);
  });

  it('prints links to the handbook with absolute addresses under the site URL, and shows where they point', async () => {
    const hrefs = await page.locator('article.print-edition-entry a[href]').evaluateAll((anchors) => anchors.map((anchor) => anchor.getAttribute('href') ?? ''));
    const relative = hrefs.filter((href) => !href.startsWith('#') && !/^[a-z]+:/i.test(href));
    expect(relative).toEqual([]);
    const toSite = hrefs.filter((href) => href.startsWith(SITE_ROOT));
    // The runbook headers link their alerts and calculators, the alert pages their runbooks.
    expect(toSite.length).toBeGreaterThan(ENTRIES.length);
    const after = await page
      .locator(`article.print-edition-entry .sl-markdown-content a[href^="${SITE_ROOT}"]`)
      .first()
      .evaluate((anchor) => ({ href: anchor.getAttribute('href'), after: getComputedStyle(anchor, '::after').content }));
    expect(after.after).toBe(`" (${after.href})"`);
  });

  it('hides the navigation, sidebar, search, theme select and chooser, and wraps code in print', async () => {
    const hidden = await page.evaluate(() =>
      ['header.header', '#starlight__sidebar', 'site-search', 'starlight-theme-select', '[data-chooser]'].map((selector) => {
        const element = document.querySelector(selector);
        return { selector, shown: element !== null && element.getClientRects().length > 0 };
      }),
    );
    expect(hidden.filter((entry) => entry.shown)).toEqual([]);
    const codeWhiteSpace = await page.evaluate(() => {
      const code = document.querySelector('article .sl-markdown-content pre');
      return code ? getComputedStyle(code).whiteSpace : 'no code block';
    });
    expect(codeWhiteSpace).toBe('pre-wrap');
  });
});

describe('the print edition chooser', () => {
  it('offers every runbook and alert page, whole sections, and a checklist per runbook', async () => {
    const chooser = await launched.browser.newPage({ serviceWorkers: 'block' });
    try {
      await chooser.goto(new URL('print/', site.url).href, { waitUntil: 'networkidle', timeout: PAGE_LOAD_TIMEOUT_MS });
      const offered = await chooser.locator('input[data-entry]').evaluateAll((inputs) => inputs.map((input) => `${(input as HTMLElement).dataset['entry']}/`));
      expect(offered.sort()).toEqual([...ENTRIES].sort());
      const checklists = await chooser.locator('a.print-chooser-checklist').evaluateAll((anchors) => anchors.map((anchor) => anchor.getAttribute('href')));
      expect(checklists.sort()).toEqual(RUNBOOKS.map((runbook) => `${BASE.replace(/\/?$/, '/')}print/checklist/?runbook=${runbook.slug}`).sort());
      await expect(chooser.locator('a[href="?section=runbooks"]').count()).resolves.toBe(1);
      await expect(chooser.locator('a[href="?section=alerts"]').count()).resolves.toBe(1);
    } finally {
      await chooser.close();
    }
  });

  it('makes a binder of one section', async () => {
    const alerts = await openAssembled(launched.browser, 'print/?section=alerts');
    try {
      const titles = await alerts.locator('article.print-edition-entry > h2').allInnerTexts();
      expect(titles.sort()).toEqual(ENTRIES.filter((entry) => entry.startsWith('alerts/')).map((entry) => builtPageTitle(entry)).sort());
    } finally {
      await alerts.close();
    }
  });
});

/** What a runbook page itself holds inside its <Steps> lists (tabbed variants included). */
async function ownSteps(browser: Browser, slug: string): Promise<{ steps: number; commands: string[] }> {
  const runbookPage = await browser.newPage({ serviceWorkers: 'block' });
  try {
    await runbookPage.goto(new URL(`runbooks/${slug}/`, site.url).href, { waitUntil: 'networkidle', timeout: PAGE_LOAD_TIMEOUT_MS });
    return await runbookPage.evaluate(() => ({
      steps: document.querySelectorAll('.sl-markdown-content ol.sl-steps > li').length,
      commands: [...document.querySelectorAll('.sl-markdown-content ol.sl-steps pre[data-language="bash"]')].map((pre) => pre.textContent ?? ''),
    }));
  } finally {
    await runbookPage.close();
  }
}

describe('the printable checklists', () => {
  it.for(RUNBOOKS.map((runbook) => runbook.slug))("of %s hold every step and every command of the runbook's procedures", { timeout: PAGE_TEST_TIMEOUT_MS }, async (slug, { expect }) => {
    const own = await ownSteps(launched.browser, slug);
    const checklist = await openAssembled(launched.browser, `print/checklist/?runbook=${slug}`);
    try {
      expect(own.steps).toBeGreaterThan(0);
      await expect(checklist.locator('.print-checklist ol.sl-steps > li').count()).resolves.toBe(own.steps);
      const text = squeeze(await checklist.locator('.print-checklist').innerText());
      expect(own.commands.filter((command) => !text.includes(squeeze(command)))).toEqual([]);
    } finally {
      await checklist.close();
    }
  });

  it(`of ${CHECKLIST_RUNBOOK} prints a ☐ per step, leaves out the background, and takes fewer pages than the runbook`, async () => {
    const own = await ownSteps(launched.browser, CHECKLIST_RUNBOOK);
    const single = await openAssembled(launched.browser, `print/?runbook=${CHECKLIST_RUNBOOK}`);
    const runbookPdf = await printToPdf(single, `runbook-${CHECKLIST_RUNBOOK}`);
    await single.close();

    const checklistErrors: string[] = [];
    const checklist = await openAssembled(launched.browser, `print/checklist/?runbook=${CHECKLIST_RUNBOOK}`, checklistErrors);
    try {
      const pdf = await printToPdf(checklist, `checklist-${CHECKLIST_RUNBOOK}`);
      const text = squeeze(pdf.text);
      expect(own.commands.length).toBeGreaterThan(0);
      expect(own.commands.filter((command) => !text.includes(squeeze(command)))).toEqual([]);
      expect((pdf.text.match(/☐/g) ?? []).length).toBe(own.steps);
      expect(text).not.toContain(squeeze('When to use this'));
      expect(text).not.toContain(squeeze('Sources'));
      expect(pdf.pages).toBeLessThan(runbookPdf.pages);
      const ids = await checklist.evaluate(() => {
        const seen = new Map<string, number>();
        for (const element of document.querySelectorAll('[id]')) seen.set(element.id, (seen.get(element.id) ?? 0) + 1);
        return [...seen].filter(([, count]) => count > 1);
      });
      expect(ids).toEqual([]);
    } finally {
      await checklist.close();
    }
    expect(checklistErrors).toEqual([]);
  }, PAGE_TEST_TIMEOUT_MS);
});
