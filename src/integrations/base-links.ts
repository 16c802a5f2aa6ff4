import { defineHastPlugin, type HastPluginEntry } from 'satteri';

/** Adds `base` (e.g. `/handbook`) in front of a root-relative URL; other URLs come back unchanged. */
export function prefixBase(url: string, base: string): string {
  const trimmedBase = base.replace(/\/+$/, '');
  if (trimmedBase === '' || !url.startsWith('/') || url.startsWith('//')) return url;
  if (url === trimmedBase || url.startsWith(`${trimmedBase}/`)) return url;
  return `${trimmedBase}${url}`;
}

/**
 * Prefixes root-relative links and images in Markdown and MDX (`/runbooks/...`) with the site's base path, so
 * authors write links once and the handbook still works when published under `HANDBOOK_BASE=/handbook`.
 * It must run before the link validator, which checks the final, prefixed URLs.
 */
export function baseLinks(base: string): HastPluginEntry {
  return defineHastPlugin({
    name: 'handbook-base-links',
    element: {
      filter: ['a', 'img'],
      visit(node, ctx) {
        const attribute = node.tagName === 'a' ? 'href' : 'src';
        const value = node.properties[attribute];
        if (typeof value !== 'string') return;
        const prefixed = prefixBase(value, base);
        if (prefixed !== value) ctx.setProperty(node, attribute, prefixed);
      },
    },
  });
}
