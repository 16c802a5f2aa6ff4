/**
 * Regenerates the offline service worker over an existing build (normally the `serviceWorker()` integration in
 * src/integrations/service-worker.ts does this at the end of every `astro build`).
 * Usage: node scripts/build-sw.ts [dist-dir]
 */
import path from 'node:path';
import { buildServiceWorker } from '../src/integrations/service-worker.ts';

const distDir = path.resolve(process.argv[2] ?? 'dist');
const report = await buildServiceWorker(distDir);
for (const warning of report.warnings) console.warn(warning);
console.log(
  `${path.join(distDir, 'sw.js')}: precaches ${report.precachedFiles} files (${(report.precachedBytes / 1024).toFixed(0)} KB, ` +
    `${(report.precachedGzipBytes / 1024).toFixed(0)} KB gzip); ${report.deferredFiles} files over the offline budget are cached once read.`,
);
