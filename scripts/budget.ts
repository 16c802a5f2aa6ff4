/**
 * Weight budgets for the built handbook, measured on the files a browser would fetch, gzip-compressed:
 * - any non-calculator page (runbooks, alerts, reference, home, print): at most 15 KB of JavaScript on load;
 * - a calculator page: at most 60 KB before its chart is visible (on load) and 150 KB in all;
 * - the HTML of any page: at most 60 KB, the print edition (/print/) included: it is a chooser listing the
 *   runbook and alert titles, and the binder is laid out in the browser from the pages themselves, so it no
 *   longer grows with the content of the handbook.
 * "On load" is every `<script>` in the page: inline ones plus each `<script type="module" src>` and the static
 * `import`/`export ... from` graph of the built chunks. "In all" adds everything reachable through dynamic
 * `import()` (the search UI, a chart library loaded when the chart scrolls into view).
 *
 * Usage: node scripts/budget.ts [--dir dist] [--base /handbook]
 * Prints one row per page and the largest figure per page type; exits 1 if any page is over budget.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

const KB = 1024;

export type PageType = 'runbook' | 'alert' | 'calculator' | 'reference' | 'print' | 'other';

export interface Budget {
  onLoadJsBytes: number;
  allJsBytes: number | undefined;
  htmlBytes: number;
}

export const BUDGETS: Record<PageType, Budget> = {
  runbook: { onLoadJsBytes: 15 * KB, allJsBytes: undefined, htmlBytes: 60 * KB },
  alert: { onLoadJsBytes: 15 * KB, allJsBytes: undefined, htmlBytes: 60 * KB },
  reference: { onLoadJsBytes: 15 * KB, allJsBytes: undefined, htmlBytes: 60 * KB },
  other: { onLoadJsBytes: 15 * KB, allJsBytes: undefined, htmlBytes: 60 * KB },
  print: { onLoadJsBytes: 15 * KB, allJsBytes: undefined, htmlBytes: 60 * KB },
  calculator: { onLoadJsBytes: 60 * KB, allJsBytes: 150 * KB, htmlBytes: 60 * KB },
};

export interface PageWeight {
  page: string;
  type: PageType;
  htmlGzipBytes: number;
  inlineJsGzipBytes: number;
  onLoadJsGzipBytes: number;
  allJsGzipBytes: number;
  onLoadFiles: string[];
  overBudget: string[];
}

const SCRIPT = /<script\b([^>]*)>([\s\S]*?)<\/script>/gi;
const SRC = /\ssrc=(?:"([^"]*)"|'([^']*)')/i;
const TYPE_MODULE = /\stype=(?:"module"|'module'|module)/i;
/** `import x from "./a.js"`, `import "./a.js"`, `export {x} from "./a.js"` in minified chunks (any quote, backticks too). */
const STATIC_IMPORT = /(?:^|[^\w$.])(?:import|export)\s*(?:[^"'`();]*?\bfrom\s*)?["'`]([^"'`]+\.m?js)["'`]/g;
const DYNAMIC_IMPORT = /\bimport\(\s*["'`]([^"'`]+\.m?js)["'`]\s*\)/g;

const gzipCache = new Map<string, number>();
function gzipSize(file: string): number {
  let size = gzipCache.get(file);
  if (size === undefined) {
    size = gzipSync(readFileSync(file)).length;
    gzipCache.set(file, size);
  }
  return size;
}

export function pageType(relativeHtml: string): PageType {
  const [section, slug] = relativeHtml.split('/');
  if (section === 'print' && slug === 'index.html') return 'print';
  if (slug === undefined || slug === 'index.html') return 'other';
  if (section === 'runbooks') return 'runbook';
  if (section === 'alerts') return 'alert';
  if (section === 'calculators') return 'calculator';
  if (section === 'reference') return 'reference';
  return 'other';
}

/** Maps a script URL (absolute under the base, or relative to the importing file's URL) to a file in `dir`. */
function resolveScript(dir: string, base: string, fromUrlPath: string, specifier: string): string | undefined {
  if (/^(?:[a-z]+:)?\/\//i.test(specifier)) return undefined;
  const urlPath = new URL(specifier, `http://site${fromUrlPath}`).pathname;
  if (!urlPath.startsWith(base)) return undefined;
  const file = path.join(dir, decodeURIComponent(urlPath.slice(base.length)));
  return existsSync(file) ? file : undefined;
}

function urlPathOf(dir: string, base: string, file: string): string {
  return `${base}${path.relative(dir, file).split(path.sep).join('/')}`;
}

/** Every file reachable from `entries`; with `followDynamic`, `import()` edges too. */
function moduleGraph(dir: string, base: string, entries: string[], followDynamic: boolean): Set<string> {
  const seen = new Set<string>();
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.pop();
    if (file === undefined || seen.has(file)) continue;
    seen.add(file);
    const code = readFileSync(file, 'utf8');
    const fromUrl = urlPathOf(dir, base, file);
    const patterns = followDynamic ? [STATIC_IMPORT, DYNAMIC_IMPORT] : [STATIC_IMPORT];
    for (const pattern of patterns) {
      for (const match of code.matchAll(pattern)) {
        const target = match[1] === undefined ? undefined : resolveScript(dir, base, fromUrl, match[1]);
        if (target && !seen.has(target)) queue.push(target);
      }
    }
  }
  return seen;
}

export function measurePage(dir: string, base: string, htmlFile: string): PageWeight {
  const relative = path.relative(dir, htmlFile).split(path.sep).join('/');
  const html = readFileSync(htmlFile, 'utf8');
  const pageUrlPath = urlPathOf(dir, base, htmlFile);
  const entries: string[] = [];
  let inlineJsGzipBytes = 0;
  for (const match of html.matchAll(SCRIPT)) {
    const attributes = match[1] ?? '';
    const body = match[2] ?? '';
    const src = SRC.exec(attributes);
    const srcValue = src?.[1] ?? src?.[2];
    if (srcValue !== undefined) {
      const file = resolveScript(dir, base, pageUrlPath, srcValue);
      if (file) entries.push(file);
      else throw new Error(`${relative}: script ${srcValue} is not in ${dir}`);
    } else if (body.trim() !== '' && !/\stype=(?:"application\/(?:ld\+)?json")/i.test(attributes)) {
      inlineJsGzipBytes += gzipSync(body).length;
      // An inline module may import chunks too.
      if (TYPE_MODULE.test(attributes)) {
        for (const imported of body.matchAll(STATIC_IMPORT)) {
          const file = imported[1] === undefined ? undefined : resolveScript(dir, base, pageUrlPath, imported[1]);
          if (file) entries.push(file);
        }
      }
    }
  }
  const onLoad = moduleGraph(dir, base, entries, false);
  const all = moduleGraph(dir, base, entries, true);
  const sum = (files: Set<string>) => [...files].reduce((total, file) => total + gzipSize(file), 0);
  const type = pageType(relative);
  const budget = BUDGETS[type];
  const weight: PageWeight = {
    page: pageUrlPath.replace(/index\.html$/, ''),
    type,
    htmlGzipBytes: gzipSync(html).length,
    inlineJsGzipBytes,
    onLoadJsGzipBytes: inlineJsGzipBytes + sum(onLoad),
    allJsGzipBytes: inlineJsGzipBytes + sum(all),
    onLoadFiles: [...onLoad].map((file) => path.relative(dir, file)),
    overBudget: [],
  };
  if (weight.htmlGzipBytes > budget.htmlBytes) weight.overBudget.push(`HTML ${kb(weight.htmlGzipBytes)} > ${kb(budget.htmlBytes)}`);
  if (weight.onLoadJsGzipBytes > budget.onLoadJsBytes)
    weight.overBudget.push(`JS on load ${kb(weight.onLoadJsGzipBytes)} > ${kb(budget.onLoadJsBytes)}`);
  if (budget.allJsBytes !== undefined && weight.allJsGzipBytes > budget.allJsBytes)
    weight.overBudget.push(`JS in all ${kb(weight.allJsGzipBytes)} > ${kb(budget.allJsBytes)}`);
  return weight;
}

export function measureSite(dir: string, base: string): PageWeight[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.html'))
    .sort()
    .map((file) => measurePage(dir, base, path.join(dir, file)));
}

function kb(bytes: number): string {
  return `${(bytes / KB).toFixed(1)} KB`;
}

function normaliseBase(base: string): string {
  return `/${base.replace(/^\/+|\/+$/g, '')}/`.replace('//', '/');
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const { values } = parseArgs({
    options: { dir: { type: 'string', default: 'dist' }, base: { type: 'string', default: process.env['HANDBOOK_BASE'] ?? '/' } },
  });
  const dir = path.resolve(values.dir);
  const base = normaliseBase(values.base);
  const weights = measureSite(dir, base);
  const rows = weights.map((w) => ({
    page: w.page,
    type: w.type,
    'html gz': kb(w.htmlGzipBytes),
    'js on load gz': kb(w.onLoadJsGzipBytes),
    'js in all gz': kb(w.allJsGzipBytes),
    result: w.overBudget.length === 0 ? 'ok' : `OVER: ${w.overBudget.join('; ')}`,
  }));
  console.table(rows);
  console.log('Largest per page type (gzip):');
  for (const type of Object.keys(BUDGETS) as PageType[]) {
    const ofType = weights.filter((w) => w.type === type);
    if (ofType.length === 0) continue;
    const max = (pick: (w: PageWeight) => number) => Math.max(...ofType.map(pick));
    const budget = BUDGETS[type];
    console.log(
      `  ${type.padEnd(10)} ${String(ofType.length).padStart(3)} pages  JS on load ${kb(max((w) => w.onLoadJsGzipBytes))} (budget ${kb(budget.onLoadJsBytes)})` +
        `  JS in all ${kb(max((w) => w.allJsGzipBytes))}${budget.allJsBytes === undefined ? '' : ` (budget ${kb(budget.allJsBytes)})`}` +
        `  HTML ${kb(max((w) => w.htmlGzipBytes))} (budget ${kb(budget.htmlBytes)})`,
    );
  }
  const over = weights.filter((w) => w.overBudget.length > 0);
  console.log(over.length === 0 ? `All ${weights.length} pages within budget.` : `${over.length} of ${weights.length} pages over budget.`);
  process.exitCode = over.length === 0 ? 0 : 1;
}
