/**
 * The rebuild runbook (rebuild-control-plane-node.mdx) run end to end on the kubeadm lab: cp-2's machine dies and
 * the page's own blocks rebuild it; then a copy of the page without `--control-plane` must fail. Destructive for
 * cp-2 (it is rebuilt), so it runs last in kubeadm.test.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { labVersion } from '../../../lab/bin-path.mjs';
import { KUBEADM_ETCD_MINOR, KUBERNETES_MINOR, type KubeLab } from '../../lab/kube.ts';
import { BlockFailure, PageRunner, scenarioBlocks } from '../../lab/kube-runbook.ts';
import { REPO_ROOT } from '../../lab/versions.ts';
import { recordRun } from '../lib/claims.ts';
import { type CheckObjects, checkRebuiltBehindHaproxy, createCheckConfigMaps, type KubeSuiteContext, recordKubePage, runRebuildBlocks, seconds, waitNodeNotReady } from './shared.ts';

/** The page and the scenario its `verify="rebuild:…"` blocks belong to. */
export const REBUILD = { runbook: 'src/content/runbooks/rebuild-control-plane-node.mdx', scenario: 'rebuild' } as const;
const REBUILD_PAGE = path.join(REPO_ROOT, REBUILD.runbook);
/** Written before cp-2 fails, compared after the rebuild. */
const CHECK_OBJECTS: CheckObjects = { namespace: 'rebuild-check', prefix: 'before-failure', label: 'rebuild', count: 300, kubeconfig: '/etc/kubernetes/admin.conf' };

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
async function runRebuild(kubeLab: KubeLab, source: string, print: (line: string) => void, runner = new PageRunner(kubeLab, scenarioBlocks(source, REBUILD.scenario))): Promise<RebuildOutcome> {
  const blocks = scenarioBlocks(source, REBUILD.scenario);
  const failureStarted = Date.now();
  await kubeLab.wipeNode(2);
  await kubeLab.prepareRebuiltNode(2);
  const notReadyMs = await waitNodeNotReady(kubeLab, 'cp-2', 180_000);
  print(`cp-2 killed and wiped; Node NotReady after ${seconds(notReadyMs)}`);
  const failureMs = Date.now() - failureStarted;
  const pageStarted = Date.now();
  await runRebuildBlocks(runner, blocks, print);
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
  await checkRebuiltBehindHaproxy(kubeLab, expected, CHECK_OBJECTS, print);
}

export function rebuildSuite({ lab, print }: KubeSuiteContext): void {
  let expected = new Map<string, string>();

  test('rebuild-control-plane-node.mdx, stacked etcd: cp-2 dies and is rebuilt by the page; members, nodes, HAProxy and every ConfigMap check out', async ({ task }) => {
    const kubeLab = lab();
    const started = Date.now();
    const source = readFileSync(REBUILD_PAGE, 'utf8');
    const runner = new PageRunner(kubeLab, scenarioBlocks(source, REBUILD.scenario));
    // The outcome lines go to the runbook report too (printed at the end of the runbooks stage).
    const outcomes: string[] = [];
    const note = (line: string): void => {
      outcomes.push(line);
      print(line);
    };
    let failed = true;
    try {
      expected = await createCheckConfigMaps(kubeLab, CHECK_OBJECTS);
      print(`${expected.size} ConfigMaps written in ${seconds(Date.now() - started)}`);
      const outcome = await runRebuild(kubeLab, source, print, runner);
      print(`rebuild: failure detected in ${seconds(outcome.failureMs)}, page blocks ${seconds(outcome.pageMs)}`);
      const checkStarted = Date.now();
      await checkOutcome(kubeLab, expected, note);
      print(`outcome checked in ${seconds(Date.now() - checkStarted)}`);
      failed = false;
    } finally {
      recordKubePage({ runbook: REBUILD.runbook, scenario: REBUILD.scenario, ranLines: runner.runs.map((run) => run.line), outcomes, durationMs: Date.now() - started, failed });
    }
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
}
