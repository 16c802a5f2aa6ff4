/**
 * What the kubeadm-lab suites share: one control plane is brought up per file (kubeadm.test.ts) and each runbook's
 * suite (tests/runbooks/kube/<scenario>.ts) runs on it in a fixed order, non-destructive pages first.
 */
import { createConnection } from 'node:net';
import path from 'node:path';
import { expect } from 'vitest';
import { labVersion } from '../../../lab/bin-path.mjs';
import { KUBEADM_ETCD_MINOR, KUBERNETES_MINOR, type KubeLab, LB_PORT, LB_VIP } from '../../lab/kube.ts';
import type { PageBlock, PageRunner } from '../../lab/kube-runbook.ts';
import { recordScenario } from '../lib/report.ts';

export interface KubeSuiteContext {
  /** The running lab; throws the bring-up's error when it failed, so every test of every suite fails with it. */
  lab(): KubeLab;
  /** One line of the report, prefixed with the lab's tag. */
  print(line: string): void;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** HAProxy's `show stat` through its admin socket: backend server name → { status, sessions total }. */
export async function haproxyStats(kubeLab: KubeLab): Promise<Record<string, { status: string; total: number }>> {
  const socket = path.join(kubeLab.lab.root, 'haproxy', 'admin.sock');
  const text = await new Promise<string>((resolve, reject) => {
    let data = '';
    const connection = createConnection(socket, () => connection.end('show stat\n'));
    connection.on('data', (chunk) => {
      data += chunk.toString();
    });
    connection.on('end', () => resolve(data));
    connection.on('error', reject);
  });
  const rows = text.split('\n').filter((line) => line.startsWith('apiservers,'));
  const stats: Record<string, { status: string; total: number }> = {};
  for (const row of rows) {
    const fields = row.split(',');
    // CSV columns (HAProxy management guide): 1 svname, 7 stot, 17 status.
    const name = fields[1] ?? '';
    if (name === 'BACKEND') continue;
    stats[name] = { status: fields[17] ?? '', total: Number(fields[7] ?? 0) };
  }
  return stats;
}


/**
 * A kubeadm-lab page's row in the runbook report printed at the end of the runbooks stage: which of its blocks ran
 * verbatim (`ranLines`, the MDX lines of the blocks the PageRunner ran) against the shell lines the page shows, and the
 * outcome lines. The version column names the Kubernetes release and the etcd release kubeadm runs with it.
 */
export function recordKubePage(run: { runbook: string; scenario: string; ranLines: number[]; outcomes: string[]; durationMs: number; failed: boolean }): void {
  recordScenario({
    runbook: run.runbook,
    scenario: run.scenario,
    etcdMinor: KUBEADM_ETCD_MINOR,
    etcdVersion: `k8s ${labVersion('kubernetes', KUBERNETES_MINOR)} + etcd ${labVersion('etcd', KUBEADM_ETCD_MINOR)}`,
    ranLines: [...new Set(run.ranLines)],
    outcomes: run.outcomes,
    durationMs: run.durationMs,
    failed: run.failed,
  });
}

/**
 * Objects a suite writes before the page's disruptive steps and compares afterwards: `count` ConfigMaps named
 * `<prefix>-000`… with a value each, in `namespace`, labelled `handbook-lab=<label>`.
 */
export interface CheckObjects {
  namespace: string;
  prefix: string;
  label: string;
  count: number;
  /** kubectl's --kubeconfig inside cp-1. */
  kubeconfig: string;
}

/** Writes the check ConfigMaps through cp-1 in one server-side apply: name → value. */
export async function createCheckConfigMaps(kubeLab: KubeLab, objects: CheckObjects, timeoutMs = 300_000): Promise<Map<string, string>> {
  const expected = new Map<string, string>();
  const documents = [`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${objects.namespace}`];
  for (let i = 0; i < objects.count; i += 1) {
    const name = `${objects.prefix}-${String(i).padStart(3, '0')}`;
    // Distinct values, so a ConfigMap restored from the wrong revision or mixed up with another shows as changed.
    const value = `value-${i}-${(i * 7919) % 10007}`;
    expected.set(name, value);
    documents.push(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: ${objects.namespace}\n  labels:\n    handbook-lab: ${objects.label}\ndata:\n  value: ${value}`);
  }
  const result = await kubeLab.lab.run(1, `kubectl --kubeconfig=${objects.kubeconfig} apply --server-side -f - >/dev/null`, { input: `${documents.join('\n---\n')}\n`, timeoutMs });
  if (result.code !== 0) throw new Error(`creating ConfigMaps: ${result.stderr}`);
  return expected;
}

/** The check ConfigMaps as cp-1 reads them now: name → value. */
export async function readCheckConfigMaps(kubeLab: KubeLab, objects: CheckObjects, timeoutMs = 120_000): Promise<Map<string, string>> {
  const result = await kubeLab.run(1, `kubectl --kubeconfig=${objects.kubeconfig} -n ${objects.namespace} get configmaps -l handbook-lab=${objects.label} -o jsonpath='{range .items[*]}{.metadata.name}={.data.value}{"\\n"}{end}'`, timeoutMs);
  if (result.code !== 0) throw new Error(`listing ConfigMaps: ${result.stderr}`);
  return new Map(result.stdout.trim().split('\n').filter(Boolean).map((line) => line.split('=') as [string, string]));
}

/** Names of expected ConfigMaps that are gone or hold another value. */
export function missingOrChanged(expected: ReadonlyMap<string, string>, found: ReadonlyMap<string, string>): string[] {
  return [...expected].filter(([name, value]) => found.get(name) !== value).map(([name]) => name);
}

/** Waits until the Node `name` is no longer Ready (its machine died): how long that took. */
export async function waitNodeNotReady(kubeLab: KubeLab, name: string, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const readiness = await kubeLab.nodeReadiness(1).catch(() => ({}) as Record<string, string>);
    if (readiness[name] !== undefined && readiness[name] !== 'True') return Date.now() - started;
    await sleep(2000);
  }
  throw new Error(`${name} still Ready ${timeoutMs} ms after its machine died`);
}

/**
 * A rebuild tab's blocks in page order (its setup block already ran in the runner's terminals). The join values the
 * healthy node prints (`export JOIN_TOKEN=…`) are pasted into cp-2's terminal as printed, as a person carrying the
 * line over SSH would. HANDBOOK_PRINT_BLOCK_OUTPUT=1 also prints what each block printed (for a page's "Expected").
 */
export async function runRebuildBlocks(runner: PageRunner, blocks: readonly PageBlock[], print: (line: string) => void): Promise<void> {
  for (const block of blocks) {
    if (block.kind === 'setup') continue;
    const run = await runner.runBlock(block);
    print(`  ran "${block.title}" (line ${block.line}) on cp-${block.node} in ${seconds(run.ms)}`);
    if (process.env['HANDBOOK_PRINT_BLOCK_OUTPUT'] === '1') print(run.output.trimEnd().split('\n').map((line) => `    | ${line}`).join('\n'));
    const exported = /^export JOIN_TOKEN=.*$/m.exec(run.output)?.[0];
    if (exported !== undefined) {
      await runner.runBlock({ title: 'pasted join values', line: block.line, node: 2, kind: 'run', code: exported });
      print(`  pasted the printed join values into cp-2's terminal`);
    }
  }
}

/**
 * The end of a rebuild's outcome check: the new cp-2 as HAProxy's backend (UP after its /readyz checks, and taking
 * requests) and every check ConfigMap written before the failure still there with its value.
 */
export async function checkRebuiltBehindHaproxy(kubeLab: KubeLab, expected: ReadonlyMap<string, string>, objects: CheckObjects, print: (line: string) => void): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await haproxyStats(kubeLab))['cp-2']?.status !== 'UP' && Date.now() < deadline) await sleep(1000);
  const before = await haproxyStats(kubeLab);
  expect(before['cp-2']?.status).toBe('UP');
  for (let i = 0; i < 9; i += 1) {
    const answer = await kubeLab.run(1, `curl -s --max-time 5 --cacert /etc/kubernetes/pki/ca.crt https://k8s-api.example.internal:${LB_PORT}/readyz`);
    expect(answer.stdout).toBe('ok');
  }
  const after = await haproxyStats(kubeLab);
  print(`HAProxy ${LB_VIP}:${LB_PORT}: ${Object.entries(after).map(([name, stat]) => `${name} ${stat.status} (${stat.total - (before[name]?.total ?? 0)} of 9 requests)`).join(', ')}`);
  expect((after['cp-2']?.total ?? 0) - (before['cp-2']?.total ?? 0)).toBeGreaterThan(0);
  const found = await readCheckConfigMaps(kubeLab, objects);
  const missing = missingOrChanged(expected, found);
  print(`ConfigMaps: ${expected.size} written before the failure, ${found.size} found after, ${missing.length} missing or changed`);
  expect(missing).toEqual([]);
  expect(found.size).toBe(expected.size);
}
