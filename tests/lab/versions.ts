/**
 * The etcd versions the lab runs, read from lab/versions.json (the one place versions are written), and where their
 * binaries are: ${HANDBOOK_LAB_CACHE:-~/.cache/handbook-lab}/etcd-<version>/{etcd,etcdctl,etcdutl}, the layout
 * `npm run lab:build` fills.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const VERSIONS_FILE = path.join(REPO_ROOT, 'lab', 'versions.json');

export interface EtcdRelease {
  /** `3.6`: what pages and frontmatter name. */
  minor: string;
  /** `3.6.16`: the patch lab/versions.json pins. */
  version: string;
  /** Folder holding etcd, etcdctl and etcdutl. */
  binDir: string;
}

export function labCacheDir(): string {
  const fromEnv = process.env['HANDBOOK_LAB_CACHE'];
  return fromEnv !== undefined && fromEnv.length > 0 ? path.resolve(fromEnv) : path.join(homedir(), '.cache', 'handbook-lab');
}

function readEtcdVersions(): Record<string, string> {
  const parsed: unknown = JSON.parse(readFileSync(VERSIONS_FILE, 'utf8'));
  const etcd = (parsed as { etcd?: unknown }).etcd;
  if (etcd === null || typeof etcd !== 'object') throw new Error(`${VERSIONS_FILE} has no "etcd" object`);
  const result: Record<string, string> = {};
  for (const [minor, version] of Object.entries(etcd)) {
    if (typeof version !== 'string' || !version.startsWith(`${minor}.`)) {
      throw new Error(`${VERSIONS_FILE}: etcd "${minor}" must be a patch version of ${minor}, not ${JSON.stringify(version)}`);
    }
    result[minor] = version;
  }
  return result;
}

/** Every etcd minor lab/versions.json lists, oldest first. */
export function etcdReleases(): EtcdRelease[] {
  return Object.entries(readEtcdVersions())
    .map(([minor, version]) => ({ minor, version, binDir: path.join(labCacheDir(), `etcd-${version}`) }))
    .sort((a, b) => compareVersions(a.version, b.version));
}

/** One release by minor (`3.6`) or exact patch (`3.6.16`). */
export function etcdRelease(minorOrVersion: string): EtcdRelease {
  const release = etcdReleases().find((candidate) => candidate.minor === minorOrVersion || candidate.version === minorOrVersion);
  if (!release) {
    throw new Error(`lab/versions.json lists etcd ${etcdReleases().map((r) => r.minor).join(', ')}; there is no ${minorOrVersion}`);
  }
  return release;
}

/**
 * The releases a test run covers: all of them, or those named in HANDBOOK_LAB_ETCD (comma-separated minors or
 * patches, e.g. `HANDBOOK_LAB_ETCD=3.6`). An unknown name fails rather than silently running nothing.
 */
export function selectedEtcdReleases(): EtcdRelease[] {
  const wanted = (process.env['HANDBOOK_LAB_ETCD'] ?? '').split(',').map((item) => item.trim()).filter(Boolean);
  if (wanted.length === 0) return etcdReleases();
  return wanted.map((name) => etcdRelease(name));
}

/** Throws, naming the command that builds them, when a release's binaries are not in the cache. */
export function assertBinaries(release: EtcdRelease): void {
  const missing = ['etcd', 'etcdctl', 'etcdutl'].filter((name) => !existsSync(path.join(release.binDir, name)));
  if (missing.length > 0) {
    throw new Error(`etcd ${release.version}: ${missing.join(', ')} missing in ${release.binDir}; run \`npm run lab:build\` first`);
  }
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i += 1) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}
