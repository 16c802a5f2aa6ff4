/**
 * Scenario "backup-restore" (page: /runbooks/etcd-backup-restore/) on the lab's three kubeadm-style nodes, once per
 * etcd minor in lab/versions.json. 1,000 keys with known values are written; the page checks health, makes and
 * distributes the backup key, takes, checks, encrypts and ships a snapshot from cp-1 (scp to the lab's backup
 * host); 25 more keys are written after the snapshot; the page copies the snapshot to cp-2 and cp-3, selects,
 * decrypts and checks it on every node, stops kube-apiserver and etcd on every node by moving their manifests
 * out, restores each member into /var/lib/etcd-restored, points each etcd.yaml's etcd-data hostPath there and
 * moves it back (the kubelet stand-in starts etcd), and checks the restored cluster. There the test compares every
 * key itself, checks that the post-snapshot keys are absent (the data came from the snapshot), that the cluster is
 * new with the same three members, each on its restored data, and that the revision moved a billion past the
 * snapshot's. The page then rolls back (its own "Roll back" section) and the test checks the old cluster is back,
 * with its ID and every key, the 25 written after the snapshot included.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { etcdctlCommandsOf } from './lib/etcdctl-commands';
import { clusterId, expectedValue, keyName, readKeys, revisionOf, writeKeys, type EtcdClient } from './lib/keys';
import { labClient, matrix, type Lab } from './lib/lab';
import { ScenarioRun } from './lib/matrix';
import { inNode, REPO_ROOT, runScenario, ScenarioError } from './lib/scenario';

const PAGE = 'src/content/runbooks/etcd-backup-restore.mdx';
const PREFIX = '/registry/handbook-check/backup-restore/';
const KEY_COUNT = 1000;
const AFTER_SNAPSHOT_PREFIX = '/registry/handbook-check/after-snapshot/';
const AFTER_SNAPSHOT_COUNT = 25;
const BUMP = 1_000_000_000;

interface ClusterState {
  lost: number;
  changed: number;
  present: number;
  afterSnapshotPresent: number;
  members: string[];
  peerUrls: string[];
  clusterId: string;
  revision: number;
  alarms: string;
  manifestsOnRestoredData: number;
  apiserversRunning: number;
}

async function clusterState(lab: Lab, client: EtcdClient): Promise<ClusterState> {
  const keys = await readKeys(client, PREFIX);
  let lost = 0;
  let changed = 0;
  for (let index = 0; index < KEY_COUNT; index += 1) {
    const value = keys.get(keyName(PREFIX, index));
    if (value === undefined) lost += 1;
    else if (value !== expectedValue(index)) changed += 1;
  }
  const json = await client.etcdctl(['member', 'list', '-w', 'json']);
  const members = (JSON.parse(json.replace(/"ID":(\d+)/g, '"ID":"$1"')) as { members: { name: string; peerURLs: string[] }[] }).members;
  return {
    lost,
    changed,
    present: keys.size,
    afterSnapshotPresent: (await readKeys(client, AFTER_SNAPSHOT_PREFIX)).size,
    members: members.map((member) => member.name).sort(),
    peerUrls: members.flatMap((member) => member.peerURLs).sort(),
    clusterId: clusterId(json),
    revision: revisionOf(await client.etcdctl(['endpoint', 'status', '-w', 'json'], [lab.node(1).clientUrl])),
    alarms: (await client.etcdctl(['alarm', 'list'])).trim(),
    manifestsOnRestoredData: lab.nodes.filter((node) => /path: \/var\/lib\/etcd-restored$/m.test(readFileSync(lab.hostPath(node.index, '/etc/kubernetes/manifests/etcd.yaml'), 'utf8'))).length,
    apiserversRunning: lab.nodes.filter((node) => lab.runningPod(node.index, 'kube-apiserver') !== undefined).length,
  };
}

describe.each(matrix())('etcd backup and restore, followed from the page on etcd $version', (release) => {
  const run = new ScenarioRun(PAGE, 'backup-restore', release);
  let clusterIdBefore = '';
  let snapshotRevision = 0;
  let revisionAfterWrites = 0;
  let restored: ClusterState | undefined;

  beforeAll(async () => {
    await run.go(async (lab, scenarioLab) => {
      const client = labClient(lab);
      await writeKeys(client, PREFIX, KEY_COUNT);
      // Kubernetes keeps namespaces here; the page's final check counts them.
      await client.etcdctl(['put', '/registry/namespaces/default', 'namespace default']);
      await client.etcdctl(['put', '/registry/namespaces/kube-system', 'namespace kube-system']);
      revisionAfterWrites = revisionOf(await client.etcdctl(['get', PREFIX, '--prefix', '--limit', '1', '-w', 'json']));
      clusterIdBefore = clusterId(await client.etcdctl(['member', 'list', '-w', 'json']));
      return runScenario({
        runbook: PAGE,
        scenario: 'backup-restore',
        lab: scenarioLab,
        afterBlock: async ({ block, node, readVariable, log }) => {
          if (block.code.includes('etcdctl snapshot save')) {
            const snapshot = await readVariable('SNAPSHOT_FILE');
            snapshotRevision = revisionOf(inNode(scenarioLab, node, `etcdutl snapshot status ${JSON.stringify(snapshot)} -w json`));
            await writeKeys(client, AFTER_SNAPSHOT_PREFIX, AFTER_SNAPSHOT_COUNT);
            log(`    test: snapshot at revision ${snapshotRevision}; wrote ${AFTER_SNAPSHOT_COUNT} keys after it`);
          }
          // The restored cluster, as the page's step 7 leaves it, before its "Roll back" section runs.
          if (block.title === 'Check the restored cluster') {
            restored = await clusterState(lab, client);
            log(`    test: restored cluster ${restored.clusterId}: ${restored.present} keys under the prefix, ${restored.afterSnapshotPresent} written after the snapshot`);
          }
        },
      });
    });
  });

  afterAll(async () => {
    await run.finish();
  });

  run.pageRan();

  run.check('restored: every key written before the snapshot is back with its value; the 25 written after it are not', () => {
    if (!restored) throw new Error('the test saw no restored cluster');
    run.outcome(`keys compared in the restored cluster: ${KEY_COUNT}: ${restored.lost} lost, ${restored.changed} changed; written after the snapshot: ${AFTER_SNAPSHOT_COUNT}, present: ${restored.afterSnapshotPresent}`);
    expect({ lost: restored.lost, changed: restored.changed, present: restored.present, afterSnapshot: restored.afterSnapshotPresent }).toEqual({ lost: 0, changed: 0, present: KEY_COUNT, afterSnapshot: 0 });
  });

  run.check('restored: a new cluster of cp-1, cp-2 and cp-3, each on /var/lib/etcd-restored, revision a billion past the snapshot, no alarm', (lab) => {
    if (!restored) throw new Error('the test saw no restored cluster');
    run.outcome(
      `restored members: ${restored.members.join(', ')}; cluster ID ${clusterIdBefore} before, ${restored.clusterId} restored; ` +
        `${restored.manifestsOnRestoredData} of 3 manifests on the restored data; revision ${snapshotRevision} in the snapshot, ${restored.revision} restored; ` +
        `${restored.apiserversRunning} kube-apiserver running (held until step 8); alarms: ${restored.alarms || 'none'}`,
    );
    expect(restored.members).toEqual(['cp-1', 'cp-2', 'cp-3']);
    expect(restored.peerUrls).toEqual(lab.nodes.map((node) => node.peerUrl).sort());
    expect(restored.clusterId).not.toBe(clusterIdBefore);
    expect(restored.manifestsOnRestoredData).toBe(3);
    expect(restored.apiserversRunning).toBe(0);
    expect(snapshotRevision).toBeGreaterThanOrEqual(revisionAfterWrites);
    expect(restored.revision).toBeGreaterThanOrEqual(snapshotRevision + BUMP);
    expect(restored.alarms).toBe('');
  });

  run.check('rolled back: the old cluster is back with its ID and every key, the ones written after the snapshot too, and the API servers run', async (lab) => {
    const back = await clusterState(lab, labClient(lab));
    const failedCopies = lab.nodes.filter((node) => readdirSync(lab.hostPath(node.index, '/var/lib')).some((name) => name.startsWith('etcd-restored.failed-'))).length;
    run.outcome(
      `after the page's roll back: cluster ID ${back.clusterId}; ${back.present} of ${KEY_COUNT} keys, ${back.afterSnapshotPresent} of ${AFTER_SNAPSHOT_COUNT} written after the snapshot; ` +
        `${back.apiserversRunning} kube-apiserver running; restored data set aside on ${failedCopies} nodes`,
    );
    expect(back.clusterId).toBe(clusterIdBefore);
    expect({ lost: back.lost, changed: back.changed, afterSnapshot: back.afterSnapshotPresent }).toEqual({ lost: 0, changed: 0, afterSnapshot: AFTER_SNAPSHOT_COUNT });
    expect(back.members).toEqual(['cp-1', 'cp-2', 'cp-3']);
    expect(back.manifestsOnRestoredData).toBe(0);
    expect(back.apiserversRunning).toBe(3);
    expect(failedCopies).toBe(3);
  });

  run.check('the backup host holds the encrypted snapshot and its checksum the page sent', () => {
    const listing = readdirSync(path.join(run.scenarioLab?.backupHostDir ?? '', 'srv/etcd-backups')).sort();
    run.outcome(`backup host: ${listing.join(', ')}`);
    expect(listing.some((name) => /^etcd-snapshot-cp-1-\d{8}-\d{6}\.db\.enc$/.test(name))).toBe(true);
    expect(listing.some((name) => /^etcd-snapshot-cp-1-\d{8}-\d{6}\.db\.sha256$/.test(name))).toBe(true);
  });

  // Done-when check of issue 10: `etcdctl snapshot status` where the page says `etcdutl snapshot status`.
  test(`a copy of the page that reads the snapshot with "etcdctl snapshot status" fails on etcd ${release.version} if that etcdctl lacks the command`, async () => {
    const scenarioLab = run.scenarioLab;
    if (!scenarioLab) throw run.failure ?? new Error('the lab did not start');
    const page = readFileSync(path.join(REPO_ROOT, PAGE), 'utf8');
    const broken = page.replace('etcdutl snapshot status "$SNAPSHOT_FILE" -w table\n   ls -l', 'etcdctl snapshot status "$SNAPSHOT_FILE" -w table\n   ls -l');
    expect(broken).not.toBe(page);
    const lacks = !etcdctlCommandsOf(path.join(release.binDir, 'etcdctl')).commands.has('snapshot status');
    // The page says etcdctl 3.6 and later have no `snapshot status`: the binaries must agree.
    expect(lacks).toBe(Number(release.minor.split('.')[1]) >= 6);
    expect(page).toContain('etcdctl 3.6 and later');
    if (!lacks) return;
    const error: unknown = await runScenario({ runbook: PAGE, scenario: 'backup-restore', lab: scenarioLab, source: broken }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as Error).message).toMatch(/etcd-backup-restore\.mdx:\d+ \(block "Check the snapshot"\): "etcdctl snapshot status" is not a command of etcdctl 3\.\d+\.\d+/);
    console.log(`backup-restore on etcd ${release.version}: broken copy rejected: ${(error as Error).message.split('\n')[1]}`);
  });
});
