/**
 * Versions on pages agree with lab/versions.json. The file's `supported` lists are the Kubernetes and etcd minors
 * the handbook supports today; every runbook's `appliesTo` must name exactly those (or say "any" for a tool the
 * procedure does not touch), its `verified` claim must be inside them, and no page may name an older
 * (end-of-life) version, or a range reaching past the newest supported one, unless the words "end of life" stand
 * next to it. The checker itself is run on bad examples first, so a checker that finds nothing fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
const CONTENT_DIR = path.join(REPO_ROOT, 'src/content');
const RUNBOOK_DIR = path.join(CONTENT_DIR, 'runbooks');

interface LabVersions {
  etcd: Record<string, string>;
  kubernetes: Record<string, string>;
  supported: { kubernetes: string[]; etcd: string[] };
}

const versions = JSON.parse(readFileSync(path.join(REPO_ROOT, 'lab/versions.json'), 'utf8')) as LabVersions;

type Product = 'kubernetes' | 'etcd';

/** `1.35` → [1, 35]. */
function minorParts(minor: string): [number, number] {
  const [major, minorNumber] = minor.split('.').map(Number);
  return [major ?? Number.NaN, minorNumber ?? Number.NaN];
}

/** Kubernetes minors are 1.x, etcd minors 3.x: the major tells which product a bare number names. */
function productOf(minor: string): Product | undefined {
  const [major] = minorParts(minor);
  if (major === 1) return 'kubernetes';
  if (major === 3) return 'etcd';
  return undefined;
}

/** Minors named in a version text: `1.35 – 1.37` expands to 1.35, 1.36, 1.37; `3.5.26+` counts as 3.5. */
export function minorsNamed(text: string): string[] {
  const found = new Set<string>();
  const rangePattern = /(?<![\d.])(\d+)\.(\d+)(?:\.\d+|\.x)?\s*(?:–|-|to)\s*(\d+)\.(\d+)(?![\d])/g;
  for (const match of text.matchAll(rangePattern)) {
    const [, fromMajor, fromMinor, toMajor, toMinor] = match;
    if (fromMajor !== toMajor) continue;
    for (let minor = Number(fromMinor); minor <= Number(toMinor); minor += 1) found.add(`${fromMajor}.${minor}`);
  }
  for (const match of text.matchAll(/(?<![\d.])(\d+)\.(\d+)(?=\.\d|\.x|\b)/g)) found.add(`${match[1]}.${match[2]}`);
  return [...found];
}

/**
 * An `appliesTo` value split at `;`: a clause that says "end of life" names EOL versions, which must all be older
 * than the oldest supported minor; every other clause names supported minors, and together they name all of them.
 */
export function checkAppliesTo(text: string, product: Product, supported: string[]): string[] {
  const problems: string[] = [];
  if (/^any\b/i.test(text.trim())) return problems;
  const oldest = minorParts(supported[0] ?? '0.0');
  const claimed = new Set<string>();
  for (const clause of text.split(';')) {
    const named = minorsNamed(clause).filter((minor) => productOf(minor) === product);
    if (/end[\s-]+of[\s-]+life/i.test(clause)) {
      for (const minor of named) {
        const [major, number] = minorParts(minor);
        if (supported.includes(minor) || major !== oldest[0] || number >= oldest[1]) {
          problems.push(`"${clause.trim()}" calls ${minor} end of life, but lab/versions.json supports it or it is newer`);
        }
      }
      continue;
    }
    for (const minor of named) claimed.add(minor);
  }
  for (const minor of claimed) {
    if (!supported.includes(minor)) problems.push(`names ${product} ${minor}, which lab/versions.json does not list as supported`);
  }
  for (const minor of supported) {
    if (!claimed.has(minor)) problems.push(`does not cover supported ${product} ${minor}`);
  }
  return problems;
}

/** Words that make a number name some other program's version, not Kubernetes' or etcd's. */
const OTHER_PRODUCT_BEFORE = /\b(nginx|HAProxy|keepalived|Debian|Go|containerd|Node|Python)\s+v?$/i;
/** How far "end of life" may stand from the version it qualifies, in characters either way. */
const EOL_WINDOW_CHARS = 160;

export interface VersionMention {
  line: number;
  text: string;
  problem: string;
}

/**
 * Every mention of an end-of-life Kubernetes (1.20–1.34) or etcd (3.0–3.4) version in a page's text without
 * "end of life" nearby, and every range that reaches past the newest supported minor. Link targets are ignored
 * (a cited URL may carry an old version in its path; the link text is still checked).
 */
export function findVersionProblems(source: string, supported: LabVersions['supported']): VersionMention[] {
  const text = source.replace(/\]\([^)\s]*\)/g, (link) => ']' + ' '.repeat(link.length - 1)).replace(/https?:\/\/\S+/g, (url) => ' '.repeat(url.length));
  const lineOf = (index: number) => text.slice(0, index).split('\n').length;
  const problems: VersionMention[] = [];
  const [, oldestKubernetes] = minorParts(supported.kubernetes[0] ?? '0.0');
  const [, oldestEtcd] = minorParts(supported.etcd[0] ?? '0.0');
  const mention = /(?<![\d.])(1\.(\d\d)|3\.(\d))(?:\.\d+)?(?![\w.]?\d)/g;
  for (const match of text.matchAll(mention)) {
    const index = match.index ?? 0;
    const kubernetesMinor = match[2] === undefined ? undefined : Number(match[2]);
    const etcdMinor = match[3] === undefined ? undefined : Number(match[3]);
    const endOfLife =
      (kubernetesMinor !== undefined && kubernetesMinor >= 20 && kubernetesMinor < oldestKubernetes) ||
      (etcdMinor !== undefined && etcdMinor < oldestEtcd);
    if (!endOfLife) continue;
    if (OTHER_PRODUCT_BEFORE.test(text.slice(Math.max(0, index - 20), index))) continue;
    const around = text.slice(Math.max(0, index - EOL_WINDOW_CHARS), index + match[0].length + EOL_WINDOW_CHARS);
    if (/end[\s-]+of[\s-]+life/i.test(around)) continue;
    problems.push({ line: lineOf(index), text: match[0], problem: 'an end-of-life version without "end of life" next to it' });
  }
  const newest = {
    kubernetes: minorParts(supported.kubernetes.at(-1) ?? '0.0')[1],
    etcd: minorParts(supported.etcd.at(-1) ?? '0.0')[1],
  };
  for (const match of text.matchAll(/(?<![\d.])(1|3)\.(\d+)\s*(?:–|-|to)\s*(1|3)\.(\d+)(?![\d.]\d)/g)) {
    const [whole, fromMajor, , toMajor, toMinor] = match;
    if (fromMajor !== toMajor) continue;
    const product: Product = fromMajor === '1' ? 'kubernetes' : 'etcd';
    if (Number(toMinor) > newest[product]) {
      problems.push({ line: lineOf(match.index ?? 0), text: whole, problem: `a ${product} range past the newest supported minor` });
    }
  }
  return problems;
}

function frontmatterOf(source: string): Record<string, unknown> {
  const match = /^---\n([\s\S]*?)\n---\n/.exec(source);
  if (!match?.[1]) throw new Error('no frontmatter');
  return parseYaml(match[1]) as Record<string, unknown>;
}

function mdxFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return mdxFiles(full);
    return entry.name.endsWith('.mdx') || entry.name.endsWith('.md') ? [full] : [];
  });
}

const runbooks = readdirSync(RUNBOOK_DIR)
  .filter((name) => name.endsWith('.mdx'))
  .map((name) => ({ name, source: readFileSync(path.join(RUNBOOK_DIR, name), 'utf8') }));

describe('the checker finds what it is meant to find', () => {
  const supported = { kubernetes: ['1.35', '1.36', '1.37'], etcd: ['3.5', '3.6', '3.7'] };

  it('reads ranges, lists and patch versions as minors', () => {
    expect(minorsNamed('1.35 – 1.37 (kubeadm)').sort()).toEqual(['1.35', '1.36', '1.37']);
    expect(minorsNamed('3.5.26+ → 3.6.x, 3.6.11+ → 3.7.x').sort()).toEqual(['3.5', '3.6', '3.7']);
  });

  it('flags an old range, a missing minor and a supported minor called end of life', () => {
    expect(checkAppliesTo('1.29 – 1.35 (kubeadm)', 'kubernetes', supported.kubernetes)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('1.29'),
        expect.stringContaining('does not cover supported kubernetes 1.36'),
      ]),
    );
    expect(checkAppliesTo('3.5.x and 3.6.x servers', 'etcd', supported.etcd)).toEqual(['does not cover supported etcd 3.7']);
    expect(checkAppliesTo('3.6.x, 3.7.x; not 3.5, which is end of life', 'etcd', supported.etcd)).toEqual(
      expect.arrayContaining([expect.stringContaining('calls 3.5 end of life')]),
    );
    expect(checkAppliesTo('3.5.x, 3.6.x and 3.7.x; not 3.4, which is end of life', 'etcd', supported.etcd)).toEqual([]);
    expect(checkAppliesTo('any (not changed by this procedure)', 'etcd', supported.etcd)).toEqual([]);
  });

  it('flags end-of-life versions in prose unless "end of life" stands next to them', () => {
    expect(findVersionProblems('Commands were written for kubeadm 1.29 – 1.35.', supported).map((p) => p.text)).toEqual(['1.29']);
    expect(findVersionProblems('export K8S_VERSION=1.33.4', supported).map((p) => p.text)).toEqual(['1.33.4']);
    expect(findVersionProblems('Install an etcdctl of version 3.4 or newer.', supported).map((p) => p.text)).toEqual(['3.4']);
    expect(findVersionProblems('etcd 3.4 is end of life and not covered.', supported)).toEqual([]);
    expect(findVersionProblems('checked with nginx 1.22.1 and HAProxy 2.6', supported)).toEqual([]);
    expect(findVersionProblems('> (3.00 * 0.01000) and a factor of 1.2·RP', supported)).toEqual([]);
    expect(findVersionProblems('[docs](https://etcd.io/docs/v3.4/op-guide/)', supported)).toEqual([]);
    expect(findVersionProblems('kubeadm 1.35 – 1.38', supported).map((p) => p.problem)).toEqual([
      'a kubernetes range past the newest supported minor',
    ]);
  });
});

describe('lab/versions.json', () => {
  it('lists supported minors oldest first, and the lab runs only supported ones', () => {
    for (const product of ['kubernetes', 'etcd'] as const) {
      const list = versions.supported[product];
      expect(list.length, product).toBeGreaterThan(0);
      const sorted = [...list].sort((a, b) => minorParts(a)[1] - minorParts(b)[1]);
      expect(list, `${product} supported minors in order`).toEqual(sorted);
      for (const minor of Object.keys(versions[product])) {
        expect(list, `lab ${product} ${minor} is a supported minor`).toContain(minor);
      }
    }
  });
});

describe.each(runbooks)('runbook $name', ({ name, source }) => {
  const frontmatter = frontmatterOf(source);
  const appliesTo = frontmatter.appliesTo as { kubernetes: string; etcd: string };
  const verified = frontmatter.verified as { etcd?: string[]; kubernetes?: string[] } | undefined;

  it('appliesTo names exactly the supported Kubernetes and etcd minors', () => {
    expect(checkAppliesTo(appliesTo.kubernetes, 'kubernetes', versions.supported.kubernetes), `${name} appliesTo.kubernetes`).toEqual([]);
    expect(checkAppliesTo(appliesTo.etcd, 'etcd', versions.supported.etcd), `${name} appliesTo.etcd`).toEqual([]);
  });

  it('claims verification only for minors it applies to and the lab runs', () => {
    for (const product of ['kubernetes', 'etcd'] as const) {
      for (const minor of verified?.[product] ?? []) {
        expect(versions.supported[product], `${name} verified.${product} ${minor} is supported`).toContain(minor);
        expect(Object.keys(versions[product]), `${name} verified.${product} ${minor} is in the lab`).toContain(minor);
      }
    }
  });
});

describe('every page names end-of-life versions only as such', () => {
  const pages = mdxFiles(CONTENT_DIR).map((file) => ({ name: path.relative(CONTENT_DIR, file), source: readFileSync(file, 'utf8') }));

  it.each(pages)('$name', ({ source }) => {
    const problems = findVersionProblems(source, versions.supported).map((p) => `line ${p.line}: ${p.text}: ${p.problem}`);
    expect(problems).toEqual([]);
  });
});
