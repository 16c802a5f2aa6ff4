/**
 * The rebuild runbook's External etcd tab (rebuild-control-plane-node.mdx, `verify="rebuild-external:…"`) run end to
 * end on the kubeadm lab with external etcd (kubeadm-external.test.ts): cp-2's machine dies and the tab's own blocks
 * rebuild it; the external etcd cluster must come out untouched. Then copies of the page without the cluster's
 * configuration in `upload-certs` must fail, each where kubeadm says it does.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { labVersion } from '../../../lab/bin-path.mjs';
import { KUBEADM_ETCD_MINOR, KUBERNETES_MINOR, type KubeLab } from '../../lab/kube.ts';
import { BlockFailure, PageRunner, scenarioBlocks, type PageBlock } from '../../lab/kube-runbook.ts';
import { REPO_ROOT } from '../../lab/versions.ts';
import { recordRun } from '../lib/claims.ts';
import { type CheckObjects, checkRebuiltBehindHaproxy, createCheckConfigMaps, type KubeSuiteContext, recordKubePage, runRebuildBlocks, seconds, waitNodeNotReady } from './shared.ts';

export const REBUILD_EXTERNAL = { runbook: 'src/content/runbooks/rebuild-control-plane-node.mdx', scenario: 'rebuild-external' } as const;
const PAGE = path.join(REPO_ROOT, REBUILD_EXTERNAL.runbook);
const CHECK_OBJECTS: CheckObjects = { namespace: 'rebuild-external-check', prefix: 'before-failure', label: 'rebuild-external', count: 300, kubeconfig: '/etc/kubernetes/admin.conf' };
/** The upload line as the page has it; the broken copies change it. */
const UPLOAD_LINE = 'CERT_KEY=$(kubeadm init phase upload-certs --upload-certs --config "$UPLOAD_CONFIG" | tail -n 1)';
/** What kubeadm's DownloadCerts says when the Secret lacks an entry (cmd/kubeadm/app/phases/copycerts/copycerts.go). */
const MISSING_IN_SECRET = /the Secret does not include the required certificate or key - name: (external-etcd(?:-ca\.crt|\.crt|\.key))/;

type Member = Awaited<ReturnType<KubeLab['etcdMembers']>>[number];

/** cp-2's machine dies: SIGKILL to everything in it, its own folders emptied, booted fresh; waits until NotReady. */
async function killCp2(kubeLab: KubeLab, print: (line: string) => void): Promise<void> {
  const started = Date.now();
  await kubeLab.wipeNode(2);
  await kubeLab.prepareRebuiltNode(2);
  for (const process of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) expect(kubeLab.lab.runningPod(2, process)).toBeUndefined();
  const notReadyMs = await waitNodeNotReady(kubeLab, 'cp-2', 180_000);
  print(`cp-2 killed and wiped; Node NotReady after ${seconds(notReadyMs)} (failure step ${seconds(Date.now() - started)})`);
}

async function checkOutcome(kubeLab: KubeLab, membersBefore: Member[], expected: Map<string, string>, print: (line: string) => void): Promise<void> {
  const members = await kubeLab.etcdMembers('etcd-1');
  print(`external etcd members: ${members.map((member) => `${member.name} ${member.id}${member.isLearner ? ' (learner)' : ''}`).join(', ')} (before the failure: ${membersBefore.map((member) => `${member.name} ${member.id}`).join(', ')})`);
  expect(members.filter((member) => member.isLearner)).toEqual([]);
  expect(members.map((member) => `${member.id} ${member.name}`).sort()).toEqual(membersBefore.map((member) => `${member.id} ${member.name}`).sort());
  expect(members).toHaveLength(3);
  await kubeLab.waitNodesReady([1, 2, 3], 120_000);
  const readiness = await kubeLab.nodeReadiness(1);
  print(`nodes: ${Object.entries(readiness).map(([name, ready]) => `${name} Ready=${ready}`).join(', ')}`);
  expect(readiness).toEqual({ 'cp-1': 'True', 'cp-2': 'True', 'cp-3': 'True' });
  expect(kubeLab.lab.runningPod(2, 'etcd')).toBeUndefined();
  const etcdReady = await kubeLab.kubectl(2, `--server https://10.0.0.12:6443 get --raw /readyz/etcd`);
  print(`new cp-2 API server: /readyz/etcd ${JSON.stringify(etcdReady.stdout)}`);
  expect(etcdReady.stdout).toBe('ok');
  await checkRebuiltBehindHaproxy(kubeLab, expected, CHECK_OBJECTS, print);
}

/** Where the External etcd tab starts: the stacked tab's blocks carry the same lines and must stay as they are. */
const EXTERNAL_TAB = '<TabItem label="External etcd">';

/** The page with one edit inside the External etcd tab; throws unless the edit changed it. */
function editedPage(source: string, from: string, to: string): string {
  const tabStart = source.indexOf(EXTERNAL_TAB);
  expect(tabStart).toBeGreaterThan(0);
  const tab = source.slice(tabStart);
  expect(tab).toContain(from);
  const edited = source.slice(0, tabStart) + tab.replace(from, to);
  expect(edited).not.toBe(source);
  return edited;
}

/** Runs a copy's setup and upload blocks in a fresh terminal on cp-1: the failure, or undefined if it passed. */
async function runUploadOnly(kubeLab: KubeLab, source: string): Promise<BlockFailure | undefined> {
  const blocks = scenarioBlocks(source, REBUILD_EXTERNAL.scenario);
  const upload = blocks.find((block) => block.code.includes('kubeadm init phase upload-certs'));
  expect(upload).toBeDefined();
  const runner = new PageRunner(kubeLab, blocks);
  try {
    await runner.runBlock(upload as PageBlock);
  } catch (error) {
    if (error instanceof BlockFailure) return error;
    throw error;
  }
  return undefined;
}

export function rebuildExternalSuite({ lab, print }: KubeSuiteContext): void {
  test('rebuild-control-plane-node.mdx, External etcd tab: cp-2 dies and is rebuilt by the tab; external etcd untouched, nodes, HAProxy, /readyz/etcd and every ConfigMap check out', async ({ task }) => {
    const kubeLab = lab();
    const started = Date.now();
    const source = readFileSync(PAGE, 'utf8');
    const blocks = scenarioBlocks(source, REBUILD_EXTERNAL.scenario);
    const runner = new PageRunner(kubeLab, blocks);
    const outcomes: string[] = [];
    const note = (line: string): void => {
      outcomes.push(line);
      print(line);
    };
    let failed = true;
    try {
      const membersBefore = await kubeLab.etcdMembers('etcd-1');
      const expected = await createCheckConfigMaps(kubeLab, CHECK_OBJECTS);
      print(`${expected.size} ConfigMaps written in ${seconds(Date.now() - started)}`);
      await killCp2(kubeLab, print);
      const pageStarted = Date.now();
      await runRebuildBlocks(runner, blocks, print);
      print(`External etcd tab: ${runner.runs.length} blocks in ${seconds(Date.now() - pageStarted)}`);
      const checkStarted = Date.now();
      await checkOutcome(kubeLab, membersBefore, expected, note);
      print(`outcome checked in ${seconds(Date.now() - checkStarted)}`);
      failed = false;
    } finally {
      recordKubePage({ runbook: REBUILD_EXTERNAL.runbook, scenario: REBUILD_EXTERNAL.scenario, ranLines: runner.runs.map((run) => run.line), outcomes, durationMs: Date.now() - started, failed });
      print(`rebuild-external suite, first test: ${seconds(Date.now() - started)}`);
    }
    recordRun(task, { scenario: REBUILD_EXTERNAL.scenario, kubernetes: labVersion('kubernetes', KUBERNETES_MINOR), etcd: labVersion('etcd', KUBEADM_ETCD_MINOR) });
  }, 1_500_000);

  test('copies of the tab without the cluster configuration in upload-certs fail: the join (no external-etcd-* in the Secret), the Secret check, and the upload itself without --config', async () => {
    const kubeLab = lab();
    const started = Date.now();
    const source = readFileSync(PAGE, 'utf8');
    const defaultsOnly = editedPage(source, '\\n---\\n%s\\n\' \\\n     "$KUBEADM_API" "$HEALTHY_NODE_IP" "$CLUSTER_CONFIG"', '\\n\' \\\n     "$KUBEADM_API" "$HEALTHY_NODE_IP"');
    const secretCheck = source.split('\n').find((line) => line.includes("grep '^external-etcd'")) ?? '';
    expect(secretCheck).not.toBe('');

    // 1. As the page read before the finding: upload-certs with kubeadm's default ClusterConfiguration (what it uses
    //    without --config on a host with a default route) and no Secret check. The join must fail on the Secret.
    const beforeFinding = editedPage(defaultsOnly, `${secretCheck}\n`, '');
    await killCp2(kubeLab, print);
    const runner = new PageRunner(kubeLab, scenarioBlocks(beforeFinding, REBUILD_EXTERNAL.scenario));
    let joinFailure: unknown;
    try {
      await runRebuildBlocks(runner, scenarioBlocks(beforeFinding, REBUILD_EXTERNAL.scenario), print);
    } catch (error) {
      joinFailure = error;
    }
    const secretKeys = await kubeLab.kubectl(1, `-n kube-system get secret kubeadm-certs -o go-template='{{range $name, $value := .data}}{{$name}} {{end}}'`);
    print(`  kubeadm-certs Secret entries after the broken upload: ${secretKeys.stdout}${secretKeys.stderr}`);
    const joinOutput = runner.runs.at(-1)?.output ?? '';
    const missing = MISSING_IN_SECRET.exec(joinOutput)?.[1];
    print(`broken copy 1 (upload-certs with kubeadm's defaults, no Secret check): ${joinFailure instanceof BlockFailure ? `block "${joinFailure.block.title}" on cp-${joinFailure.block.node} failed: ${joinOutput.split('\n').find((line) => MISSING_IN_SECRET.test(line))?.trim() ?? '(no Secret message)'}` : 'PASSED (wrong)'}`);
    expect(joinFailure).toBeInstanceOf(BlockFailure);
    expect((joinFailure as BlockFailure).block.code).toContain('kubeadm join');
    expect(missing).toBeDefined();

    // The roll back the page gives for a failed join with external etcd: `kubeadm reset -f` on the new node. With no
    // kubeconfig yet (the join stopped at download-certs) reset has no cluster configuration, so it only empties the
    // node's own /var/lib/etcd (cmd/kubeadm/app/cmd/phases/reset/removeetcdmember.go, getEtcdDataDir's default); the
    // etcd hosts' members must stay as they were.
    const membersBefore = await kubeLab.etcdMembers('etcd-1');
    const reset = await kubeLab.run(2, 'kubeadm reset -f 2>&1', 300_000);
    const resetEtcdLines = reset.stdout.split('\n').filter((line) => /etcd/i.test(line));
    print(`roll back on cp-2: kubeadm reset -f exited ${reset.code}; its etcd lines: ${resetEtcdLines.map((line) => line.trim()).join(' | ')}`);
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain('[reset] Deleted contents of the etcd data directory: /var/lib/etcd');
    const membersAfter = await kubeLab.etcdMembers('etcd-1');
    expect(membersAfter.map((member) => `${member.id} ${member.name}`).sort()).toEqual(membersBefore.map((member) => `${member.id} ${member.name}`).sort());

    // 2. The same upload with the page's Secret check: the upload block itself stops, before anyone joins.
    const checked = await runUploadOnly(kubeLab, defaultsOnly);
    print(`broken copy 2 (upload-certs with kubeadm's defaults, Secret check kept): ${checked ? `block "${checked.block.title}" failed: ${checked.message.split('\n').filter((line) => line.includes('[runner] failed')).join(' ')}` : 'PASSED (wrong)'}`);
    expect(checked).toBeInstanceOf(BlockFailure);
    expect(checked?.message).toContain("grep '^external-etcd'");

    // 3. The upload line without --config, as the issue found it: in the lab (no default route) kubeadm stops at once.
    const noConfig = editedPage(source, UPLOAD_LINE, UPLOAD_LINE.replace(' --config "$UPLOAD_CONFIG"', ''));
    const bare = await runUploadOnly(kubeLab, noConfig);
    const bareLine = bare?.message.split('\n').find((line) => line.includes('cannot use'));
    print(`broken copy 3 (upload-certs without --config): ${bare ? `block "${bare.block.title}" failed: ${bareLine?.trim() ?? `(no "cannot use" line)\n${bare.message}`}` : 'PASSED (wrong)'}`);
    expect(bare).toBeInstanceOf(BlockFailure);
    expect(bareLine).toContain('cannot use "0.0.0.0" as the bind address');
    print(`broken copies: ${seconds(Date.now() - started)}`);
  }, 1_500_000);
}
