/**
 * A real kubeadm control plane on the lab (kube.ts) and the rebuild runbook run end to end on it.
 *
 * Needs the Kubernetes binaries (`npm run lab:build -- --kubernetes`): without them every test here FAILS with that
 * instruction; nothing is skipped. One lab serves the whole file (bring-up costs minutes on two cores).
 */
import { readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { KUBEADM_ETCD_MINOR, KUBERNETES_MINOR, KubeLab, LAB_IGNORED_PREFLIGHT_CHECKS, LB_VIP, LB_PORT } from '../lab/kube.ts';
import { recordRun } from './lib/claims.ts';
import { BlockFailure, PageRunner, scenarioBlocks, type PageBlock } from '../lab/kube-runbook.ts';
import { labVersion } from '../../lab/bin-path.mjs';
import { REPO_ROOT } from '../lab/versions.ts';

/** The page and the scenario its `verify="rebuild:…"` blocks belong to. */
const REBUILD = { runbook: 'src/content/runbooks/rebuild-control-plane-node.mdx', scenario: 'rebuild' } as const;
const REBUILD_PAGE = path.join(REPO_ROOT, REBUILD.runbook);
const CONFIGMAP_COUNT = 300;
const CHECK_NAMESPACE = 'rebuild-check';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

let kube: KubeLab | undefined;
let startError: unknown;

function lab(): KubeLab {
  if (kube === undefined) throw startError instanceof Error ? startError : new Error(String(startError));
  return kube;
}

/** HAProxy's `show stat` through its admin socket: backend server name → { status, sessions total }. */
async function haproxyStats(kubeLab: KubeLab): Promise<Record<string, { status: string; total: number }>> {
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

/** Every ConfigMap of the check namespace: name → its data value. */
async function configMaps(kubeLab: KubeLab): Promise<Map<string, string>> {
  const result = await kubeLab.kubectl(1, `-n ${CHECK_NAMESPACE} get configmaps -l handbook-lab=rebuild -o jsonpath='{range .items[*]}{.metadata.name}={.data.value}{"\\n"}{end}'`, 120_000);
  if (result.code !== 0) throw new Error(`listing ConfigMaps: ${result.stderr}`);
  return new Map(result.stdout.trim().split('\n').filter(Boolean).map((line) => line.split('=') as [string, string]));
}

async function createConfigMaps(kubeLab: KubeLab): Promise<Map<string, string>> {
  const expected = new Map<string, string>();
  const documents = [`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${CHECK_NAMESPACE}`];
  for (let i = 0; i < CONFIGMAP_COUNT; i += 1) {
    const name = `before-failure-${String(i).padStart(3, '0')}`;
    const value = `value-${i}-${(i * 7919) % 10007}`;
    expected.set(name, value);
    documents.push(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: ${CHECK_NAMESPACE}\n  labels:\n    handbook-lab: rebuild\ndata:\n  value: ${value}`);
  }
  const result = await kubeLab.lab.run(1, 'kubectl --kubeconfig=/etc/kubernetes/admin.conf apply --server-side -f - >/dev/null', { input: `${documents.join('\n---\n')}\n`, timeoutMs: 300_000 });
  if (result.code !== 0) throw new Error(`creating ConfigMaps: ${result.stderr}`);
  return expected;
}

async function waitNodeNotReady(kubeLab: KubeLab, name: string, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const readiness = await kubeLab.nodeReadiness(1).catch(() => ({}) as Record<string, string>);
    if (readiness[name] !== undefined && readiness[name] !== 'True') return Date.now() - started;
    await sleep(2000);
  }
  throw new Error(`${name} still Ready ${timeoutMs} ms after its machine died`);
}

interface RebuildOutcome {
  runner: PageRunner;
  failureMs: number;
  pageMs: number;
}

/**
 * The failure (cp-2's machine dies: processes killed, its disks wiped; the node is booted fresh with the packages
 * installed), then the page's own blocks. The join values the healthy node prints (`export JOIN_TOKEN=…`) are pasted
 * into the new node's terminal as printed, as a person carrying the line over SSH would.
 */
async function runRebuild(kubeLab: KubeLab, source: string, print: (line: string) => void): Promise<RebuildOutcome> {
  const blocks = scenarioBlocks(source, REBUILD.scenario);
  const runner = new PageRunner(kubeLab, blocks);
  const failureStarted = Date.now();
  await kubeLab.wipeNode(2);
  await kubeLab.prepareRebuiltNode(2);
  const notReadyMs = await waitNodeNotReady(kubeLab, 'cp-2', 180_000);
  print(`cp-2 killed and wiped; Node NotReady after ${seconds(notReadyMs)}`);
  const failureMs = Date.now() - failureStarted;
  const pageStarted = Date.now();
  for (const block of blocks) {
    if (block.kind === 'setup') continue;
    const run = await runner.runBlock(block);
    print(`  ran "${block.title}" (line ${block.line}) on cp-${block.node} in ${seconds(run.ms)}`);
    const exported = /^export JOIN_TOKEN=.*$/m.exec(run.output)?.[0];
    if (exported !== undefined) {
      const paste: PageBlock = { title: 'pasted join values', line: block.line, node: 2, kind: 'run', code: exported };
      await runner.runBlock(paste);
      print(`  pasted the printed join values into cp-2's terminal`);
    }
  }
  return { runner, failureMs, pageMs: Date.now() - pageStarted };
}

async function checkOutcome(kubeLab: KubeLab, expected: Map<string, string>, print: (line: string) => void): Promise<void> {
  const members = await kubeLab.etcdMembers(1);
  print(`etcd members: ${members.map((member) => `${member.name}${member.isLearner ? ' (learner)' : ''} ${member.peerURLs.join(' ')}`).join('; ')}`);
  expect(members.map((member) => member.name).sort()).toEqual(['cp-1', 'cp-2', 'cp-3']);
  expect(members.filter((member) => member.isLearner)).toEqual([]);
  await kubeLab.waitNodesReady([1, 2, 3], 120_000);
  const readiness = await kubeLab.nodeReadiness(1);
  print(`nodes: ${Object.entries(readiness).map(([name, ready]) => `${name} Ready=${ready}`).join(', ')}`);
  expect(readiness).toEqual({ 'cp-1': 'True', 'cp-2': 'True', 'cp-3': 'True' });
  // The new API server, directly and as HAProxy's backend: UP after its /readyz checks, and taking requests.
  expect((await kubeLab.run(1, 'curl -s --max-time 5 --cacert /etc/kubernetes/pki/ca.crt https://10.0.0.12:6443/readyz')).stdout).toBe('ok');
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
  const found = await configMaps(kubeLab);
  const missing = [...expected].filter(([name, value]) => found.get(name) !== value).map(([name]) => name);
  print(`ConfigMaps: ${expected.size} written before the failure, ${found.size} found after, ${missing.length} missing or changed`);
  expect(missing).toEqual([]);
  expect(found.size).toBe(expected.size);
}

describe('kubeadm control plane in the lab: Kubernetes 1.37, stacked etcd 3.7, HAProxy', () => {
  const print = (line: string) => console.log(`[kube lab] ${line}`);
  let expected = new Map<string, string>();

  beforeAll(async () => {
    try {
      kube = await KubeLab.start({ log: print });
      const t = kube.timings;
      print(`bring-up ${seconds(t.totalMs)}: lab ${seconds(t.labMs)}, kubeadm init ${seconds(t.initMs)}, joins ${t.joinMs.map(seconds).join(' + ')}, all Ready ${seconds(t.readyMs)} (waited ${seconds(kube.lab.timings.waitMs)} for another lab)`);
    } catch (error) {
      startError = error;
    }
  }, 1_800_000);

  afterAll(async () => {
    if (kube === undefined) return;
    const started = Date.now();
    await kube.close();
    print(`teardown ${seconds(Date.now() - started)}`);
  }, 120_000);

  test('kubeadm init and two control-plane joins: three voting etcd members, three Ready nodes, mirror pods, the API through HAProxy', async () => {
    const kubeLab = lab();
    const members = await kubeLab.etcdMembers(1);
    print(`etcd members: ${members.map((member) => member.name).join(', ')}`);
    expect(members.map((member) => member.name).sort()).toEqual(['cp-1', 'cp-2', 'cp-3']);
    expect(members.some((member) => member.isLearner)).toBe(false);
    expect(await kubeLab.nodeReadiness(1)).toEqual({ 'cp-1': 'True', 'cp-2': 'True', 'cp-3': 'True' });
    const pods = await kubeLab.kubectl(1, `-n kube-system get pods -l component=etcd -o jsonpath='{range .items[*]}{.metadata.name} {.metadata.annotations.kubeadm\\.kubernetes\\.io/etcd\\.advertise-client-urls}{"\\n"}{end}'`);
    print(`etcd mirror pods:\n${pods.stdout.trim()}`);
    expect(pods.stdout.trim().split('\n').sort()).toEqual(['etcd-cp-1 https://10.0.0.11:2379', 'etcd-cp-2 https://10.0.0.12:2379', 'etcd-cp-3 https://10.0.0.13:2379']);
    const version = await kubeLab.run(2, `curl -s --cacert /etc/kubernetes/pki/ca.crt https://k8s-api.example.internal:${LB_PORT}/version`);
    expect(JSON.parse(version.stdout).gitVersion).toBe(kubeLab.version);
  }, 120_000);

  test('preflight: the checks the lab downgrades are exactly the ones that fail without a runtime, kubelet and systemd', async () => {
    const kubeLab = lab();
    print(`preflight errors on a fresh node (kubeadm init phase preflight, nothing ignored): ${kubeLab.preflightErrors.join(', ')}`);
    expect([...kubeLab.preflightErrors].sort()).toEqual([...LAB_IGNORED_PREFLIGHT_CHECKS].sort());
  });

  test('rebuild-control-plane-node.mdx, stacked etcd: cp-2 dies and is rebuilt by the page; members, nodes, HAProxy and every ConfigMap check out', async ({ task }) => {
    const kubeLab = lab();
    const writeStarted = Date.now();
    expected = await createConfigMaps(kubeLab);
    print(`${expected.size} ConfigMaps written in ${seconds(Date.now() - writeStarted)}`);
    const outcome = await runRebuild(kubeLab, readFileSync(REBUILD_PAGE, 'utf8'), print);
    print(`rebuild: failure detected in ${seconds(outcome.failureMs)}, page blocks ${seconds(outcome.pageMs)}`);
    const checkStarted = Date.now();
    await checkOutcome(kubeLab, expected, print);
    print(`outcome checked in ${seconds(Date.now() - checkStarted)}`);
    // The page claims what this test ran: the Kubernetes release and the etcd release kubeadm's lab runs with it.
    recordRun(task, { scenario: REBUILD.scenario, kubernetes: labVersion('kubernetes', KUBERNETES_MINOR), etcd: labVersion('etcd', KUBEADM_ETCD_MINOR) });
  }, 1_500_000);

  test('a copy of the page whose join line lacks --control-plane fails the run', async () => {
    const kubeLab = lab();
    const source = readFileSync(REBUILD_PAGE, 'utf8');
    const joinBlock = scenarioBlocks(source, REBUILD.scenario).find((block) => block.node === 2 && block.code.includes('kubeadm join'));
    expect(joinBlock?.code).toContain('--control-plane');
    // The page's lines are indented (the block sits in a list): drop the flag on the first line after the join
    // block's fence that carries it.
    const lines = source.split('\n');
    const flagLine = lines.findIndex((text, index) => index >= (joinBlock?.line ?? 0) && text.includes(' --control-plane'));
    lines[flagLine] = (lines[flagLine] ?? '').replace(/ --control-plane/, '');
    const broken = lines.join('\n');
    expect(broken).not.toBe(source);
    let failure: unknown;
    try {
      await runRebuild(kubeLab, broken, print);
      await checkOutcome(kubeLab, expected, print);
    } catch (error) {
      failure = error;
    }
    print(`broken copy: ${failure instanceof BlockFailure ? `block "${failure.block.title}" failed` : failure instanceof Error ? `check failed: ${failure.message.split('\n')[0]}` : 'PASSED (wrong)'}`);
    expect(failure).toBeDefined();
  }, 1_500_000);
});
