/**
 * Scenario "backup-script": the scheduled backup script on /runbooks/etcd-backup-restore/
 * ("/usr/local/sbin/etcd-backup", `verify="backup-script:config"`) installed unchanged on every lab node and run
 * there, once per etcd minor. The script's paths are kubeadm's, its etcd endpoint the node's own member
 * (https://127.0.0.1:2379), its backup host the lab's (the scp shim copies to it). Systemd, which only schedules
 * it, is not part of the lab. Checked: it exits 0 and prints the snapshot status table (not etcdctl's help), each
 * node leaves an encrypted snapshot and checksum on the backup host that decrypt to the checksummed bytes and hold
 * the cluster's keys, no plain snapshot is left on a node, and only local copies older than three days are pruned.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { extractCodeBlocks } from './lib/extract-blocks';
import { writeKeys } from './lib/keys';
import { labClient, matrix } from './lib/lab';
import { ScenarioRun } from './lib/matrix';
import { inNode, nodeEnvironment, REPO_ROOT, type ScenarioReport } from './lib/scenario';

const PAGE = 'src/content/runbooks/etcd-backup-restore.mdx';
const PREFIX = '/registry/handbook-check/backup-script/';
const KEY_COUNT = 200;
const DAY_MS = 24 * 60 * 60 * 1000;

describe.each(matrix())('the scheduled backup script, run unchanged on every node on etcd $version', (release) => {
  const run = new ScenarioRun(PAGE, 'backup-script', release);
  const outputs = new Map<number, { status: number | null; output: string }>();

  beforeAll(async () => {
    await run.go(async (lab, scenarioLab): Promise<ScenarioReport> => {
      const started = Date.now();
      const source = readFileSync(path.join(REPO_ROOT, PAGE), 'utf8');
      const block = extractCodeBlocks(source).find((each) => each.meta['verify'] === 'backup-script:config');
      if (!block) throw new Error(`${PAGE} has no block marked verify="backup-script:config"`);
      await writeKeys(labClient(lab), PREFIX, KEY_COUNT);
      for (const node of lab.nodes) {
        // What the page's "Take a snapshot" steps leave on every node: the backup key.
        inNode(scenarioLab, node.index, 'umask 077 && mkdir -p /var/backups/etcd && openssl rand -base64 48 > /etc/kubernetes/etcd-backup.key');
        writeFileSync(lab.hostPath(node.index, '/usr/local/sbin/etcd-backup'), `${block.code}\n`, { mode: 0o700 });
        // A copy older than the script's three days, and a young one: only the old one may go.
        for (const [name, ageDays] of [['etcd-snapshot-old.db.enc', 5], ['etcd-snapshot-young.db.enc', 1]] as const) {
          const file = lab.hostPath(node.index, `/var/backups/etcd/${name}`);
          writeFileSync(file, 'placeholder');
          const when = new Date(Date.now() - ageDays * DAY_MS);
          utimesSync(file, when, when);
        }
      }
      for (const node of scenarioLab.nodes) {
        const [program = 'nsenter', ...args] = [...node.enter, '/usr/local/sbin/etcd-backup'];
        try {
          const output = execFileSync(program, args, { encoding: 'utf8', env: nodeEnvironment(scenarioLab, node), stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
          outputs.set(node.index, { status: 0, output });
        } catch (error) {
          const failed = error as { status: number | null; stdout?: string; stderr?: string };
          outputs.set(node.index, { status: failed.status, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` });
        }
      }
      const failures = [...outputs].filter(([, result]) => result.status !== 0);
      if (failures.length > 0) throw new Error(`the script failed on ${failures.map(([index, result]) => `cp-${index} (exit ${result.status}):\n${result.output}`).join('\n')}`);
      return { file: PAGE, ranLines: [block.line], blockRuns: lab.nodes.length, otherVersionBlocks: 0, durationMs: Date.now() - started, variables: {}, outputs: {} };
    });
  });

  afterAll(async () => {
    await run.finish();
  });

  run.pageRan();

  run.check('prints the snapshot status table on every node, not a help text', () => {
    for (const [index, result] of outputs) {
      // etcdutl 3.5 and 3.6 draw the table with | and +, 3.7 with box-drawing characters.
      expect(result.output, `cp-${index}`).toMatch(/[|│]\s+HASH\s+[|│]\s+REVISION\s+[|│]\s+TOTAL KEYS\s+[|│]/);
      expect(result.output, `cp-${index}`).not.toMatch(/^COMMANDS:/m);
    }
    run.outcome(`exit 0 and a snapshot status table on ${outputs.size} nodes`);
  });

  run.check("each node's encrypted snapshot on the backup host decrypts to its checksummed bytes and holds the cluster's keys", (lab) => {
    const remote = path.join(run.scenarioLab?.backupHostDir ?? '', 'srv/etcd-backups');
    const sent = readdirSync(remote).sort();
    let verified = 0;
    for (const node of lab.nodes) {
      const encrypted = sent.filter((name) => new RegExp(`^etcd-snapshot-${node.name}-\\d{8}-\\d{6}\\.db\\.enc$`).test(name));
      expect(encrypted, node.name).toHaveLength(1);
      const plainName = (encrypted[0] ?? '').replace(/\.enc$/, '');
      const keyFile = lab.hostPath(node.index, '/etc/kubernetes/etcd-backup.key');
      const plain = execFileSync('openssl', ['enc', '-d', '-aes-256-cbc', '-pbkdf2', '-iter', '200000', '-pass', `file:${keyFile}`, '-in', path.join(remote, `${plainName}.enc`)]);
      const [recorded, recordedName] = readFileSync(path.join(remote, `${plainName}.sha256`), 'utf8').trim().split(/\s+/);
      expect(recordedName).toBe(plainName);
      expect(createHash('sha256').update(plain).digest('hex')).toBe(recorded);
      const decrypted = path.join(run.scenarioLab?.backupHostDir ?? '', `${node.name}.db`);
      writeFileSync(decrypted, plain);
      const status = JSON.parse(execFileSync(path.join(release.binDir, 'etcdutl'), ['snapshot', 'status', decrypted, '-w', 'json'], { encoding: 'utf8' })) as { totalKey: number };
      expect(status.totalKey).toBeGreaterThanOrEqual(KEY_COUNT);
      verified += 1;
    }
    run.outcome(`backup host: ${verified} encrypted snapshots decrypt to their sha256 and hold ≥ ${KEY_COUNT} keys each`);
  });

  run.check('no plain snapshot stays on a node; only local copies older than three days are pruned', (lab) => {
    for (const node of lab.nodes) {
      const local = readdirSync(lab.hostPath(node.index, '/var/backups/etcd'));
      expect(local.filter((name) => name.endsWith('.db')), node.name).toEqual([]);
      expect(local, node.name).toContain('etcd-snapshot-young.db.enc');
      expect(local, node.name).not.toContain('etcd-snapshot-old.db.enc');
    }
    run.outcome('plain snapshots left: 0; pruned the 5-day-old copy, kept the 1-day-old one, on every node');
  });
});
