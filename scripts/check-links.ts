/**
 * Checks every internal link in a built handbook: each `href` and `src` in every HTML page of the output
 * directory must point at a file that exists, carry the base path, and (when it has a `#hash`) name an `id`
 * that exists on the target page. External URLs are not fetched.
 *
 * Usage: node scripts/check-links.ts [--dir dist] [--base /handbook]
 * Prints a summary line and every broken link; exits 1 if any link is broken.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

export interface BrokenLink {
  page: string;
  link: string;
  reason: string;
}

export interface LinkReport {
  pages: number;
  linksChecked: number;
  broken: BrokenLink[];
}

const ATTRIBUTE = /\s(?:href|src)=(?:"([^"]*)"|'([^']*)')/g;
const ID = /\sid=(?:"([^"]*)"|'([^']*)')/g;
const EXTERNAL = /^(?:[a-z][a-z0-9+.-]*:|\/\/)/i;

function decodeEntities(value: string): string {
  return value
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
}

function listHtml(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.html'))
    .map((file) => path.join(dir, file));
}

/** The page URL path of an HTML file, e.g. `runbooks/x/index.html` -> `/base/runbooks/x/`. */
function pageUrl(file: string, dir: string, base: string): string {
  const relative = path.relative(dir, file).split(path.sep).join('/');
  const withoutIndex = relative.endsWith('index.html') ? relative.slice(0, -'index.html'.length) : relative;
  return `${base}${withoutIndex}`;
}

/** The file a URL path (already stripped of the base) is served from, or undefined when none exists. */
function targetFile(dir: string, urlPath: string): string | undefined {
  const decoded = decodeURIComponent(urlPath);
  const candidate = path.join(dir, decoded);
  if (!candidate.startsWith(dir)) return undefined;
  if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  const index = path.join(candidate, 'index.html');
  if (existsSync(index)) return index;
  return undefined;
}

export function checkLinks(dir: string, baseOption: string): LinkReport {
  const root = path.resolve(dir);
  const base = `/${baseOption.replace(/^\/+|\/+$/g, '')}/`.replace(/^\/\/$/, '/');
  const idsByFile = new Map<string, Set<string>>();
  const idsOf = (file: string): Set<string> => {
    let ids = idsByFile.get(file);
    if (!ids) {
      ids = new Set([...readFileSync(file, 'utf8').matchAll(ID)].map((m) => decodeEntities(m[1] ?? m[2] ?? '')));
      idsByFile.set(file, ids);
    }
    return ids;
  };

  const pages = listHtml(root);
  const broken: BrokenLink[] = [];
  let linksChecked = 0;
  for (const page of pages) {
    const html = readFileSync(page, 'utf8');
    const from = pageUrl(page, root, base);
    const pageName = path.relative(root, page);
    for (const match of html.matchAll(ATTRIBUTE)) {
      const raw = decodeEntities(match[1] ?? match[2] ?? '');
      if (raw === '' || EXTERNAL.test(raw)) continue;
      linksChecked += 1;
      const resolved = new URL(raw, `http://handbook.invalid${from}`);
      const hash = decodeURIComponent(resolved.hash.slice(1));
      if (!resolved.pathname.startsWith(base)) {
        broken.push({ page: pageName, link: raw, reason: `escapes the base path ${base}` });
        continue;
      }
      const file = targetFile(root, resolved.pathname.slice(base.length));
      if (!file) {
        broken.push({ page: pageName, link: raw, reason: 'no such page or file' });
        continue;
      }
      if (hash && file.endsWith('.html') && !idsOf(file).has(hash)) {
        broken.push({ page: pageName, link: raw, reason: `no element with id "${hash}"` });
      }
    }
  }
  return { pages: pages.length, linksChecked, broken };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { dir: { type: 'string', default: 'dist' }, base: { type: 'string', default: process.env['HANDBOOK_BASE'] ?? '/' } },
  });
  const report = checkLinks(values.dir, values.base);
  for (const { page, link, reason } of report.broken) console.error(`BROKEN ${page}: ${link} (${reason})`);
  console.log(`link check: ${report.pages} pages, ${report.linksChecked} internal links, ${report.broken.length} broken`);
  if (report.pages === 0) {
    console.error(`No HTML pages found in ${values.dir}; build the site first.`);
    process.exitCode = 1;
  }
  if (report.broken.length > 0) process.exitCode = 1;
}
