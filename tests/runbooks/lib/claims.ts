/**
 * "A page claims only versions a test ran." A runbook's frontmatter claims `verified: { etcd: [minors], scenarios: [...] }`;
 * the pages show those minors with their patch releases from lab/versions.json. The proof is not test source text
 * (a skipped or commented-out test would match it) but the runbooks stage's own vitest JSON report: a scenario test
 * that checked a scenario's outcome on one etcd release records that in its task meta with `recordRun`, and the
 * report carries the meta of every test with its final status. `uncoveredClaims` then requires, for every claimed
 * (scenario, minor), a **passed** test that recorded (scenario, the minor's patch from lab/versions.json).
 *
 * Used by scripts/check-claims.ts, which scripts/run-tests.mjs runs right after the runbooks stage.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { claimedMinors, LAB_PRODUCTS, LAB_VERSIONS, type LabProduct, type LabVersions } from '../../../src/lib/content/verification.ts';

/** The task-meta key scenario tests write and the claim check reads. */
export const RAN_META_KEY = 'handbookRan';

export interface RanRecord {
  scenario: string;
  /** The etcd release the scenario ran on, as in lab/versions.json, e.g. `3.6.16`. */
  etcd?: string;
  /** The Kubernetes release a kubeadm-lab scenario ran on, as in lab/versions.json, e.g. `1.37.2`. */
  kubernetes?: string;
}

/**
 * Call inside the test that checks a scenario's outcome on one release, e.g.
 * `test('keys are back', ({ task }) => { ...assertions...; recordRun(task, { scenario: 'backup-restore', etcd: patch }); })`.
 * The record counts only if that test passes.
 */
export function recordRun(task: { meta: object }, ran: RanRecord): void {
  const meta = task.meta as Record<string, unknown>;
  const existing = Array.isArray(meta[RAN_META_KEY]) ? (meta[RAN_META_KEY] as RanRecord[]) : [];
  const record: RanRecord = { scenario: ran.scenario };
  if (ran.etcd !== undefined) record.etcd = ran.etcd;
  if (ran.kubernetes !== undefined) record.kubernetes = ran.kubernetes;
  meta[RAN_META_KEY] = [...existing, record];
}

/** The part of vitest's JSON report (`--reporter=json`) the check reads. */
export interface VitestJsonReport {
  testResults: Array<{
    name: string;
    assertionResults: Array<{ fullName: string; status: string; meta?: Record<string, unknown> }>;
  }>;
}

export interface RunbookClaim {
  file: string;
  scenarios: string[];
  etcdMinors: string[];
  /** Kubernetes minors (kubeadm-lab pages); absent or empty on etcd-only pages. */
  kubernetesMinors?: string[];
}

/** The `verified` claims of every runbook page in `dir` (pages without one are left out). */
export function readClaims(dir: string): RunbookClaim[] {
  const claims: RunbookClaim[] = [];
  for (const name of readdirSync(dir).filter((file) => file.endsWith('.mdx') && !file.startsWith('_'))) {
    const source = readFileSync(path.join(dir, name), 'utf8');
    const match = /^---\r?\n([\s\S]*?)\r?\n---/.exec(source);
    const frontmatter = (match ? parseYaml(match[1] ?? '') : undefined) as { verified?: { etcd?: unknown; kubernetes?: unknown; scenarios?: unknown } } | undefined;
    const verified = frontmatter?.verified;
    if (!verified) continue;
    const minors = (value: unknown): string[] => claimedMinors(typeof value === 'string' || Array.isArray(value) ? (value as string | string[]) : undefined);
    claims.push({
      file: path.join(path.basename(dir), name),
      scenarios: Array.isArray(verified.scenarios) ? verified.scenarios.map(String) : [],
      etcdMinors: minors(verified.etcd),
      kubernetesMinors: minors(verified.kubernetes),
    });
  }
  return claims;
}

export interface ClaimCoverage {
  file: string;
  scenario: string;
  product: LabProduct;
  minor: string;
  patch: string | undefined;
  /** Full names of the passed tests that recorded this (scenario, patch). */
  passedTests: string[];
}

/** Every claimed (page, scenario, minor) with the passed tests that recorded it. */
export function claimCoverage(claims: readonly RunbookClaim[], report: VitestJsonReport, lab: LabVersions = LAB_VERSIONS): ClaimCoverage[] {
  const passed: Array<{ name: string; ran: RanRecord }> = [];
  for (const file of report.testResults) {
    for (const result of file.assertionResults) {
      if (result.status !== 'passed') continue;
      const records = result.meta?.[RAN_META_KEY];
      if (!Array.isArray(records)) continue;
      for (const record of records as RanRecord[]) passed.push({ name: result.fullName, ran: record });
    }
  }
  const coverage: ClaimCoverage[] = [];
  for (const claim of claims) {
    for (const scenario of claim.scenarios) {
      for (const product of LAB_PRODUCTS) {
        for (const minor of product === 'etcd' ? claim.etcdMinors : (claim.kubernetesMinors ?? [])) {
          const patch = lab[product][minor];
          const passedTests = patch === undefined ? [] : passed.filter((each) => each.ran.scenario === scenario && each.ran[product] === patch).map((each) => each.name);
          coverage.push({ file: claim.file, scenario, product, minor, patch, passedTests });
        }
      }
    }
  }
  return coverage;
}

/** One line per claim that no passed test proves; empty when every claim is covered. */
export function uncoveredClaims(claims: readonly RunbookClaim[], report: VitestJsonReport, lab: LabVersions = LAB_VERSIONS): string[] {
  const problems: string[] = [];
  for (const claim of claims) {
    if (claim.etcdMinors.length === 0 && (claim.kubernetesMinors ?? []).length === 0) problems.push(`${claim.file}: verified: claims no etcd or Kubernetes minor`);
  }
  for (const each of claimCoverage(claims, report, lab)) {
    if (each.patch === undefined) {
      problems.push(`${each.file}: claims ${each.product} ${each.minor}, which lab/versions.json does not list, so no test runs it (it lists ${Object.keys(lab[each.product]).join(', ')})`);
    } else if (each.passedTests.length === 0) {
      problems.push(`${each.file}: claims scenario "${each.scenario}" on ${each.product} ${each.minor} (${each.patch}), but no passed test of the lab stages (runbooks, kubeadm) recorded running it (recordRun in tests/runbooks/lib/claims.ts)`);
    }
  }
  return problems;
}
