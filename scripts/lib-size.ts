/**
 * Size of the calculation library as a browser ships it: `src/lib/calc/index.ts` bundled with esbuild (ESM,
 * minified, tree-shaken, browser platform), then gzipped at level 9. Also bundles each calculator's import set
 * alone, because a page ships only what it imports. Prints a table; exits 1 if the whole library exceeds the
 * budget.
 *
 * Usage: node scripts/lib-size.ts [--budget-kb 40]
 */
import { build } from 'esbuild';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

const root = path.resolve(import.meta.dirname, '..');
const libraryEntry = path.join(root, 'src/lib/calc/index.ts');

/**
 * The main functions behind each calculator page. A page that imports only these ships about this much; names
 * missing from the barrel make the build, and so this script, fail.
 */
const IMPORT_SETS: Record<string, string[]> = {
  'quorum': ['quorum', 'zoneLoss'],
  'availability': ['availability', 'availabilityBySize'],
  'topology': ['topology'],
  'leader-election': ['leaderElection', 'simulateLeaderElection'],
  'etcd-timing': ['etcdTiming'],
  'write-latency': ['writeLatency', 'writeLatencyBySize'],
};

interface Measured {
  name: string;
  rawBytes: number;
  gzipBytes: number;
}

async function bundleSize(name: string, source: string): Promise<Measured> {
  const result = await build({
    stdin: { contents: source, resolveDir: root, sourcefile: `${name}.ts`, loader: 'ts' },
    bundle: true,
    minify: true,
    treeShaking: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.contents ?? new Uint8Array();
  return { name, rawBytes: code.byteLength, gzipBytes: gzipSync(code, { level: 9 }).byteLength };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

const { values } = parseArgs({ options: { 'budget-kb': { type: 'string', default: '40' } } });
const budgetBytes = Number(values['budget-kb']) * 1024;

const measured: Measured[] = [await bundleSize('whole library', `export * from ${JSON.stringify(libraryEntry)};`)];
for (const [calculator, names] of Object.entries(IMPORT_SETS)) {
  measured.push(await bundleSize(`${calculator} calculator`, `export { ${names.join(', ')} } from ${JSON.stringify(libraryEntry)};`));
}

const width = Math.max(...measured.map((row) => row.name.length));
console.log(`${'bundle'.padEnd(width)}  ${'minified'.padStart(9)}  ${'gzip'.padStart(9)}`);
for (const row of measured) console.log(`${row.name.padEnd(width)}  ${kb(row.rawBytes).padStart(9)}  ${kb(row.gzipBytes).padStart(9)}`);

const whole = measured[0] as Measured;
const verdict = whole.gzipBytes <= budgetBytes ? 'within' : 'OVER';
console.log(`whole library ${kb(whole.gzipBytes)} gzip: ${verdict} the ${kb(budgetBytes)} budget`);
if (whole.gzipBytes > budgetBytes) process.exitCode = 1;
