import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { settle } from './site';

const AXE_SOURCE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** WCAG 2.0, 2.1 and 2.2, levels A and AA, as axe-core tags them. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[]; failureSummary?: string }>;
}

/**
 * Runs axe-core (injected from node_modules) on a loaded page, once the page's own start-up scripts have
 * settled, and returns one line per failing element: rule, impact, element and what to fix. Axe's "label in
 * name" rule (WCAG 2.5.3, still marked experimental in axe) is switched on too: the handbook's search button
 * was rebuilt to pass it.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  await settle(page);
  await page.addScriptTag({ path: AXE_SOURCE });
  const violations = (await page.evaluate(async (tags) => {
    // `axe` is the global the injected script defines.
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: unknown[] }> } }).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: tags },
      rules: { 'label-content-name-mismatch': { enabled: true } },
      resultTypes: ['violations'],
    });
    return result.violations;
  }, WCAG_TAGS)) as AxeViolation[];
  return violations.flatMap((violation) =>
    violation.nodes.map(
      (node) =>
        `${violation.id} (${violation.impact ?? 'n/a'}): ${violation.help} at ${JSON.stringify(node.target)}` +
        (node.failureSummary ? ` — ${node.failureSummary.replace(/\s+/g, ' ')}` : ''),
    ),
  );
}
