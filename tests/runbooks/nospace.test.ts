/**
 * Scenario "nospace" (page: /runbooks/etcd-nospace/) on the lab's three kubeadm-style nodes, once per etcd minor.
 * Each node's etcd.yaml gets `--quota-backend-bytes=4194304` (4 MiB; kubelet restarts the member), then a few keys
 * are overwritten with 100 kB values until etcd refuses a write with `mvcc: database space exceeded` and raises
 * the NOSPACE alarm. The page is then followed as written (alarm check, snapshot, compaction, defragmentation
 * leader last; on cp-2 the offline path: manifest out, `etcdutl defrag`, manifest back; wait until every member
 * answers; size check, disarm, write check; then "Raise the quota", one node after the other, to 8 GiB), and the test
 * checks the outcome itself:
 * - no alarm is left on any member;
 * - every member's database file shrank below 80 % of the quota;
 * - the current value of every key written before the alarm survived compaction and defragmentation;
 * - a write as large as the ones that filled the quota succeeds again;
 * - every node's manifest carries the raised quota (the page changes the existing 4 MiB flag), each member reports it
 *   (etcd 3.6 and later print `dbSizeQuota`), and the manifest as it was is saved beside the backups.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { labClient, matrix } from './lib/lab';
import { ScenarioRun } from './lib/matrix';
import { runScenario } from './lib/scenario';
import { endpointStatus, readPrefix, type EndpointStatusRow } from './lib/writer-etcd-ops';

const PAGE = 'src/content/runbooks/etcd-nospace.mdx';
const QUOTA_BACKEND_BYTES = 4 * 1024 * 1024;
const VALUE_BYTES = 100_000;
/** Overwriting a handful of keys builds up history, which is what compaction and defragmentation reclaim. */
const KEY_COUNT = 3;
const FILL_PREFIX = '/scenario/nospace/';
const MAX_FILL_WRITES = 200;

describe.each(matrix())('etcd NOSPACE alarm, cleared by following the page on etcd $version', (release) => {
  const run = new ScenarioRun(PAGE, 'nospace', release);
  const latestValues = new Map<string, string>();
  let fillWrites = 0;
  let refusal = '';
  /**
   * The write that etcd refused. The refusal can come from the quota check before the proposal (nothing stored) or
   * from the one at apply time, which stores the put and then answers ErrNoSpace (quotaApplierV3.Put in
   * server/etcdserver/apply.go at v3.5.35, apply/apply.go at v3.6.16, apply/quota.go at v3.7.3): so its key may
   * hold either value afterwards.
   */
  let refusedWrite: { key: string; value: string } | undefined;
  let alarmsBefore = '';
  let statusBefore: EndpointStatusRow[] = [];
  let defragOrder: string[] = [];
  let leaderAtDefrag = '';

  beforeAll(async () => {
    await run.go(async (lab, scenarioLab) => {
      const client = labClient(lab);
      // The quota, as kubeadm's etcd.local.extraArgs would put it in the manifest; one member at a time.
      for (const node of lab.nodes) {
        const before = lab.runningPod(node.index, 'etcd');
        await lab.check(node.index, `sed -i 's|^\\( *\\)- --data-dir=\\(.*\\)|&\\n\\1- --quota-backend-bytes=${QUOTA_BACKEND_BYTES}|' /etc/kubernetes/manifests/etcd.yaml`);
        await lab.waitForPod(node.index, { running: true, ...(before ? { notId: before.id } : {}), timeoutMs: 60_000 });
        await lab.waitHealthy();
      }
      for (let write = 0; write < MAX_FILL_WRITES; write += 1) {
        const key = `${FILL_PREFIX}${write % KEY_COUNT}`;
        // Printable, so that the value survives etcdctl's stdin and comes back unchanged.
        const value = randomBytes(VALUE_BYTES / 2).toString('hex');
        try {
          // With no value argument, etcdctl put reads the value from stdin (values this size exceed argv limits).
          await client.etcdctl(['put', key], lab.clientUrls, value);
          latestValues.set(key, value);
          fillWrites += 1;
        } catch (error) {
          refusal = error instanceof Error ? error.message : String(error);
          refusedWrite = { key, value };
          break;
        }
      }
      alarmsBefore = await client.etcdctl(['alarm', 'list']);
      statusBefore = await endpointStatus(client, lab.clientUrls);
      return runScenario({
        runbook: PAGE,
        scenario: 'nospace',
        lab: scenarioLab,
        afterBlock: async ({ block, readVariable }) => {
          if (!block.code.includes('DEFRAG_ORDER=')) return;
          defragOrder = (await readVariable('DEFRAG_ORDER')).split(/\s+/).filter((endpoint) => endpoint !== '');
          leaderAtDefrag = (await endpointStatus(client, lab.clientUrls)).find((row) => row.isLeader)?.endpoint ?? '';
        },
      });
    });
  });

  afterAll(async () => {
    await run.finish();
  });

  run.pageRan();

  run.check('filled the quota until etcd raised NOSPACE (the precondition)', () => {
    run.outcome(
      `${fillWrites} writes of ${VALUE_BYTES / 1000} kB accepted before the refusal; alarm before: ${alarmsBefore.trim().split('\n').length} member(s) NOSPACE; ` +
        `DB sizes before: ${statusBefore.map((row) => `${(row.dbSizeBytes / 1024 / 1024).toFixed(2)} MiB`).join(', ')} of a ${QUOTA_BACKEND_BYTES / 1024 / 1024} MiB quota`,
    );
    expect(refusal).toContain('mvcc: database space exceeded');
    expect(alarmsBefore).toMatch(/alarm:NOSPACE/);
  });

  run.check('defragmented every member once, the leader last', (lab) => {
    run.outcome(`defragmentation order ${defragOrder.join(' -> ')} (leader ${leaderAtDefrag})`);
    expect([...defragOrder].sort()).toEqual([...lab.clientUrls].sort());
    expect(leaderAtDefrag).not.toBe('');
    expect(defragOrder.at(-1)).toBe(leaderAtDefrag);
  });

  run.check('leaves no alarm on any member, and every database below 80 % of the quota', async (lab) => {
    const client = labClient(lab);
    const alarms = (await client.etcdctl(['alarm', 'list'])).trim();
    const status = await endpointStatus(client, lab.clientUrls);
    run.outcome(`alarms after: ${alarms || 'none'}; DB sizes after: ${status.map((row) => `${(row.dbSizeBytes / 1024).toFixed(0)} KiB`).join(', ')}`);
    expect(alarms).toBe('');
    expect(status).toHaveLength(3);
    for (const row of status) {
      expect(row.alarms).toEqual([]);
      expect(row.dbSizeBytes).toBeLessThan(QUOTA_BACKEND_BYTES * 0.8);
    }
  });

  run.check('keeps the current value of every key, and accepts a write as large as those that hit the quota', async (lab) => {
    const client = labClient(lab);
    const stored = await readPrefix(client, FILL_PREFIX, lab.clientUrls);
    expect(stored.size).toBe(KEY_COUNT);
    let refusedStored = false;
    for (const [key, value] of latestValues) {
      const found = stored.get(key);
      if (refusedWrite?.key === key && found === refusedWrite.value) {
        refusedStored = true;
        continue;
      }
      expect(found === value, `${key} kept its last acknowledged value`).toBe(true);
    }
    const value = randomBytes(VALUE_BYTES / 2).toString('hex');
    expect((await client.etcdctl(['put', `${FILL_PREFIX}after`], lab.clientUrls, value)).trim()).toBe('OK');
    expect((await readPrefix(client, `${FILL_PREFIX}after`, lab.clientUrls)).get(`${FILL_PREFIX}after`)).toBe(value);
    run.outcome(
      `keys compared: ${KEY_COUNT} latest values kept (${refusedStored ? 'the refused write had been applied: etcd stores a put that crosses the quota at apply time and still answers NOSPACE' : 'the refused write was not stored'}); a ${VALUE_BYTES / 1000} kB write accepted afterwards`,
    );
  });

  run.check('raised the quota on every member, one node after the other, and saved each old manifest', async (lab) => {
    const raised = 8 * 1024 * 1024 * 1024;
    const client = labClient(lab);
    for (const node of lab.nodes) {
      const quotaLines = (file: string) => readFileSync(lab.hostPath(node.index, file), 'utf8').split('\n').map((line) => line.trim()).filter((line) => line.includes('--quota-backend-bytes'));
      expect(quotaLines('/etc/kubernetes/manifests/etcd.yaml'), node.name).toEqual([`- --quota-backend-bytes=${raised}`]);
      expect(quotaLines('/var/backups/etcd/etcd.yaml.before-quota'), node.name).toEqual([`- --quota-backend-bytes=${QUOTA_BACKEND_BYTES}`]);
    }
    const quotas = (await client.etcdctl(['endpoint', 'status', '-w', 'json'], lab.clientUrls)).match(/"dbSizeQuota":\d+/g) ?? [];
    // etcd 3.5's StatusResponse has no quota field; 3.6 added dbSizeQuota (etcd api/v3 etcdserverpb StatusResponse).
    if (release.minor === '3.5') expect(quotas).toEqual([]);
    else expect(quotas).toEqual(Array(3).fill(`"dbSizeQuota":${raised}`));
    run.outcome(`quota raised to ${raised} bytes on ${lab.nodes.length} members one after the other${release.minor === '3.5' ? '' : `; members report ${quotas.join(', ')}`}`);
  });

  run.check('left the snapshot the page took before compacting', (lab) => {
    expect(readdirSync(lab.hostPath(1, '/var/backups/etcd')).filter((name) => name.startsWith('before-nospace-') && name.endsWith('.db'))).toHaveLength(1);
  });

  run.proven();
});
