/**
 * Runbook code blocks on a 390×844 phone: shell blocks wrap instead of running off the screen, the copy button
 * covers no code, expected output looks like output (caption, no copy button), and every block's frame says what CI
 * did with it. Expected captions are computed here from the page's MDX, its frontmatter claim and
 * lab/versions.json directly, not with the site's own helpers.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { parse as parseYaml } from 'yaml';
import { extractCodeBlocks } from '../runbooks/lib/extract-blocks';
import { collectPageErrors, launchBrowser, type LaunchedBrowser } from './helpers/browser';
import { serveStatic, type StaticSite } from './helpers/server';
import { BASE, DIST, settle, sitemapPages, themedContext } from './helpers/site';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PHONE_390 = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const LAB = JSON.parse(readFileSync(path.join(ROOT, 'lab/versions.json'), 'utf8')) as { etcd: Record<string, string>; kubernetes: Record<string, string> };
const LAB_ETCD = LAB.etcd;
const SHELL = new Set(['bash', 'sh', 'shell']);

const RUNBOOKS = sitemapPages()
  .filter((page) => /^runbooks\/[^/]+\/$/.test(page))
  .map((page) => {
    const slug = page.split('/')[1] ?? '';
    const file = path.join(ROOT, 'src/content/runbooks', `${slug}.mdx`);
    const source = readFileSync(file, 'utf8');
    const frontmatter = parseYaml(/^---\n([\s\S]*?)\n---/.exec(source)?.[1] ?? '') as { verified?: { etcd?: string | string[]; kubernetes?: string | string[] } };
    const minors = (claim: string | string[] | undefined) => (typeof claim === 'string' ? claim.split(',') : (claim ?? [])).map((minor) => String(minor).trim());
    return {
      page,
      blocks: extractCodeBlocks(source, file),
      claimed: minors(frontmatter.verified?.etcd),
      claimedKubernetes: minors(frontmatter.verified?.kubernetes),
      verified: frontmatter.verified !== undefined,
    };
  });

/** What the frame of a block must say, from its attributes alone. */
function expectedStatus(block: { meta: Record<string, string | true> }, claimed: string[], claimedKubernetes: string[] = []): { ci: string | null; caption: string | null } {
  const { verify, noverify, output, etcd } = block.meta;
  if (output === true) return { ci: 'output', caption: null };
  if (typeof noverify === 'string') return { ci: 'not-run', caption: `Not run in CI: ${noverify}` };
  if (typeof verify !== 'string') return { ci: null, caption: null };
  const only = typeof etcd === 'string' ? etcd.split(',') : undefined;
  const versions = claimed.filter((minor) => only === undefined || only.includes(minor)).map((minor) => LAB_ETCD[minor] ?? minor);
  const parts = [
    ...(claimedKubernetes.length > 0 ? [`Kubernetes ${claimedKubernetes.map((minor) => LAB.kubernetes[minor] ?? minor).join(' · ')}`] : []),
    ...(versions.length > 0 ? [`etcd ${versions.join(' · ')}`] : []),
  ];
  return { ci: 'ran', caption: parts.length > 0 ? `Ran in CI · ${parts.join(' · ')}` : 'Ran in CI' };
}

let site: StaticSite;
let launched: LaunchedBrowser;
let context: BrowserContext;

beforeAll(async () => {
  site = await serveStatic(DIST, BASE);
  launched = await launchBrowser();
  context = await themedContext(launched.browser, 'light', PHONE_390);
});

afterAll(async () => {
  await context?.close();
  await launched?.close();
  await site?.close();
});

describe('runbook code blocks on a 390 px phone', () => {
  it('there are runbooks with shell blocks to check', () => {
    expect(RUNBOOKS.length).toBeGreaterThanOrEqual(7);
    expect(RUNBOOKS.every((runbook) => runbook.blocks.some((block) => SHELL.has(block.lang)))).toBe(true);
  });

  it.for(RUNBOOKS.map((runbook) => runbook.page))('/%s: frames say what CI did, shell blocks fit, the copy button covers no code', async (runbookPage) => {
    const runbook = RUNBOOKS.find((candidate) => candidate.page === runbookPage);
    if (!runbook) throw new Error(`no runbook ${runbookPage}`);
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    try {
      await page.goto(new URL(runbook.page, site.url).href);
      await settle(page);

      // Every code block of the MDX is one frame on the page, in the same order (hidden tab panels included).
      const frames = await page.locator('.sl-markdown-content .expressive-code figure.frame').evaluateAll((figures) =>
        figures.map((figure) => ({
          ci: figure.getAttribute('data-ci'),
          caption: figure.querySelector('.ci-status')?.textContent ?? null,
          title: figure.querySelector('.header .title')?.textContent ?? '',
          hasCopy: figure.querySelector('.copy button') !== null,
          language: figure.querySelector('pre')?.getAttribute('data-language') ?? '',
          wraps: figure.querySelector('pre')?.classList.contains('wrap') ?? false,
        })),
      );
      expect(frames.length, 'frames on the page vs code blocks in the MDX').toBe(runbook.blocks.length);
      runbook.blocks.forEach((block, index) => {
        const frame = frames[index];
        const where = `${runbook.page} block at MDX line ${block.line}`;
        const expected = expectedStatus(block, runbook.claimed, runbook.claimedKubernetes);
        expect(frame?.ci ?? null, where).toBe(expected.ci);
        expect(frame?.caption ?? null, where).toBe(expected.caption);
        if (expected.ci === 'output') {
          expect(frame?.hasCopy, `${where}: an output block has no copy button`).toBe(false);
          expect(frame?.title, where).toMatch(/^Expected output/);
        }
        if (SHELL.has(block.lang)) {
          expect(frame?.hasCopy, `${where}: a command has a copy button`).toBe(true);
          expect(frame?.wraps, `${where}: a shell block wraps`).toBe(true);
        }
      });

      // The header's Verified line names the same releases as the verified blocks.
      if (runbook.verified) {
        const note = await page.locator('.verified-note').textContent();
        const releases = [
          ...(runbook.claimedKubernetes.length > 0 ? [`Kubernetes ${runbook.claimedKubernetes.map((minor) => LAB.kubernetes[minor] ?? minor).join(' · ')}`] : []),
          ...(runbook.claimed.length > 0 ? [`etcd ${runbook.claimed.map((minor) => LAB_ETCD[minor] ?? minor).join(' · ')}`] : []),
        ].join(' · ');
        expect(note?.replace(/\s+/g, ' ')).toContain(`Verified in CI on ${releases}:`);
      }

      // Geometry of every visible shell block: inside the viewport, no sideways scrolling, and no code text under
      // the copy button.
      const geometry = await page.locator('.sl-markdown-content .expressive-code figure.frame').evaluateAll((figures) =>
        figures
          .filter((figure) => ['bash', 'sh', 'shell'].includes(figure.querySelector('pre')?.getAttribute('data-language') ?? ''))
          .filter((figure) => figure.getBoundingClientRect().width > 0)
          .map((figure) => {
            const pre = figure.querySelector('pre') as HTMLElement;
            const box = figure.getBoundingClientRect();
            const button = figure.querySelector('.copy button')?.getBoundingClientRect();
            const overlaps: string[] = [];
            if (button) {
              const walker = document.createTreeWalker(pre, NodeFilter.SHOW_TEXT);
              for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const text = node.textContent ?? '';
                for (let offset = 0; offset < text.length; offset += 1) {
                  if (/\s/.test(text[offset] ?? '')) continue;
                  const range = document.createRange();
                  range.setStart(node, offset);
                  range.setEnd(node, offset + 1);
                  const glyph = range.getBoundingClientRect();
                  const hit = glyph.right > button.left && glyph.left < button.right && glyph.bottom > button.top && glyph.top < button.bottom;
                  if (hit) overlaps.push(text.slice(Math.max(0, offset - 10), offset + 10));
                }
              }
            }
            return {
              title: figure.querySelector('.header .title')?.textContent ?? '',
              left: box.left,
              right: box.right,
              scrolls: pre.scrollWidth > pre.clientWidth + 1,
              button: button ? { width: button.width, height: button.height } : null,
              overlaps,
            };
          }),
      );
      expect(geometry.length, 'visible shell blocks').toBeGreaterThan(0);
      const viewport = PHONE_390.viewport.width;
      for (const block of geometry) {
        expect(block.left, `"${block.title}" starts off screen`).toBeGreaterThanOrEqual(0);
        expect(block.right, `"${block.title}" is wider than the ${viewport} px viewport`).toBeLessThanOrEqual(viewport);
        expect(block.scrolls, `"${block.title}" scrolls sideways`).toBe(false);
        expect(block.button, `"${block.title}" copy button`).not.toBeNull();
        expect(block.button?.height, `"${block.title}" copy button is a 44 px touch target`).toBeGreaterThanOrEqual(44);
        expect(block.overlaps, `"${block.title}": code under the copy button`).toEqual([]);
      }
      expect(errors).toEqual([]);
      console.log(`${runbook.page}: ${frames.length} frames, ${geometry.length} visible shell blocks fit in ${viewport} px with no code under the copy button`);
    } finally {
      await page.close();
    }
  });
});
