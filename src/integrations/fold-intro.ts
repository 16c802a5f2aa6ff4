import { fileURLToPath } from 'node:url';
import { defineHastPlugin, type HastPluginEntry } from 'satteri';
import type { Element, ElementContent, RootContent } from 'hast';

/** "Set up your shell" starts the part of a runbook a reader acts on; everything before it is background. */
const SETUP_HEADING = /^set up your shell$/i;

/**
 * On runbook pages, folds every section before "Set up your shell" ("When to use this", "Before you start",
 * background reading) into its own `<details>` whose summary is the section's heading, so on a phone the first
 * command is on the first or second screen and the Quick path (QuickPath.astro) links the folded sections. The
 * MDX stays as authors write it; the heading keeps its id, the table of contents still lists it, and browsers
 * open a folded section when a link targets a heading inside it. Print opens every `<details>` (print.css).
 */
export function foldRunbookIntro(runbookDir: string): HastPluginEntry {
  return defineHastPlugin({
    name: 'handbook-fold-runbook-intro',
    before(root, ctx) {
      if (!ctx.fileURL) return;
      const file = fileURLToPath(ctx.fileURL);
      if (!file.startsWith(runbookDir) || /[\\/]_[^\\/]*$/.test(file)) return;
      const children = root.children;
      const isH2 = (node: RootContent | undefined): node is Element => node?.type === 'element' && node.tagName === 'h2';
      const h2Indexes = children.flatMap((node, index) => (isH2(node) ? [index] : []));
      const setupIndex = h2Indexes.find((index) => SETUP_HEADING.test(ctx.textContent(children[index] as Element).trim()));
      if (setupIndex === undefined) return;
      const sectionStarts = h2Indexes.filter((index) => index < setupIndex);
      sectionStarts.forEach((start, position) => {
        const end = sectionStarts[position + 1] ?? setupIndex;
        const heading = children[start] as Element;
        const originals = children.slice(start + 1, end);
        // Moved content is a copy: the originals are removed below, and a node keeps its identity when reused.
        const body = originals.map((node) => JSON.parse(JSON.stringify(node)) as ElementContent);
        const details: Element = {
          type: 'element',
          tagName: 'details',
          properties: { className: ['runbook-fold'] },
          children: [{ type: 'element', tagName: 'summary', properties: {}, children: [heading] }, ...body],
        };
        ctx.replaceNode(heading, details);
        for (const node of originals) ctx.removeNode(node);
      });
    },
  });
}
