import { defineHastPlugin, type HastPluginEntry } from 'satteri';
import type { Element } from 'hast';

/** Tables with this many columns or more do not fit a phone's width. */
const WIDE_TABLE_COLUMNS = 4;

/**
 * Puts a note before every content table of four or more columns: "Wide table: swipe sideways to see every
 * column." Starlight already lets such a table scroll on its own; the note (shown only on narrow screens, see
 * handbook.css) says so, because nothing else shows that columns are hidden off the edge.
 */
export function wideTableNote(): HastPluginEntry {
  return defineHastPlugin({
    name: 'handbook-wide-table-note',
    element: {
      filter: ['table'],
      visit(node, ctx) {
        const firstRow = findFirstRow(node);
        const columns = firstRow?.children.filter((cell) => cell.type === 'element' && (cell.tagName === 'th' || cell.tagName === 'td')).length ?? 0;
        if (columns < WIDE_TABLE_COLUMNS) return;
        ctx.insertBefore(node, {
          type: 'element',
          tagName: 'p',
          properties: { className: ['wide-table-note'] },
          children: [{ type: 'text', value: `Wide table (${columns} columns): swipe it sideways to see every column.` }],
        });
      },
    },
  });
}

function findFirstRow(node: Element): Element | undefined {
  for (const child of node.children) {
    if (child.type !== 'element') continue;
    if (child.tagName === 'tr') return child;
    const inner = findFirstRow(child);
    if (inner) return inner;
  }
  return undefined;
}
