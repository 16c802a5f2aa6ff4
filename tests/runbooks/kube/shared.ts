/**
 * What the kubeadm-lab suites share: one control plane is brought up per file (kubeadm.test.ts) and each runbook's
 * suite (tests/runbooks/kube/<scenario>.ts) runs on it in a fixed order, non-destructive pages first.
 */
import { createConnection } from 'node:net';
import path from 'node:path';
import { labVersion } from '../../../lab/bin-path.mjs';
import { KUBEADM_ETCD_MINOR, KUBERNETES_MINOR, type KubeLab } from '../../lab/kube.ts';
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
