import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

const ROOT = path.resolve(import.meta.dirname, '../../..');
// The site reads lab/versions.json (verification notes) and ec.config.mjs (Expressive Code options) at build time.
const COPIED = ['astro.config.mjs', 'ec.config.mjs', 'package.json', 'tsconfig.json', 'src', 'public', 'lab/versions.json'];

/**
 * A throw-away copy of the handbook sources for builds a test may break. It lives under the repository's
 * ignored `.cache/` so that Node finds the project's `node_modules` by walking up, without a symlink (Astro
 * resolves a linked `node_modules` to two different paths and fails).
 */
export function copyProject(): { dir: string; remove: () => void } {
  const parent = path.join(ROOT, '.cache', 'project-copies');
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(path.join(parent, 'copy-'));
  for (const entry of COPIED) cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The environment for a child build: this process's, minus what Vitest injects (`BASE_URL`, `MODE`, `DEV`,
 * `PROD`, `SSR`, `NODE_ENV=test`, `VITEST*`), which Vite in the child would otherwise take as its own.
 */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (['BASE_URL', 'MODE', 'DEV', 'PROD', 'SSR', 'NODE_ENV', 'TEST'].includes(key) || key.startsWith('VITEST')) continue;
    env[key] = value;
  }
  return { ...env, ASTRO_TELEMETRY_DISABLED: '1', ...extra };
}

/** Runs `astro build` in `dir` and returns its exit status and combined output. */
export function astroBuild(dir: string, env: Record<string, string> = {}, args: string[] = []): { status: number | null; output: string } {
  const result = spawnSync(path.join(ROOT, 'node_modules/.bin/astro'), ['build', ...args], {
    cwd: dir,
    env: childEnv(env),
    encoding: 'utf8',
  });
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}
