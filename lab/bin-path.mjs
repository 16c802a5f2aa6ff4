/**
 * Where the lab's binaries are: ${HANDBOOK_LAB_CACHE:-~/.cache/handbook-lab}/<name>-<version>/<binary>, with the
 * version taken from lab/versions.json (the one place versions are written). `npm run lab:build` fills the cache.
 *
 *   import { labBinary } from '../../lab/bin-path.mjs';
 *   const etcdctl = labBinary('etcd', '3.6', 'etcdctl');   // .../etcd-3.6.16/etcdctl
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const LAB_DIR = path.dirname(fileURLToPath(import.meta.url));

export function labCacheDir() {
  const fromEnv = process.env.HANDBOOK_LAB_CACHE;
  return fromEnv && fromEnv.length > 0 ? path.resolve(fromEnv) : path.join(homedir(), '.cache', 'handbook-lab');
}

export function readLabVersions() {
  return JSON.parse(readFileSync(path.join(LAB_DIR, 'versions.json'), 'utf8'));
}

/** The patch version lab/versions.json names for a minor, e.g. labVersion('etcd', '3.6') === '3.6.16'. */
export function labVersion(name, minor) {
  const version = readLabVersions()[name]?.[minor];
  if (typeof version !== 'string') {
    throw new Error(`lab/versions.json has no ${name} ${minor} (it lists ${Object.keys(readLabVersions()[name] ?? {}).join(', ') || 'none'})`);
  }
  return version;
}

export function labBinDir(name, minor) {
  return path.join(labCacheDir(), `${name}-${labVersion(name, minor)}`);
}

/** Path of one binary; throws, naming the command that builds it, when it is not there. */
export function labBinary(name, minor, binary) {
  const file = path.join(labBinDir(name, minor), binary);
  if (!existsSync(file)) {
    const flag = name === 'etcd' ? '' : ' -- --kubernetes';
    throw new Error(`${file} is missing: run \`npm run lab:build${flag}\` first`);
  }
  return file;
}
