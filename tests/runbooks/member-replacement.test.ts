/**
 * Scenario "member-replacement" (page: /runbooks/etcd-member-replacement/) on the lab's three kubeadm-style nodes,
 * once per etcd minor. With a writer recording every acknowledged write in the background, cp-2's etcd fails for
 * good (its kubelet stops, its pods die; its data directory stays, as a corrupt one would). The page is then
 * followed as written: assess and check quorum on cp-1, snapshot, remove the member; on cp-2 move etcd.yaml out
 * and the old data directory aside; on cp-1 add the learner and copy the `member add` output to cp-2; on cp-2 edit
 * the manifest's --initial-cluster and --initial-cluster-state and move it back (the kubelet stand-in starts etcd);
 * wait, promote, verify. cp-2's kubelet is started again once the page has moved its manifest out (the node was
 * repaired). The test checks the outcome itself: three voting members with cp-2 under a new member ID, every member
 * answering, every acknowledged write readable (also from cp-2's own copy); that the page's quorum check stops with
 * two members down; and (on the newest minor) that a copy of the page with --initial-cluster-state=new in the
 * manifest edit fails.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { failNode, labClient, matrix, startKubelet } from './lib/lab';
import { ScenarioRun } from './lib/matrix';
import { REPO_ROOT, runScenario, ScenarioError } from './lib/scenario';
import { AcknowledgedWriter, memberList, missingWrites, readPrefix, type MemberRow } from './lib/writer-etcd-ops';

const PAGE = 'src/content/runbooks/etcd-member-replacement.mdx';
const FAILED_NODE = 2;
const WRITER_PREFIX = '/scenario/member-replacement/';
/** Acknowledged writes wanted before the failure, so there is data the new member must receive. */
const WRITES_BEFORE_FAILURE = 20;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const releases = matrix();

/** After the page moved cp-2's etcd.yaml out, the repaired node's kubelet runs again. */
function restartKubeletAfterStop(lab: Parameters<typeof startKubelet>[0]) {
  return async ({ block, log }: { block: { code: string }; log: (line: string) => void }) => {
    if (block.code.includes('mv /etc/kubernetes/manifests/etcd.yaml /etc/kubernetes/manifests-stopped/etcd.yaml')) {
      await startKubelet(lab, FAILED_NODE);
      log(`    test: kubelet started again on ${lab.node(FAILED_NODE).name}`);
    }
  };
}

describe.each(releases)('etcd member replacement, followed from the page on etcd $version', (release) => {
  const run = new ScenarioRun(PAGE, 'member-replacement', release);
  let writer: AcknowledgedWriter | undefined;
  let membersBefore: MemberRow[] = [];
  let failedAtMs = 0;

  beforeAll(async () => {
    await run.go(async (lab, scenarioLab) => {
      const client = labClient(lab);
      membersBefore = await memberList(client);
      writer = new AcknowledgedWriter(client, WRITER_PREFIX);
      writer.start();
      await writer.waitForAcknowledged(WRITES_BEFORE_FAILURE, 60_000);
      await failNode(lab, FAILED_NODE);
      failedAtMs = Date.now();
      try {
        return await runScenario({ runbook: PAGE, scenario: 'member-replacement', lab: scenarioLab, afterBlock: restartKubeletAfterStop(lab) });
      } finally {
        // Let the writer run on a whole cluster for a moment, then stop it before reading back.
        await sleep(1_000);
        await writer.stop();
      }
    });
  });

  afterAll(async () => {
    await writer?.stop();
    await run.finish();
  });

  run.pageRan();

  run.check('ends with three voting members, cp-2 under a new member ID', async (lab) => {
    const members = await memberList(labClient(lab));
    const oldId = membersBefore.find((member) => member.name === 'cp-2')?.id;
    const newId = members.find((member) => member.name === 'cp-2')?.id;
    run.outcome(`members: ${members.map((member) => `${member.name}=${member.id}${member.isLearner ? ' (learner)' : ''}`).join(', ')}; cp-2 was ${oldId}`);
    expect(members.map((member) => member.name).sort()).toEqual(['cp-1', 'cp-2', 'cp-3']);
    expect(members.filter((member) => member.isLearner)).toEqual([]);
    expect(oldId).toMatch(/^[0-9a-f]+$/);
    expect(newId).toMatch(/^[0-9a-f]+$/);
    expect(newId).not.toBe(oldId);
  });

  run.check('every member answers a quorum read; no alarm', async (lab) => {
    const client = labClient(lab);
    for (const node of lab.nodes) expect(await client.etcdctl(['endpoint', 'health', '-w', 'json'], [node.clientUrl])).toContain('"health":true');
    expect((await client.etcdctl(['alarm', 'list'])).trim()).toBe('');
  });

  run.check('keeps every acknowledged write, on the cluster and in the new member', async (lab) => {
    if (!writer) throw new Error('no writer');
    const client = labClient(lab);
    const acknowledged = writer.acknowledged;
    const duringOutage = writer.attempts.filter((attempt) => attempt.acknowledged && attempt.startedAtMs >= failedAtMs).length;
    const unacknowledged = writer.attempts.filter((attempt) => !attempt.acknowledged).length;
    expect(acknowledged.size).toBeGreaterThan(WRITES_BEFORE_FAILURE);
    expect(duringOutage).toBeGreaterThan(0);
    const linearizable = await readPrefix(client, WRITER_PREFIX, lab.clientUrls);
    expect(missingWrites(acknowledged, linearizable)).toEqual([]);
    // The new member applies the log asynchronously; give it a few seconds to reach the last write.
    const newMember = [lab.node(FAILED_NODE).clientUrl];
    let missingOnNewMember = missingWrites(acknowledged, await readPrefix(client, WRITER_PREFIX, newMember, true));
    for (let attempt = 0; attempt < 20 && missingOnNewMember.length > 0; attempt += 1) {
      await sleep(250);
      missingOnNewMember = missingWrites(acknowledged, await readPrefix(client, WRITER_PREFIX, newMember, true));
    }
    run.outcome(
      `writes: ${acknowledged.size} acknowledged, all readable (linearizable, and serializable from the new cp-2); ${duringOutage} acknowledged after cp-2 failed; ` +
        `${unacknowledged} not acknowledged (allowed; ${JSON.stringify(writer.failureReasons())})`,
    );
    expect(missingOnNewMember).toEqual([]);
  });

  run.check('left the snapshot and the old data directory the page promised', (lab) => {
    const snapshots = readdirSync(lab.hostPath(1, '/var/backups/etcd')).filter((name) => name.startsWith('before-member-replacement-') && name.endsWith('.db'));
    const movedAside = readdirSync(lab.hostPath(FAILED_NODE, '/var/lib')).filter((name) => name.startsWith('etcd.removed-'));
    run.outcome(`snapshot on cp-1: ${snapshots.join(', ')}; old data on cp-2: /var/lib/${movedAside.join(', ')}`);
    expect(snapshots).toHaveLength(1);
    expect(movedAside).toHaveLength(1);
    expect(existsSync(lab.hostPath(FAILED_NODE, `/var/lib/${movedAside[0]}/member`))).toBe(true);
  });

  // Last, because it breaks the cluster: with cp-2 and cp-3 both down, the page must stop before anything is
  // removed (its checks are only worth having if they can say no). etcdctl 3.5 and later need a quorum for
  // `member list`, so the page's first block already stops, as its text says.
  run.check('stops before changing membership when a majority is down', async (lab) => {
    await failNode(lab, 2);
    await failNode(lab, 3);
    const refusal = await runScenario({ runbook: PAGE, scenario: 'member-replacement', lab: run.scenarioLab! }).then(
      () => '',
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    run.outcome(`with 2 of 3 members down the page stopped: ${refusal.split('\n')[0]}`);
    expect(refusal).toMatch(/^Block #\d+ "(Assess the cluster|Check quorum without the failed member)"/);
    expect(refusal).toMatch(/etcdctl member list -w table|STOP: do not change membership/);
    expect(refusal).not.toContain('"Remove the failed member"');
    expect(readFileSync(path.join(REPO_ROOT, PAGE), 'utf8')).toContain('later need a quorum to list members');
  });
});

// Done-when check of issue 10, on the newest minor only (a whole lab run that ends in a one-minute wait).
describe.each(releases.slice(-1))('a copy of the member-replacement page with --initial-cluster-state=new, on etcd $version', (release) => {
  const run = new ScenarioRun(PAGE, 'member-replacement-broken-copy', release);
  let broken = '';

  beforeAll(async () => {
    await run.go(async (lab, scenarioLab) => {
      await failNode(lab, FAILED_NODE);
      const page = readFileSync(path.join(REPO_ROOT, PAGE), 'utf8');
      const start = page.indexOf('title="Start the new member" verify="member-replacement:run"');
      const end = page.indexOf('```', start + 60);
      broken = page.slice(0, start) + page.slice(start, end).replaceAll('--initial-cluster-state=existing', '--initial-cluster-state=new') + page.slice(end);
      return runScenario({ runbook: PAGE, scenario: 'member-replacement', lab: scenarioLab, source: broken, afterBlock: restartKubeletAfterStop(lab) });
    });
  });

  afterAll(async () => {
    // The broken copy's run is expected to fail; the report shows the real page's runs only.
    await run.lab?.close();
  });

  test('the edit was made, and the run fails before the promotion', () => {
    expect(broken.match(/--initial-cluster-state=new/g)?.length).toBe(2);
    expect(run.failure).toBeInstanceOf(ScenarioError);
    const message = (run.failure as Error).message;
    expect(message).toMatch(/"Wait for the new member to start"|"Promote the learner once it has caught up"/);
    console.log(`member-replacement on etcd ${release.version}: the broken copy failed: ${message.split('\n')[0]}`);
  });
});
