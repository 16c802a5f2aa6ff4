import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AstroIntegration } from 'astro';
import { parse as parseYaml } from 'yaml';
import { daysSinceReview, overduePages, reviewMaxAgeDays, type ReviewedPage } from '../lib/content/review';

const FRONTMATTER = /^---\r?\n([\s\S]*?)\r?\n---/;

async function listRunbookFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && /\.mdx?$/.test(entry.name) && !entry.name.startsWith('_'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

async function readReviewedPages(runbooksDir: string): Promise<ReviewedPage[]> {
  const pages: ReviewedPage[] = [];
  for (const file of await listRunbookFiles(runbooksDir)) {
    const match = FRONTMATTER.exec(await readFile(file, 'utf8'));
    if (!match?.[1]) continue;
    const data: unknown = parseYaml(match[1]);
    if (typeof data !== 'object' || data === null) continue;
    const { title, lastReviewed } = data as { title?: unknown; lastReviewed?: unknown };
    // The content schema rejects a bad date with a precise message; this report only lists valid ones.
    const date = lastReviewed instanceof Date ? lastReviewed : new Date(String(lastReviewed));
    if (Number.isNaN(date.getTime())) continue;
    pages.push({ id: path.relative(runbooksDir, file), title: String(title ?? file), lastReviewed: date });
  }
  return pages;
}

/**
 * Prints the runbooks whose `lastReviewed` is older than `HANDBOOK_REVIEW_MAX_AGE_DAYS` (default 180) at the
 * end of every build, so the team publishing the handbook sees the list without opening each page.
 */
export function reviewReport(): AstroIntegration {
  let srcDir: URL | undefined;
  return {
    name: 'handbook-review-report',
    hooks: {
      'astro:config:done': ({ config }) => {
        srcDir = config.srcDir;
      },
      'astro:build:done': async ({ logger }) => {
        if (!srcDir) return;
        const maxAgeDays = reviewMaxAgeDays(process.env['HANDBOOK_REVIEW_MAX_AGE_DAYS']);
        const now = new Date();
        const overdue = overduePages(await readReviewedPages(fileURLToPath(new URL('content/runbooks/', srcDir))), now, maxAgeDays);
        if (overdue.length === 0) {
          logger.info(`All runbooks were reviewed within the last ${maxAgeDays} days.`);
          return;
        }
        logger.warn(`${overdue.length} runbook(s) overdue for review (older than ${maxAgeDays} days):`);
        for (const page of overdue) {
          logger.warn(`  ${page.id}: last reviewed ${page.lastReviewed.toISOString().slice(0, 10)} (${daysSinceReview(page.lastReviewed, now)} days ago)`);
        }
      },
    },
  };
}
