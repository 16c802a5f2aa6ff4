/**
 * Build-scaling benchmark at the size of a real internal handbook: the handbook's pages plus N copies of the
 * etcd backup runbook (default 500), built twice in throw-away projects under `.cache/` (see
 * tests/content/helpers/project-copy.ts):
 *
 * - **ours**: a copy of this project (its config, integrations, print edition and service worker);
 * - **stock**: a plain Starlight project with the installed Starlight (same version, same Astro, same
 *   node_modules), Starlight's own `docsLoader()` and `docsSchema()` (extended with the handbook's frontmatter
 *   fields, which the pages' components read) and no other customisation, holding the very same MDX files
 *   (under `src/content/docs/`, imports re-pointed at the same components) and the same sidebar groups.
 *
 * It prints the build seconds of each (CPU time of the build and its child processes, the figure the limit
 * applies to, and the clock time) and their ratio, the largest page of our build, and what a first visit
 * downloads for offline use: the files in sw.js's precache manifest, their bytes, and their gzip bytes (gzip
 * level 6, as a web server sends them), measured from the built files rather than taken from the build's log.
 * The two builds run one after the other on the same machine; a busy machine stretches the clock times
 * unevenly, the CPU times much less.
 *
 * Usage: node scripts/bench-build.ts [copies] [--together | --ours-only]   (default: 500 copies, one build after
 * the other)
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { spawn } from 'node:child_process';
import { childEnv, copyProject } from '../tests/content/helpers/project-copy.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const TOGETHER = args.includes('--together');
/** Builds only the handbook (to try a change against a stock figure measured before); prints no ratio. */
const OURS_ONLY = args.includes('--ours-only');
const countArg = args.find((arg) => !arg.startsWith('--'));
const COPIES = Number(countArg ?? 500);
if (!Number.isInteger(COPIES) || COPIES < 1) throw new Error(`copies must be a positive whole number, got ${countArg}`);
const SOURCE_RUNBOOK = path.join(ROOT, 'src/content/runbooks/etcd-backup-restore.mdx');
/** The budget the issue sets for a first visit's offline download. */
const OFFLINE_LIMIT_GZIP_BYTES = 10 * 1000 * 1000;
const BUILD_RATIO_LIMIT = 1.2;

/** Copy `index` of the backup runbook: the same page, with its own title so pages and sidebar entries differ. */
function runbookCopy(source: string, index: number): string {
  const number = String(index).padStart(4, '0');
  return source.replace(/^title: (.*)$/m, (_line, title: string) => `title: ${title} (copy ${number})`);
}

function addCopies(runbookDir: string): void {
  const source = readFileSync(SOURCE_RUNBOOK, 'utf8');
  if (!/^title: /m.test(source)) throw new Error(`${SOURCE_RUNBOOK} has no title line`);
  for (let index = 1; index <= COPIES; index += 1) {
    writeFileSync(path.join(runbookDir, `bench-copy-${String(index).padStart(4, '0')}.mdx`), runbookCopy(source, index));
  }
}

/** Every file under `dir`, relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((file) => statSync(path.join(dir, file)).isFile());
}

/**
 * A stock Starlight project with the handbook's pages: `src/content/<section>/x.mdx` moves to
 * `src/content/docs/<section>/x.mdx`; imports that leave the content folder (components) are re-pointed so they
 * reach the same files; the components, libraries and schemas they use are copied alongside.
 */
function stockProject(): { dir: string; remove: () => void } {
  const parent = path.join(ROOT, '.cache', 'project-copies');
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(path.join(parent, 'stock-'));
  const ourSrc = path.join(ROOT, 'src');
  const ourContent = path.join(ourSrc, 'content');
  const stockSrc = path.join(dir, 'src');
  const stockDocs = path.join(stockSrc, 'content', 'docs');
  for (const entry of readdirSync(ourSrc)) {
    // Components, libraries, schemas, styles (and whatever they import); not our own pages or content config.
    // Integrations are copied only so imports resolve: the stock config registers none of them.
    if (['content', 'pages', 'content.config.ts'].includes(entry)) continue;
    cpSync(path.join(ourSrc, entry), path.join(stockSrc, entry), { recursive: true });
  }
  for (const file of filesUnder(ourContent)) {
    const from = path.join(ourContent, file);
    const to = path.join(stockDocs, file);
    mkdirSync(path.dirname(to), { recursive: true });
    let text = readFileSync(from, 'utf8');
    if (/\.mdx?$/.test(file)) {
      text = text.replace(/(from\s+['"])(\.\.?\/[^'"]+)(['"])/g, (whole, open: string, specifier: string, close: string) => {
        const target = path.resolve(path.dirname(from), specifier);
        if (target.startsWith(`${ourContent}${path.sep}`)) return whole;
        const moved = path.join(stockSrc, path.relative(ourSrc, target));
        let relative = path.relative(path.dirname(to), moved).split(path.sep).join('/');
        if (!relative.startsWith('.')) relative = `./${relative}`;
        return `${open}${relative}${close}`;
      });
    }
    writeFileSync(to, text);
  }
  writeFileSync(
    path.join(stockSrc, 'content.config.ts'),
    `import { defineCollection } from 'astro:content';
import { docsLoader } from '@astrojs/starlight/loaders';
import { docsSchema } from '@astrojs/starlight/schema';
import { HandbookFieldsSchema } from './schemas/handbook';

// The pages' own frontmatter fields, which their components read (Starlight's documented schema extension).
export const collections = { docs: defineCollection({ loader: docsLoader(), schema: docsSchema({ extend: HandbookFieldsSchema }) }) };
`,
  );
  writeFileSync(
    path.join(dir, 'astro.config.mjs'),
    `import { defineConfig } from 'astro/config';
import starlight from '@astrojs/starlight';

export default defineConfig({
  site: 'http://localhost:4321',
  trailingSlash: 'always',
  integrations: [
    starlight({
      title: 'Stock Starlight',
      sidebar: [
        { label: 'Start here', link: '/' },
        { label: 'Alerts', items: [{ autogenerate: { directory: 'alerts' } }] },
        { label: 'Runbooks', items: [{ autogenerate: { directory: 'runbooks' } }] },
        { label: 'Calculators', items: [{ autogenerate: { directory: 'calculators' } }] },
        { label: 'Reference', items: [{ autogenerate: { directory: 'reference' } }] },
      ],
    }),
  ],
});
`,
  );
  for (const file of ['package.json', 'tsconfig.json']) cpSync(path.join(ROOT, file), path.join(dir, file));
  if (existsSync(path.join(ROOT, 'public'))) cpSync(path.join(ROOT, 'public'), path.join(dir, 'public'), { recursive: true });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

interface Built {
  seconds: number;
  cpuSeconds: number;
  pages: number;
  largest: { page: string; bytes: number };
}

/** `times` (POSIX sh) prints the shell's and then its children's user and system time: `0m12.340000s 0m1.200000s`. */
function childCpuSeconds(timesOutput: string): number {
  const lines = timesOutput.trim().split('\n').slice(-2);
  const match = /(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s/.exec(lines[1] ?? '');
  if (!match) throw new Error(`cannot read the build's CPU time from: ${timesOutput.slice(-200)}`);
  const [, userMinutes, userSeconds, systemMinutes, systemSeconds] = match.map(Number) as [number, number, number, number, number];
  return userMinutes * 60 + userSeconds + systemMinutes * 60 + systemSeconds;
}

/**
 * Runs `astro build` in `dir`, timing it by the clock and by the CPU time of the build and every process it
 * starts (Pagefind included): on a machine shared with other work the CPU time is the steadier figure.
 */
async function timedBuild(name: string, dir: string): Promise<Built> {
  const started = performance.now();
  const child = spawn('sh', ['-c', '"$0" build; status=$?; times; exit $status', path.join(ROOT, 'node_modules/.bin/astro')], {
    cwd: dir,
    env: childEnv(),
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-20_000)));
  child.stderr.on('data', (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-20_000)));
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const seconds = (performance.now() - started) / 1000;
  if (status !== 0) {
    console.error(output.slice(-6000));
    throw new Error(`the ${name} build failed`);
  }
  const cpuSeconds = childCpuSeconds(output);
  const dist = path.join(dir, 'dist');
  const pages = filesUnder(dist).filter((file) => file.endsWith('.html'));
  const largest = pages
    .map((page) => ({ page, bytes: statSync(path.join(dist, page)).size }))
    .reduce((big, candidate) => (candidate.bytes > big.bytes ? candidate : big), { page: '', bytes: 0 });
  console.log(
    `${name}: ${pages.length} pages in ${seconds.toFixed(1)} s (${cpuSeconds.toFixed(1)} s of CPU); largest page ${largest.page} (${largest.bytes} bytes)`,
  );
  return { seconds, cpuSeconds, pages: pages.length, largest };
}

/** The first visit's offline download: every URL in sw.js's precache manifest, read from the built files. */
function offlineDownload(dist: string): {
  files: number;
  bytes: number;
  gzipBytes: number;
  runbooks: [number, number];
  alerts: [number, number];
  searchFiles: [number, number];
} {
  const worker = readFileSync(path.join(dist, 'sw.js'), 'utf8');
  const urls = [...new Set([...worker.matchAll(/url:"([^"]+)"/g)].map((match) => match[1] ?? ''))];
  if (urls.length === 0) throw new Error('sw.js lists no precached URL');
  let bytes = 0;
  let gzipBytes = 0;
  for (const url of urls) {
    const content = readFileSync(path.join(dist, decodeURI(url)));
    bytes += content.length;
    gzipBytes += gzipSync(content).length;
  }
  const all = filesUnder(dist);
  const count = (list: readonly string[], pattern: RegExp) => list.filter((file) => pattern.test(file)).length;
  const runbookPage = /^runbooks\/[^/]+\/index\.html$/;
  const alertPage = /^alerts\/[^/]+\/index\.html$/;
  const searchFile = /^pagefind\//;
  return {
    files: urls.length,
    bytes,
    gzipBytes,
    runbooks: [count(urls, runbookPage), count(all, runbookPage)],
    alerts: [count(urls, alertPage), count(all, alertPage)],
    searchFiles: [count(urls, searchFile), count(all, searchFile)],
  };
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;

const ours = copyProject();
const stock = stockProject();
try {
  addCopies(path.join(ours.dir, 'src/content/runbooks'));
  addCopies(path.join(stock.dir, 'src/content/docs/runbooks'));
  console.log(`Building the handbook and a stock Starlight project, each with ${COPIES} copies of the backup runbook added…`);
  // --together builds both at once: quicker on a machine shared with other work, and the CPU times stay
  // comparable; the clock times then mean little.
  const [oursBuilt, stockBuilt] = OURS_ONLY
    ? [await timedBuild('ours ', ours.dir), undefined]
    : TOGETHER
      ? await Promise.all([timedBuild('ours ', ours.dir), timedBuild('stock', stock.dir)])
      : [await timedBuild('ours ', ours.dir), await timedBuild('stock', stock.dir)];
  const offline = offlineDownload(path.join(ours.dir, 'dist'));
  if (!stockBuilt) {
    console.log(`Largest page: ${oursBuilt.largest.page}, ${oursBuilt.largest.bytes} bytes`);
    console.log(
      `Offline first-visit download: ${offline.files} files, ${offline.bytes} bytes (${mb(offline.bytes)}), ${offline.gzipBytes} bytes gzip (${mb(offline.gzipBytes)})`,
    );
    console.log(
      `  precached: ${offline.runbooks[0]} of ${offline.runbooks[1]} runbook pages, ${offline.alerts[0]} of ${offline.alerts[1]} alert pages, ${offline.searchFiles[0]} of ${offline.searchFiles[1]} search-index files`,
    );
  } else {
    const ratio = oursBuilt.cpuSeconds / stockBuilt.cpuSeconds;
    const wallRatio = oursBuilt.seconds / stockBuilt.seconds;
    console.log('');
    console.log(
      `Build time at ${COPIES} added runbooks: ours ${oursBuilt.cpuSeconds.toFixed(1)} s of CPU, stock Starlight ${stockBuilt.cpuSeconds.toFixed(1)} s, ratio ${ratio.toFixed(2)} (limit ${BUILD_RATIO_LIMIT})`,
    );
    console.log(
      `  by the clock: ours ${oursBuilt.seconds.toFixed(1)} s, stock ${stockBuilt.seconds.toFixed(1)} s, ratio ${wallRatio.toFixed(2)} (depends on what else the machine runs)`,
    );
    console.log(
      `Largest page: ${oursBuilt.largest.page}, ${oursBuilt.largest.bytes} bytes (stock Starlight's largest: ${stockBuilt.largest.page}, ${stockBuilt.largest.bytes} bytes)`,
    );
    console.log(
      `Offline first-visit download: ${offline.files} files, ${offline.bytes} bytes (${mb(offline.bytes)}), ${offline.gzipBytes} bytes gzip (${mb(offline.gzipBytes)}; limit ${mb(OFFLINE_LIMIT_GZIP_BYTES)})`,
    );
    console.log(
      `  precached: ${offline.runbooks[0]} of ${offline.runbooks[1]} runbook pages, ${offline.alerts[0]} of ${offline.alerts[1]} alert pages, ${offline.searchFiles[0]} of ${offline.searchFiles[1]} search-index files; the rest is cached once read`,
    );
    const over = [
      ratio > BUILD_RATIO_LIMIT ? `build ratio ${ratio.toFixed(2)} > ${BUILD_RATIO_LIMIT}` : '',
      offline.gzipBytes > OFFLINE_LIMIT_GZIP_BYTES ? `offline download ${mb(offline.gzipBytes)} gzip > ${mb(OFFLINE_LIMIT_GZIP_BYTES)}` : '',
    ].filter(Boolean);
    console.log(over.length === 0 ? 'Within both limits.' : `OVER LIMIT: ${over.join('; ')}`);
    if (over.length > 0) process.exitCode = 1;
  }
} finally {
  if (!process.env['BENCH_KEEP']) {
    ours.remove();
    stock.remove();
  } else console.log(`kept: ${ours.dir} ${stock.dir}`);
}
