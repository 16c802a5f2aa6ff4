/**
 * Scenario "quorum-loss" (page: /runbooks/etcd-quorum-loss/) on the lab's three kubeadm-style nodes, once per etcd
 * minor. 1,000 keys are written and an encrypted backup in the backup runbook's format is left on cp-1; 40 more
 * keys are written after it. Then cp-2 and cp-3 fail for good: their kubelets stop, their pods die, their etcd data
 * directories are deleted. The page is followed as written: assess on cp-1, snapshot the survivor, decrypt the
 * backup, choose the snapshot with the higher revision, copy it to cp-2 and cp-3 and select it there, move
 * kube-apiserver and etcd manifests out on every node, restore every member into /var/lib/etcd-restored, point
 * each etcd.yaml there and move it back, check. Once the page has moved the old manifests out on cp-2 and cp-3,
 * their kubelets are started again (the nodes were repaired), as the page's step 6 asks. The test then checks that
 * every key written before the backup is back, and the 40 written after it too (the survivor's newer snapshot was
 * chosen), on a new three-member cluster.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { clusterId, expectedValue, keyName, readKeys, writeKeys } from './lib/keys';
import { destroyDataDir, failNode, labClient, matrix, startKubelet } from './lib/lab';
import { ScenarioRun } from './lib/matrix';
import { inNode, runScenario } from './lib/scenario';

const PAGE = 'src/content/runbooks/etcd-quorum-loss.mdx';
const BEFORE_BACKUP = '/registry/handbook-check/quorum-loss/before-backup/';
const AFTER_BACKUP = '/registry/handbook-check/quorum-loss/after-backup/';
const KEY_COUNT = 1000;
const AFTER_BACKUP_COUNT = 40;
const LOST_NODES = [2, 3];

/** The backup runbook's encrypted backup, made on cp-1 the way its steps 3 to 6 make one. */
const MAKE_BACKUP = `set -euo pipefail
umask 077
mkdir -p /var/backups/etcd
openssl rand -base64 48 > /etc/kubernetes/etcd-backup.key
file=/var/backups/etcd/etcd-snapshot-cp-1-20261201-000000.db
etcdctl --endpoints=https://10.0.0.11:2379 --cacert=/etc/kubernetes/pki/etcd/ca.crt --cert=/etc/kubernetes/pki/etcd/healthcheck-client.crt --key=/etc/kubernetes/pki/etcd/healthcheck-client.key snapshot save "$file" >/dev/null 2>&1
(cd /var/backups/etcd && sha256sum "$(basename "$file")" > "$file.sha256")
openssl enc -aes-256-cbc -pbkdf2 -iter 200000 -salt -pass file:/etc/kubernetes/etcd-backup.key -in "$file" -out "$file.enc"
rm -- "$file"`;

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

describe.each(matrix())('etcd quorum loss, followed from the page on etcd $version', (release) => {
  const run = new ScenarioRun(PAGE, 'quorum-loss', release);
  let clusterIdBefore = '';

  beforeAll(async () => {
    await run.go(async (lab, scenarioLab) => {
      const client = labClient(lab);
      await writeKeys(client, BEFORE_BACKUP, KEY_COUNT);
      inNode(scenarioLab, 1, MAKE_BACKUP);
      await writeKeys(client, AFTER_BACKUP, AFTER_BACKUP_COUNT);
      clusterIdBefore = clusterId(await client.etcdctl(['member', 'list', '-w', 'json']));
      for (const index of LOST_NODES) {
        await failNode(lab, index);
        destroyDataDir(lab, index);
      }
      return runScenario({
        runbook: PAGE,
        scenario: 'quorum-loss',
        lab: scenarioLab,
        afterBlock: async ({ block, node, log }) => {
          // The page moved the old manifests out on every node: the repaired nodes may run kubelet again.
          if (block.code.includes('mv "$MANIFEST_DIR/etcd.yaml" "$MANIFEST_HOLD_DIR/"') && node === block.nodes.at(-1)) {
            for (const index of LOST_NODES) await startKubelet(lab, index);
            log(`    test: kubelet started again on ${LOST_NODES.map((index) => lab.node(index).name).join(' and ')}`);
          }
        },
      });
    });
  });

  afterAll(async () => {
    await run.finish();
  });

  run.pageRan();

  run.check("the page's assessment saw quorum lost: 3 members, 1 answering, 2 needed", (lab) => {
    const assessment = run.report?.outputs['Assess quorum'] ?? '';
    run.outcome(`the page printed "${/members: .*/.exec(assessment)?.[0]}" and "${/answering: h.*/.exec(assessment)?.[0]}"`);
    expect(assessment).toContain('members: 3, answering: 1, quorum needs: 2');
    expect(assessment).toContain(`answering: ${lab.node(1).clientUrl}`);
  });

  run.check('every key written before the backup is back, none changed', async (lab) => {
    const keys = await readKeys(labClient(lab), BEFORE_BACKUP);
    const result = compare(keys, BEFORE_BACKUP, KEY_COUNT);
    run.outcome(`keys compared: ${KEY_COUNT} written before the backup: ${result.lost} lost, ${result.changed} changed`);
    expect({ ...result, present: keys.size }).toEqual({ lost: 0, changed: 0, present: KEY_COUNT });
  });

  run.check("the page chose the survivor's newer snapshot, so the keys written after the backup are back too", async (lab) => {
    const keys = await readKeys(labClient(lab), AFTER_BACKUP);
    const result = compare(keys, AFTER_BACKUP, AFTER_BACKUP_COUNT);
    const chosen = (run.report?.outputs['Choose the newest snapshot'] ?? '').trim();
    run.outcome(`${chosen}; keys written after the backup: ${AFTER_BACKUP_COUNT}, ${result.lost} lost, ${result.changed} changed`);
    const revisions = /^survivor revision (\d+), backup revision (\d+): restoring \/var\/backups\/etcd\/etcd-survivor-\d{8}-\d{6}\.db$/m.exec(chosen);
    expect(revisions).not.toBeNull();
    expect(Number(revisions?.[1])).toBeGreaterThan(Number(revisions?.[2]));
    expect({ ...result, present: keys.size }).toEqual({ lost: 0, changed: 0, present: AFTER_BACKUP_COUNT });
  });

  run.check('a new three-member cluster, all healthy, each node on /var/lib/etcd-restored, no alarm', async (lab) => {
    const client = labClient(lab);
    const json = await client.etcdctl(['member', 'list', '-w', 'json']);
    const names = (JSON.parse(json.replace(/"ID":(\d+)/g, '"ID":"$1"')) as { members: { name: string }[] }).members.map((member) => member.name).sort();
    await client.etcdctl(['endpoint', 'health']);
    const alarms = (await client.etcdctl(['alarm', 'list'])).trim();
    const restored = lab.nodes.filter((node) => /path: \/var\/lib\/etcd-restored$/m.test(readFileSync(lab.hostPath(node.index, '/etc/kubernetes/manifests/etcd.yaml'), 'utf8'))).length;
    run.outcome(`members: ${names.join(', ')}, all healthy; cluster ID ${clusterIdBefore} before, ${clusterId(json)} after; ${restored} of 3 manifests on the restored data; alarms: ${alarms || 'none'}`);
    expect(names).toEqual(['cp-1', 'cp-2', 'cp-3']);
    expect(clusterId(json)).not.toBe(clusterIdBefore);
    expect(restored).toBe(3);
    expect(alarms).toBe('');
  });
});
