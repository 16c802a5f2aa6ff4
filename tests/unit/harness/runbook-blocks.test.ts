/**
 * Every runbook page (the template too) passes the block rules of `extractRunbookBlocks`: parsed by the site's own
 * MDX parser, no unknown fence attribute, nothing hidden in a comment or swallowed by prose, and every shell block
 * either run in CI (`verify=`) or carrying the reason shown to readers (`noverify=`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractRunbookBlocks, SHELL_LANGS } from '../../runbooks/lib/extract-blocks';

const RUNBOOK_DIR = path.join(import.meta.dirname, '../../../src/content/runbooks');
const PAGES = readdirSync(RUNBOOK_DIR).filter((name) => name.endsWith('.mdx'));

describe('runbook code blocks', () => {
  it('finds the runbook pages', () => {
    expect(PAGES.length).toBeGreaterThanOrEqual(7);
  });

  it.for(PAGES)('%s: every shell block is verify= or noverify=, and nothing can drop out silently', (name) => {
    const file = path.join('src/content/runbooks', name);
    const blocks = extractRunbookBlocks(readFileSync(path.join(RUNBOOK_DIR, name), 'utf8'), file);
    const shell = blocks.filter((block) => SHELL_LANGS.has(block.lang));
    const verified = shell.filter((block) => block.meta['verify'] !== undefined).length;
    console.log(`${name}: ${shell.length} shell blocks, ${verified} run in CI, ${shell.length - verified} noverify with a reason`);
  });
});
