/**
 * Scenario "backup-restore" (page: /runbooks/etcd-backup-restore/), against Debian's etcd 3.4.23.
 * 1,000 keys with known values are written; the page takes, checks, encrypts and checks again a snapshot;
 * 25 more keys are written after the snapshot; the page stops every member; the test then deletes all three
 * original data directories; the page decrypts and checks the snapshot, restores each member into a new data
 * directory and the harness starts them there. The test then compares every key and value itself, and checks
 * that the post-snapshot keys are gone (the data came from the snapshot), that the cluster is a new one with
 * the same three member names, and that the revision did not go backwards.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EtcdSandbox, processExists } from './lib/sandbox';
import { REPO_ROOT, runScenario, ScenarioError, type ScenarioReport } from './lib/scenario';
import { clusterId, expectedValue, readKeys, revisionOf, writeKeys } from './lib/keys';

const PAGE = 'src/content/runbooks/etcd-backup-restore.mdx';
const PREFIX = '/registry/handbook-check/backup-restore/';
const KEY_COUNT = 1000;
const AFTER_SNAPSHOT_PREFIX = '/registry/handbook-check/after-snapshot/';
const AFTER_SNAPSHOT_COUNT = 25;

describe('etcd backup and restore, followed from the page against etcd 3.4', () => {
  let sandbox: EtcdSandbox;
  let report: ScenarioReport;
  let clusterIdBefore = '';
  let snapshotRevision = 0;
  let dataDirsDestroyed = 0;
  let revisionAfterWrites = 0;

  beforeAll(async () => {
    sandbox = await EtcdSandbox.start();
    await writeKeys(sandbox, PREFIX, KEY_COUNT);
    // Kubernetes keeps namespaces here; the page's final check reads them.
    await sandbox.etcdctl(['put', '/registry/namespaces/default', 'namespace default']);
    await sandbox.etcdctl(['put', '/registry/namespaces/kube-system', 'namespace kube-system']);
    revisionAfterWrites = revisionOf(await sandbox.etcdctl(['get', PREFIX, '--prefix', '--limit', '1', '-w', 'json']));
    clusterIdBefore = clusterId(await sandbox.etcdctl(['member', 'list', '-w', 'json']));
    report = await runScenario({
      runbook: PAGE,
      scenario: 'backup-restore',
      sandbox,
      afterBlock: async ({ block, readVariable, log }) => {
        if (block.kind === 'run' && block.code.includes('snapshot save')) {
          const snapshot = await readVariable('SNAPSHOT_FILE');
          snapshotRevision = revisionOf(await sandbox.etcdctl(['snapshot', 'status', snapshot, '-w', 'json']));
          await writeKeys(sandbox, AFTER_SNAPSHOT_PREFIX, AFTER_SNAPSHOT_COUNT);
          log(`    test: snapshot at revision ${snapshotRevision}; wrote ${AFTER_SNAPSHOT_COUNT} keys after it`);
        }
        if (block.action === 'stop-all-members') {
          dataDirsDestroyed = sandbox.nodes.filter((node) => existsSync(node.dataDir)).length;
          sandbox.destroyOriginalDataDirs();
          log(`    test: deleted the ${dataDirsDestroyed} original data directories`);
        }
      },
    });
  }, 150_000);

  afterAll(async () => {
    if (!sandbox) return;
    await sandbox.close();
    const alive = sandbox.startedPids.filter((pid) => processExists(pid));
    console.log(`backup-restore: ${sandbox.startedPids.length} etcd processes started (restored members included), ${alive.length} left running`);
    expect(alive).toEqual([]);
  });

  test('every key written before the snapshot is back with its value; none lost, none changed', async () => {
    const keys = await readKeys(sandbox, PREFIX);
    let lost = 0;
    let changed = 0;
    for (let index = 0; index < KEY_COUNT; index += 1) {
      const key = `${PREFIX}${String(index).padStart(4, '0')}`;
      const value = keys.get(key);
      if (value === undefined) lost += 1;
      else if (value !== expectedValue(index)) changed += 1;
    }
    console.log(`backup-restore: compared ${KEY_COUNT} keys after restoring ${dataDirsDestroyed} destroyed members: ${lost} lost, ${changed} changed, ${keys.size} under the prefix`);
    expect(dataDirsDestroyed).toBe(3);
    expect({ lost, changed, present: keys.size }).toEqual({ lost: 0, changed: 0, present: KEY_COUNT });
  });

  test('keys written after the snapshot are absent, so the data came from the snapshot', async () => {
    const after = await readKeys(sandbox, AFTER_SNAPSHOT_PREFIX);
    console.log(`backup-restore: ${AFTER_SNAPSHOT_COUNT} keys written after the snapshot, ${after.size} present after the restore`);
    expect(after.size).toBe(0);
  });

  test('a new cluster with the same three members, every one on its restored data directory', async () => {
    const members = JSON.parse(await sandbox.etcdctl(['member', 'list', '-w', 'json'])) as { members: { name: string; peerURLs: string[] }[] };
    const names = members.members.map((member) => member.name).sort();
    const clusterIdAfter = clusterId(await sandbox.etcdctl(['member', 'list', '-w', 'json']));
    console.log(`backup-restore: members ${names.join(', ')}; cluster ID ${clusterIdBefore} before, ${clusterIdAfter} after; restore token ${report.variables['RESTORE_CLUSTER_TOKEN']}`);
    expect(names).toEqual(['cp-1', 'cp-2', 'cp-3']);
    expect(members.members.map((member) => member.peerURLs).flat().sort()).toEqual(sandbox.nodes.map((node) => node.peerUrl).sort());
    expect(clusterIdAfter).not.toBe(clusterIdBefore);
    expect(sandbox.nodes.map((node) => node.currentDataDir)).toEqual(sandbox.nodes.map((node) => node.restoredDataDir));
    expect(report.manualActions).toEqual(['stop-all-members', 'start-restored-members']);
  });

  test('the revision did not go backwards; --bump-revision is checked where the verified blocks use it', async () => {
    const revisionAfter = revisionOf(await sandbox.etcdctl(['endpoint', 'status', '-w', 'json'], [sandbox.node(1).clientUrl]));
    const page = readFileSync(path.join(REPO_ROOT, PAGE), 'utf8');
    const bump = /verify="backup-restore:run"[^`]*?--bump-revision[= ](\d+)/s.exec(page);
    if (bump) {
      expect(revisionAfter).toBeGreaterThan(snapshotRevision + Number(bump[1]) - 1);
      console.log(`backup-restore: revision ${snapshotRevision} in the snapshot, ${revisionAfter} after restore with --bump-revision ${bump[1]}`);
    } else {
      expect(revisionAfter).toBeGreaterThanOrEqual(snapshotRevision);
      console.log(`backup-restore: revision ${snapshotRevision} in the snapshot, ${revisionAfter} after restore (verified blocks use no --bump-revision: etcdctl 3.4.23 lacks it)`);
    }
    expect(snapshotRevision).toBeGreaterThanOrEqual(revisionAfterWrites);
  });

  test('etcdctl 3.4.23 has no --bump-revision, as the page says', async () => {
    const error: unknown = await sandbox.etcdctl(['snapshot', 'restore', 'unused.db', '--bump-revision', '1']).catch((caught: unknown) => caught);
    expect(String(error)).toContain('unknown flag: --bump-revision');
    expect(readFileSync(path.join(REPO_ROOT, PAGE), 'utf8')).toMatch(/3\.4\.27/);
  });

  test('a snapshot from two endpoints is refused with the message the page quotes', async () => {
    const error: unknown = await sandbox.etcdctl(['snapshot', 'save', path.join(sandbox.backupDir, 'two.db')], sandbox.clientUrls.slice(0, 2)).catch((caught: unknown) => caught);
    expect(String(error)).toContain('snapshot must be requested to one selected node, not multiple');
    expect(readFileSync(path.join(REPO_ROOT, PAGE), 'utf8')).toContain('snapshot must be requested to one selected node, not multiple');
  });

  test('a decryption with the wrong iteration count fails the run at the first block that decrypts', async () => {
    const page = readFileSync(path.join(REPO_ROOT, PAGE), 'utf8');
    const broken = page.replaceAll('enc -d -aes-256-cbc -pbkdf2 -iter 200000', 'enc -d -aes-256-cbc -pbkdf2 -iter 100000');
    expect(broken).not.toBe(page);
    const error: unknown = await runScenario({ runbook: PAGE, scenario: 'backup-restore', sandbox, source: broken }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ScenarioError);
    const message = (error as Error).message;
    expect(message).toContain('"Verify, drop plain copy"');
    expect(message).toMatch(/bad decrypt|STOP: the encrypted copy does not decrypt/);
    console.log(`backup-restore: wrong decryption rejected: ${message.split('\n')[0]}`);
  });

  test('"snapshot save" misspelt as "snapshot sav" in a copy of the page fails the run', async () => {
    const broken = readFileSync(path.join(REPO_ROOT, PAGE), 'utf8').replaceAll('snapshot save', 'snapshot sav');
    const error: unknown = await runScenario({ runbook: PAGE, scenario: 'backup-restore', sandbox, source: broken }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as Error).message).toMatch(/etcd-backup-restore\.mdx:\d+ \(block "[^"]+"\): "etcdctl snapshot sav" is not a command/);
    console.log(`backup-restore: broken copy rejected: ${(error as Error).message.split('\n')[1]}`);
  });
});
