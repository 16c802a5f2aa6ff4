/**
 * Generates the offline service worker for a built handbook with Workbox's `generateSW`. On the first visit it
 * precaches, in this order and within an offline budget of OFFLINE_BUDGET_GZIP_BYTES (what the visit downloads,
 * gzip-compressed as a server sends it): the site's shell (styles, scripts, home page), the Pagefind search
 * index, the alert pages and the print edition, the runbooks that alert pages link, then the other runbooks, the
 * calculators and the reference pages. A handbook of a few dozen pages fits whole; at hundreds of runbooks the
 * budget keeps the first visit reasonable and the last runbooks in the order are kept once opened instead
 * (runtime caching: network first, the cached copy when offline).
 *
 * Each file's precache entry carries a content hash, so a new deployment installs a new worker that takes over
 * at once (`skipWaiting` + `clientsClaim`) and deletes the old caches.
 *
 * Runs after every `astro build` as the `serviceWorker()` integration (astro.config.mjs), so any build
 * (including project copies and other `--outDir`s) ships a worker matching `public/sw-register.js`.
 * By hand, over an existing build: `node scripts/build-sw.ts [dist-dir]`.
 */
import { generateSW } from 'workbox-build';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { AstroIntegration } from 'astro';

/** Everything a reader may need offline; Pagefind's index files have their own extensions. */
const PRECACHED = '**/*.{html,css,js,mjs,json,svg,png,jpg,webp,ico,woff2,wasm,pf_meta,pf_index,pf_fragment,pagefind,txt}';

/** What a first visit may download for offline use, gzip-compressed: 8 MiB, below the 10 MB the README promises. */
export const OFFLINE_BUDGET_GZIP_BYTES = 8 * 1024 * 1024;

/** Runtime cache for pages outside the precache, kept once read. */
const PAGE_CACHE = 'handbook-pages';

export interface ServiceWorkerReport {
  precachedFiles: number;
  precachedBytes: number;
  precachedGzipBytes: number;
  /** Files left to runtime caching because the budget was spent. */
  deferredFiles: number;
  warnings: string[];
}

export interface PrecacheCandidate {
  url: string;
  gzipBytes: number;
  /** Lower goes first; see `precacheTier`. */
  tier: number;
}

/** Runbook slugs that the alert pages link to: the first runbooks an on-call engineer is sent to. */
export function runbooksLinkedFromAlerts(distDir: string): Set<string> {
  const linked = new Set<string>();
  const alertsDir = path.join(distDir, 'alerts');
  if (!existsSync(alertsDir)) return linked;
  for (const alert of readdirSync(alertsDir)) {
    const file = path.join(alertsDir, alert, 'index.html');
    if (!existsSync(file)) continue;
    for (const match of readFileSync(file, 'utf8').matchAll(/href="[^"]*\/runbooks\/([^/"#?]+)\//g)) linked.add(match[1] ?? '');
  }
  return linked;
}

/**
 * Precache order: 0 shell and home page, 1 search index, 2 alert pages and the print edition (and the alert
 * and runbook indexes), 3 runbooks an alert page links, 4 other runbooks, 5 everything else (calculators,
 * reference). Pagefind's fragments (a result's title and excerpt) belong to search: without them offline search
 * finds pages but cannot list them.
 */
export function precacheTier(url: string, alertRunbooks: ReadonlySet<string>): number {
  const [section, slug] = url.split('/');
  if (!url.includes('/') || section === '_astro') return 0;
  if (section === 'pagefind') return 1;
  if (section === 'alerts' || section === 'print' || url === 'runbooks/index.html') return 2;
  if (section === 'runbooks') return alertRunbooks.has(slug ?? '') ? 3 : 4;
  return 5;
}

/**
 * Chooses the precache: tiers in order, each tier's files by path, a file taken only while the running gzip
 * total stays within the budget. The shell and the search index are taken whatever the budget (offline reading
 * is useless without them); a warning says so if they alone exceed it.
 */
export function choosePrecache(candidates: readonly PrecacheCandidate[], budgetGzipBytes: number): { chosen: Set<string>; warnings: string[] } {
  const ordered = [...candidates].sort((a, b) => a.tier - b.tier || a.url.localeCompare(b.url));
  const chosen = new Set<string>();
  const warnings: string[] = [];
  let total = 0;
  for (const candidate of ordered) {
    const essential = candidate.tier <= 1;
    if (!essential && total + candidate.gzipBytes > budgetGzipBytes) continue;
    chosen.add(candidate.url);
    total += candidate.gzipBytes;
  }
  if (total > budgetGzipBytes) {
    warnings.push(`the site's shell and search index alone are ${(total / 1024).toFixed(0)} KB gzip, over the offline budget of ${(budgetGzipBytes / 1024).toFixed(0)} KB`);
  }
  return { chosen, warnings };
}

/** Writes `sw.js` (and Workbox's runtime file) into `distDir`. Precache URLs are relative to the worker, so a base path needs no option. */
export async function buildServiceWorker(distDir: string, budgetGzipBytes = OFFLINE_BUDGET_GZIP_BYTES): Promise<ServiceWorkerReport> {
  const alertRunbooks = runbooksLinkedFromAlerts(distDir);
  let precachedGzipBytes = 0;
  let deferredFiles = 0;
  const { count, size, warnings } = await generateSW({
    globDirectory: distDir,
    globPatterns: [PRECACHED],
    globIgnores: ['sw.js', 'workbox-*.js'],
    swDest: path.join(distDir, 'sw.js'),
    mode: 'production',
    sourcemap: false,
    skipWaiting: true,
    clientsClaim: true,
    cleanupOutdatedCaches: true,
    // `/runbooks/x/` is cached as `/runbooks/x/index.html`.
    directoryIndex: 'index.html',
    // Every file is static: a query string is read by the page's own script (a calculator's inputs, the print
    // edition's choice, Pagefind's `?ts=` cache buster), never by a server, so `/print/?section=alerts` is the
    // precached `/print/` and a shared calculator link opens offline.
    ignoreURLParametersMatching: [/.*/],
    // Pagefind's WebAssembly and the larger index chunks exceed Workbox's 2 MB default on big sites.
    maximumFileSizeToCacheInBytes: 10 * 1024 * 1024,
    manifestTransforms: [
      (entries) => {
        const gzipBytes = new Map(entries.map((entry) => [entry.url, gzipSync(readFileSync(path.join(distDir, decodeURI(entry.url)))).length]));
        const { chosen, warnings: budgetWarnings } = choosePrecache(
          entries.map((entry) => ({ url: entry.url, gzipBytes: gzipBytes.get(entry.url) ?? 0, tier: precacheTier(decodeURI(entry.url), alertRunbooks) })),
          budgetGzipBytes,
        );
        const manifest = entries.filter((entry) => chosen.has(entry.url));
        precachedGzipBytes = manifest.reduce((total, entry) => total + (gzipBytes.get(entry.url) ?? 0), 0);
        deferredFiles = entries.length - manifest.length;
        return { manifest, warnings: budgetWarnings };
      },
    ],
    runtimeCaching: [
      {
        // Pages outside the precache (and the pages the print edition fetches): the network when there is
        // one, else the copy kept from the last read.
        urlPattern: ({ request, url, sameOrigin }) => sameOrigin && request.method === 'GET' && (request.mode === 'navigate' || url.pathname.endsWith('/')),
        handler: 'NetworkFirst',
        options: { cacheName: PAGE_CACHE, networkTimeoutSeconds: 5, expiration: { maxEntries: 500 } },
      },
      {
        // Scripts and styles left out of the precache: they never change under the same name.
        urlPattern: ({ url, sameOrigin }) => sameOrigin && url.pathname.includes('/_astro/'),
        handler: 'CacheFirst',
        options: { cacheName: 'handbook-assets', expiration: { maxEntries: 500 } },
      },
    ],
  });
  return { precachedFiles: count, precachedBytes: size, precachedGzipBytes, deferredFiles, warnings };
}

/** Astro integration: generate the worker once the build, Pagefind's index and the sitemap are written. */
export function serviceWorker(): AstroIntegration {
  return {
    name: 'handbook-service-worker',
    hooks: {
      'astro:build:done': async ({ dir, logger }) => {
        const report = await buildServiceWorker(fileURLToPath(dir));
        for (const warning of report.warnings) logger.warn(warning);
        logger.info(
          `sw.js precaches ${report.precachedFiles} files (${(report.precachedBytes / 1024).toFixed(0)} KB, ${(report.precachedGzipBytes / 1024).toFixed(0)} KB gzip)` +
            (report.deferredFiles > 0 ? `; ${report.deferredFiles} files over the offline budget are cached once read.` : '.'),
        );
      },
    },
  };
}
