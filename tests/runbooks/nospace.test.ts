/**
 * Scenario "nospace" (page: /runbooks/etcd-nospace/), against Debian's etcd 3.4: the three members run with a
 * 4 MiB `--quota-backend-bytes`; a few keys are overwritten with 100 kB values until etcd refuses a write with
 * `mvcc: database space exceeded` and raises the NOSPACE alarm. The page is then followed block by block
 * (alarm check, snapshot, compaction, defragmentation leader last, offline defragmentation of cp-2 while it is
 * stopped, size check, disarm, write check), and the test
 * checks the outcome itself:
 * - no alarm is left on any member;
 * - every member's database file shrank below 80 % of the quota (what the page's own check demands);
 * - the current value of every key written before the alarm survived compaction and defragmentation;
 * - a write as large as the ones that filled the quota succeeds again.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EtcdSandbox } from './lib/sandbox';
import { runScenario, type ScenarioReport } from './lib/scenario';
import { endpointStatus, readPrefix, type EndpointStatusRow } from './lib/writer-etcd-ops';

const PAGE = 'src/content/runbooks/etcd-nospace.mdx';
const QUOTA_BACKEND_BYTES = 4 * 1024 * 1024;
const VALUE_BYTES = 100_000;
/** Overwriting a handful of keys builds up history, which is what compaction and defragmentation reclaim. */
const KEY_COUNT = 3;
const FILL_PREFIX = '/scenario/nospace/';
const MAX_FILL_WRITES = 200;

describe('etcd NOSPACE alarm, cleared by following the page against etcd 3.4', () => {
  let sandbox: EtcdSandbox | undefined;
  const latestValues = new Map<string, string>();
  let fillWrites = 0;
  let refusal = '';
  let alarmsBefore = '';
  let statusBefore: EndpointStatusRow[] = [];
  let report: ScenarioReport | undefined;
  let defragOrder: string[] = [];
  let leaderAtDefrag = '';
  let scenarioError: unknown;

  beforeAll(async () => {
    sandbox = await EtcdSandbox.start({ quotaBackendBytes: QUOTA_BACKEND_BYTES });
    for (let write = 0; write < MAX_FILL_WRITES; write += 1) {
      const key = `${FILL_PREFIX}${write % KEY_COUNT}`;
      // Printable, so that the value survives etcdctl's stdin and comes back unchanged.
      const value = randomBytes(VALUE_BYTES / 2).toString('hex');
      try {
        // With no value argument, etcdctl put reads the value from stdin (values this size exceed argv limits).
        await sandbox.etcdctl(['put', key], sandbox.clientUrls, value);
        latestValues.set(key, value);
        fillWrites += 1;
      } catch (error) {
        refusal = error instanceof Error ? error.message : String(error);
        break;
      }
    }
    alarmsBefore = await sandbox.etcdctl(['alarm', 'list']);
    statusBefore = await endpointStatus(sandbox, sandbox.clientUrls);
    try {
      report = await runScenario({
        runbook: PAGE,
        scenario: 'nospace',
        sandbox,
        variables: { QUOTA_BACKEND_BYTES: String(QUOTA_BACKEND_BYTES) },
        afterBlock: async ({ block, readVariable }) => {
          if (block.kind !== 'run' || !block.code.includes('DEFRAG_ORDER=')) return;
          defragOrder = (await readVariable('DEFRAG_ORDER')).split(/\s+/).filter((endpoint) => endpoint !== '');
          if (sandbox) leaderAtDefrag = (await endpointStatus(sandbox, sandbox.clientUrls)).find((row) => row.isLeader)?.endpoint ?? '';
        },
      });
    } catch (error) {
      scenarioError = error;
    }
  }, 180_000);

  afterAll(async () => {
    await sandbox?.close();
  });

  it('filled the quota until etcd raised NOSPACE (the precondition)', () => {
    expect(refusal).toContain('mvcc: database space exceeded');
    expect(alarmsBefore).toMatch(/alarm:NOSPACE/);
    console.log(
      `nospace: ${fillWrites} writes of ${VALUE_BYTES / 1000} kB accepted before the refusal; alarm before: ${alarmsBefore.trim()}; ` +
        `DB sizes before: ${statusBefore.map((row) => `${(row.dbSizeBytes / 1024 / 1024).toFixed(2)} MiB`).join(', ')} ` +
        `of a ${QUOTA_BACKEND_BYTES / 1024 / 1024} MiB quota`,
    );
  });

  it('runs every block of the page without error', () => {
    if (scenarioError) throw scenarioError;
    // The page's offline-defragmentation path runs too, on cp-2: stop it, `etcdctl defrag --data-dir`, start it.
    expect(report?.manualActions).toEqual(['stop-member', 'start-member']);
    console.log(`nospace: ${report?.blocksRun} blocks in ${((report?.durationMs ?? 0) / 1000).toFixed(1)} s`);
  });

  it('defragmented every member once, the leader last', () => {
    if (!sandbox) throw new Error('no sandbox');
    expect([...defragOrder].sort()).toEqual([...sandbox.clientUrls].sort());
    expect(leaderAtDefrag).not.toBe('');
    expect(defragOrder.at(-1)).toBe(leaderAtDefrag);
    console.log(`nospace: defragmentation order ${defragOrder.join(' -> ')} (leader ${leaderAtDefrag})`);
  });

  it('leaves no alarm on any member', async () => {
    if (!sandbox) throw new Error('no sandbox');
    expect((await sandbox.etcdctl(['alarm', 'list'])).trim()).toBe('');
    const status = await endpointStatus(sandbox, sandbox.clientUrls);
    expect(status).toHaveLength(3);
    for (const row of status) expect(row.alarms).toEqual([]);
  });

  it('shrinks every database below 80 % of the quota', async () => {
    if (!sandbox) throw new Error('no sandbox');
    const status = await endpointStatus(sandbox, sandbox.clientUrls);
    for (const row of status) expect(row.dbSizeBytes).toBeLessThan(QUOTA_BACKEND_BYTES * 0.8);
    console.log(`nospace: DB sizes after: ${status.map((row) => `${(row.dbSizeBytes / 1024).toFixed(0)} KiB`).join(', ')}`);
  });

  it('keeps the current value of every key', async () => {
    if (!sandbox) throw new Error('no sandbox');
    const stored = await readPrefix(sandbox, FILL_PREFIX, sandbox.clientUrls);
    expect(stored.size).toBe(KEY_COUNT);
    for (const [key, value] of latestValues) expect(stored.get(key) === value, `${key} kept its last value`).toBe(true);
  });

  it('accepts a write as large as those that hit the quota', async () => {
    if (!sandbox) throw new Error('no sandbox');
    const value = randomBytes(VALUE_BYTES / 2).toString('hex');
    expect((await sandbox.etcdctl(['put', `${FILL_PREFIX}after`], sandbox.clientUrls, value)).trim()).toBe('OK');
    expect((await readPrefix(sandbox, `${FILL_PREFIX}after`, sandbox.clientUrls)).get(`${FILL_PREFIX}after`)).toBe(value);
  });

  it('left the snapshot the page took before compacting', () => {
    if (!sandbox) throw new Error('no sandbox');
    expect(readdirSync(sandbox.backupDir).filter((name) => name.startsWith('before-nospace-') && name.endsWith('.db'))).toHaveLength(1);
  });
});
