/**
 * Scenario "quorum-loss" (page: /runbooks/etcd-quorum-loss/), against Debian's etcd 3.4.23.
 * 1,000 keys are written and an encrypted backup is made in the backup runbook's format; 40 more keys are
 * written after the backup; then members cp-2 and cp-3 are killed (SIGKILL) and their data directories deleted,
 * as if both machines were lost. The page is followed: assess, snapshot the survivor, decrypt the backup, choose
 * the newer snapshot, stop everything, restore all three members, start them, check. The test then checks itself
 * that every key written before the backup is back with its value, and also the keys written after the backup
 * (the page restores from the survivor's newer snapshot), on a new three-member cluster.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { makeEncryptedBackup } from './lib/backup';
import { clusterId, expectedValue, keyName, readKeys, writeKeys } from './lib/keys';
import { EtcdSandbox, processExists } from './lib/sandbox';
import { runScenario, sandboxVariables, type ScenarioReport } from './lib/scenario';

const PAGE = 'src/content/runbooks/etcd-quorum-loss.mdx';
const BEFORE_BACKUP = '/registry/handbook-check/quorum-loss/before-backup/';
const AFTER_BACKUP = '/registry/handbook-check/quorum-loss/after-backup/';
const KEY_COUNT = 1000;
const AFTER_BACKUP_COUNT = 40;
const LOST_NODES = [2, 3];

function compare(keys: Map<string, string>, prefix: string, count: number): { lost: number; changed: number } {
  let lost = 0;
  let changed = 0;
  for (let index = 0; index < count; index += 1) {
    const value = keys.get(keyName(prefix, index));
    if (value === undefined) lost += 1;
    else if (value !== expectedValue(index)) changed += 1;
  }
  return { lost, changed };
}

describe('etcd quorum loss, followed from the page against etcd 3.4', () => {
  let sandbox: EtcdSandbox;
  let report: ScenarioReport;
  let clusterIdBefore = '';

  beforeAll(async () => {
    sandbox = await EtcdSandbox.start();
    const values = sandboxVariables(sandbox);
    await writeKeys(sandbox, BEFORE_BACKUP, KEY_COUNT);
    await makeEncryptedBackup(sandbox, path.join(sandbox.backupDir, 'etcd-snapshot-cp-1-sandbox.db'), values['BACKUP_KEY_FILE'] ?? '');
    await writeKeys(sandbox, AFTER_BACKUP, AFTER_BACKUP_COUNT);
    clusterIdBefore = clusterId(await sandbox.etcdctl(['member', 'list', '-w', 'json']));
    for (const index of LOST_NODES) await sandbox.killMember(index);
    // Both machines are gone: nothing of theirs may be needed for the recovery.
    for (const index of LOST_NODES) rmSync(sandbox.node(index).dataDir, { recursive: true, force: true });
    report = await runScenario({ runbook: PAGE, scenario: 'quorum-loss', sandbox });
  }, 150_000);

  afterAll(async () => {
    if (!sandbox) return;
    await sandbox.close();
    const alive = sandbox.startedPids.filter((pid) => processExists(pid));
    console.log(`quorum-loss: ${sandbox.startedPids.length} etcd processes started (restored members included), ${alive.length} left running`);
    expect(alive).toEqual([]);
  });

  test("the page's assessment saw quorum lost: 3 members, 1 answering, 2 needed", () => {
    const assessment = report.outputs['Assess quorum'] ?? '';
    console.log(`quorum-loss: the page printed "${/members: .*/.exec(assessment)?.[0]}"`);
    expect(assessment).toContain('members: 3, answering: 1, quorum needs: 2');
    expect(assessment).toContain(`answering: ${sandbox.node(1).clientUrl}`);
  });

  test('every key written before the backup is back, none changed', async () => {
    const keys = await readKeys(sandbox, BEFORE_BACKUP);
    const result = compare(keys, BEFORE_BACKUP, KEY_COUNT);
    console.log(`quorum-loss: compared ${KEY_COUNT} keys written before the backup: ${result.lost} lost, ${result.changed} changed`);
    expect({ ...result, present: keys.size }).toEqual({ lost: 0, changed: 0, present: KEY_COUNT });
  });

  test("the page chose the survivor's newer snapshot, so keys written after the backup are back too", async () => {
    const keys = await readKeys(sandbox, AFTER_BACKUP);
    const result = compare(keys, AFTER_BACKUP, AFTER_BACKUP_COUNT);
    const chosen = report.outputs['Choose the newest snapshot'] ?? '';
    console.log(`quorum-loss: ${chosen.trim()}; ${AFTER_BACKUP_COUNT} keys written after the backup: ${result.lost} lost, ${result.changed} changed`);
    expect(chosen).toMatch(/^survivor revision (\d+), backup revision (\d+): restoring \S+\/etcd-survivor-\d{8}-\d{6}\.db$/m);
    expect({ ...result, present: keys.size }).toEqual({ lost: 0, changed: 0, present: AFTER_BACKUP_COUNT });
  });

  test('a new three-member cluster, all healthy, on the restored data directories', async () => {
    const json = await sandbox.etcdctl(['member', 'list', '-w', 'json']);
    const names = (JSON.parse(json) as { members: { name: string }[] }).members.map((member) => member.name).sort();
    await sandbox.etcdctl(['endpoint', 'health']);
    console.log(`quorum-loss: members ${names.join(', ')} healthy; cluster ID ${clusterIdBefore} before, ${clusterId(json)} after`);
    expect(names).toEqual(['cp-1', 'cp-2', 'cp-3']);
    expect(clusterId(json)).not.toBe(clusterIdBefore);
    expect(sandbox.nodes.every((node) => node.currentDataDir === node.restoredDataDir)).toBe(true);
    expect(report.manualActions).toEqual(['stop-all-members', 'start-restored-members']);
  });
});
