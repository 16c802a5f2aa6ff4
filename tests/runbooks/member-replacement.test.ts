/**
 * Scenario "member-replacement" (page: /runbooks/etcd-member-replacement/), against Debian's etcd 3.4:
 * with a writer recording every acknowledged write in the background, member cp-2 is killed (SIGKILL, like a
 * node losing power); the page is then followed block by block: quorum check, snapshot, remove, empty data
 * directory, add as learner, start with --initial-cluster-state existing, promote, verify. Afterwards the test
 * checks the outcome itself rather than trusting the page's own checks:
 * - three voting members named cp-1..cp-3, none a learner, and cp-2 has a new member ID;
 * - every member answers a quorum read (endpoint health);
 * - every write the cluster acknowledged, before, during and after the replacement, is readable with a
 *   linearizable read, and also from the new member's own copy (serializable read), so it really has the data.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EtcdSandbox } from './lib/sandbox';
import { runScenario, type ScenarioReport } from './lib/scenario';
import { AcknowledgedWriter, memberList, missingWrites, readPrefix, type MemberRow } from './lib/writer-etcd-ops';

const PAGE = 'src/content/runbooks/etcd-member-replacement.mdx';
const FAILED_NODE = 2;
const WRITER_PREFIX = '/scenario/member-replacement/';
/** Acknowledged writes wanted before the failure, so there is data the new member must receive. */
const WRITES_BEFORE_FAILURE = 20;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('etcd member replacement, followed from the page against etcd 3.4', () => {
  let sandbox: EtcdSandbox | undefined;
  let writer: AcknowledgedWriter | undefined;
  let membersBefore: MemberRow[] = [];
  let killedAtMs = 0;
  let report: ScenarioReport | undefined;
  let scenarioError: unknown;

  beforeAll(async () => {
    sandbox = await EtcdSandbox.start();
    membersBefore = await memberList(sandbox);
    writer = new AcknowledgedWriter(sandbox, WRITER_PREFIX);
    writer.start();
    await writer.waitForAcknowledged(WRITES_BEFORE_FAILURE, 20_000);
    await sandbox.killMember(FAILED_NODE);
    killedAtMs = Date.now();
    const failed = sandbox.node(FAILED_NODE);
    try {
      report = await runScenario({
        runbook: PAGE,
        scenario: 'member-replacement',
        sandbox,
        variables: {
          FAILED_MEMBER_NAME: failed.name,
          NEW_MEMBER_NAME: failed.name,
          NEW_MEMBER_PEER_URL: failed.peerUrl,
        },
      });
    } catch (error) {
      scenarioError = error;
    }
    // Let the writer run on a whole cluster for a moment, then stop it before reading back.
    await sleep(1_000);
    await writer.stop();
  }, 180_000);

  afterAll(async () => {
    await writer?.stop();
    await sandbox?.close();
  });

  it('runs every block of the page without error', () => {
    if (scenarioError) throw scenarioError;
    expect(report?.manualActions).toEqual(['stop-member', 'start-member']);
    console.log(`member-replacement: ${report?.blocksRun} blocks in ${((report?.durationMs ?? 0) / 1000).toFixed(1)} s`);
  });

  it('ends with three voting members, cp-2 under a new member ID', async () => {
    if (!sandbox) throw new Error('no sandbox');
    const members = await memberList(sandbox);
    expect(members.map((member) => member.name).sort()).toEqual(['cp-1', 'cp-2', 'cp-3']);
    expect(members.filter((member) => member.isLearner)).toEqual([]);
    const oldId = membersBefore.find((member) => member.name === 'cp-2')?.id;
    const newId = members.find((member) => member.name === 'cp-2')?.id;
    expect(oldId).toMatch(/^[0-9a-f]+$/);
    expect(newId).toMatch(/^[0-9a-f]+$/);
    expect(newId).not.toBe(oldId);
    console.log(`member-replacement: members ${members.map((m) => `${m.name}=${m.id}`).join(', ')} (cp-2 was ${oldId})`);
  });

  it('has every member answering a quorum read', async () => {
    if (!sandbox) throw new Error('no sandbox');
    for (const node of sandbox.nodes) {
      const output = await sandbox.etcdctl(['endpoint', 'health', '-w', 'json'], [node.clientUrl]);
      expect(output).toContain('"health":true');
    }
  });

  it('keeps every acknowledged write, on the cluster and in the new member', async () => {
    if (!sandbox || !writer) throw new Error('no sandbox');
    const acknowledged = writer.acknowledged;
    const duringOutage = writer.attempts.filter((attempt) => attempt.acknowledged && attempt.startedAtMs >= killedAtMs).length;
    const unacknowledged = writer.attempts.filter((attempt) => !attempt.acknowledged).length;
    expect(acknowledged.size).toBeGreaterThan(WRITES_BEFORE_FAILURE);
    expect(duringOutage).toBeGreaterThan(0);

    const linearizable = await readPrefix(sandbox, WRITER_PREFIX, sandbox.clientUrls);
    expect(missingWrites(acknowledged, linearizable)).toEqual([]);

    // The new member applies the log asynchronously; give it a few seconds to reach the last write.
    const newMember = [sandbox.node(FAILED_NODE).clientUrl];
    let missingOnNewMember = missingWrites(acknowledged, await readPrefix(sandbox, WRITER_PREFIX, newMember, true));
    for (let attempt = 0; attempt < 20 && missingOnNewMember.length > 0; attempt += 1) {
      await sleep(250);
      missingOnNewMember = missingWrites(acknowledged, await readPrefix(sandbox, WRITER_PREFIX, newMember, true));
    }
    expect(missingOnNewMember).toEqual([]);
    console.log(
      `member-replacement: ${acknowledged.size} acknowledged writes all readable (linearizable, and serializable from the new cp-2); ` +
        `${duringOutage} of them acknowledged after cp-2 was killed; ${unacknowledged} writes not acknowledged ` +
        `(allowed; reasons: ${JSON.stringify(writer.failureReasons())})`,
    );
  });

  // Last, because it breaks the cluster: with cp-2 and cp-3 both down, the page's quorum check must stop the
  // procedure before anything is removed (the check is only worth having if it can say no).
  it('stops at the quorum check when removing a member would lose quorum', async () => {
    if (!sandbox) throw new Error('no sandbox');
    const membersBeforeCheck = await memberList(sandbox);
    await sandbox.killMember(2);
    await sandbox.killMember(3);
    // Skip the page's first look at the cluster (it only prints, and costs seconds of timeouts per dead member).
    const assessBlock = 'title="Assess the cluster" verify="member-replacement:run"';
    const page = readFileSync(PAGE, 'utf8');
    expect(page).toContain(assessBlock);
    const refusal = await runScenario({
      runbook: PAGE,
      source: page.replace(assessBlock, 'title="Assess the cluster"'),
      scenario: 'member-replacement',
      sandbox,
      variables: { FAILED_MEMBER_NAME: 'cp-2', NEW_MEMBER_NAME: 'cp-2', NEW_MEMBER_PEER_URL: sandbox.node(2).peerUrl },
    }).then(
      () => '',
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    expect(refusal).toContain('"Check quorum without the failed member"');
    expect(refusal).toContain('healthy others: 0; needed after removal: 2');
    expect(refusal).toContain('STOP: do not change membership');
    // Member list is served from cp-1's own copy in etcd 3.4, so it still answers without quorum.
    const membersAfterCheck = await memberList(sandbox);
    expect(membersAfterCheck.map((member) => member.id).sort()).toEqual(membersBeforeCheck.map((member) => member.id).sort());
    console.log('member-replacement: with 2 of 3 members down the page stopped at its quorum check; no member was removed');
  });

  it('left the snapshot and the old data directory the page promised', () => {
    if (!sandbox) throw new Error('no sandbox');
    const snapshots = readdirSync(sandbox.backupDir).filter((name) => name.startsWith('before-member-replacement-') && name.endsWith('.db'));
    expect(snapshots).toHaveLength(1);
    const dataParent = sandbox.node(FAILED_NODE).dataDir.replace(/\/etcd$/, '');
    const movedAside = readdirSync(dataParent).filter((name) => name.startsWith('etcd.removed-'));
    expect(movedAside).toHaveLength(1);
    expect(existsSync(`${dataParent}/${movedAside[0]}/member`)).toBe(true);
  });
});
