/**
 * Generates the offline service worker for a built handbook with Workbox's `generateSW`: it precaches every
 * page, the assets and the Pagefind search index, so that after one visit the whole handbook, search
 * included, opens with no network. Each file's precache entry carries a content hash, so a new deployment
 * installs a new worker that takes over at once (`skipWaiting` + `clientsClaim`) and deletes the old caches.
 *
 * Runs after every `astro build` as the `serviceWorker()` integration (astro.config.mjs), so any build
 * (including project copies and other `--outDir`s) ships a worker matching `public/sw-register.js`.
 * By hand, over an existing build: `node scripts/build-sw.ts [dist-dir]`.
 */
import { generateSW } from 'workbox-build';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AstroIntegration } from 'astro';

/** Everything a reader may need offline; Pagefind's index files have their own extensions. */
const PRECACHED = '**/*.{html,css,js,mjs,json,svg,png,jpg,webp,ico,woff2,wasm,pf_meta,pf_index,pf_fragment,pagefind,txt}';

export interface ServiceWorkerReport {
  precachedFiles: number;
  precachedBytes: number;
  warnings: string[];
}

/** Writes `sw.js` (and Workbox's runtime file) into `distDir`. Precache URLs are relative to the worker, so a base path needs no option. */
export async function buildServiceWorker(distDir: string): Promise<ServiceWorkerReport> {
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
    // Pagefind fetches `pagefind-entry.json?ts=<time>` to bust HTTP caches; the precached copy is the same file.
    ignoreURLParametersMatching: [/^utm_/, /^fbclid$/, /^ts$/],
    // Pagefind's WebAssembly and the larger index chunks exceed Workbox's 2 MB default on big sites.
    maximumFileSizeToCacheInBytes: 10 * 1024 * 1024,
  });
  return { precachedFiles: count, precachedBytes: size, warnings };
}

/** Astro integration: generate the worker once the build, Pagefind's index and the sitemap are written. */
export function serviceWorker(): AstroIntegration {
  return {
    name: 'handbook-service-worker',
    hooks: {
      'astro:build:done': async ({ dir, logger }) => {
        const report = await buildServiceWorker(fileURLToPath(dir));
        for (const warning of report.warnings) logger.warn(warning);
        logger.info(`sw.js precaches ${report.precachedFiles} files (${(report.precachedBytes / 1024).toFixed(0)} KB).`);
      },
    },
  };
}
