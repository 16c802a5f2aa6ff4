/**
 * The scheduled backup script on /runbooks/etcd-backup-restore/ ("/usr/local/sbin/etcd-backup") is not a
 * verified block: it names kubeadm's paths and needs systemd and a backup host. This test runs it anyway, with
 * only its path and URL literals pointed into the sandbox and `scp` replaced by a stand-in that records what
 * would be sent, and checks what it leaves behind: an encrypted snapshot that decrypts to the checksummed bytes
 * and restores to the cluster's keys, the plain snapshot removed, both files sent, old local copies pruned.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureBackupKey } from './lib/backup';
import { extractCodeBlocks } from './lib/extract-blocks';
import { expectedValue, keyName, writeKeys } from './lib/keys';
import { EtcdSandbox } from './lib/sandbox';
import { REPO_ROOT } from './lib/scenario';

const PAGE = path.join(REPO_ROOT, 'src/content/runbooks/etcd-backup-restore.mdx');
const SCRIPT_TITLE = '/usr/local/sbin/etcd-backup';
const PREFIX = '/registry/handbook-check/backup-script/';
const KEY_COUNT = 200;
const DAY_MS = 24 * 60 * 60 * 1000;

describe('the scheduled backup script, run against the sandbox', () => {
  let sandbox: EtcdSandbox;
  let backupDir: string;
  let sentLog: string;
  let keyFile: string;
  let status: number | null = null;
  let output = '';

  beforeAll(async () => {
    sandbox = await EtcdSandbox.start();
    await writeKeys(sandbox, PREFIX, KEY_COUNT);
    backupDir = sandbox.backupDir;
    keyFile = path.join(sandbox.root, 'etcd-backup.key');
    ensureBackupKey(keyFile);
    // A copy older than the script's three days, and a young one: only the old one may go.
    for (const [name, ageDays] of [['etcd-snapshot-cp-1-old.db.enc', 5], ['etcd-snapshot-cp-1-young.db.enc', 1]] as const) {
      const file = path.join(backupDir, name);
      writeFileSync(file, 'placeholder');
      const when = new Date(Date.now() - ageDays * DAY_MS);
      utimesSync(file, when, when);
    }

    const block = extractCodeBlocks(readFileSync(PAGE, 'utf8')).find((each) => each.meta['title'] === SCRIPT_TITLE);
    if (!block) throw new Error(`no block titled ${SCRIPT_TITLE} on the page`);
    const replacements: [string, string][] = [
      ['https://127.0.0.1:2379', sandbox.node(1).clientUrl],
      ['/etc/kubernetes/pki/etcd/healthcheck-client', path.join(sandbox.pki.dir, 'healthcheck-client')],
      ['/etc/kubernetes/pki/etcd/ca.crt', sandbox.pki.caCert],
      ['/var/backups/etcd', backupDir],
      ['/etc/kubernetes/etcd-backup.key', keyFile],
      ['etcd-backup@backup.example.internal:/srv/etcd-backups/', 'backup-host:/srv/etcd-backups/'],
    ];
    let script = block.code;
    for (const [from, to] of replacements) {
      if (!script.includes(from)) throw new Error(`the script no longer contains ${from}; update this test`);
      script = script.replaceAll(from, to);
    }
    const bin = path.join(sandbox.root, 'bin');
    mkdirSync(bin);
    sentLog = path.join(sandbox.root, 'sent.log');
    // Stand-in for scp: records each file and the destination instead of copying to a backup host.
    writeFileSync(path.join(bin, 'scp'), `#!/bin/sh\nfor arg in "$@"; do case "$arg" in -*) ;; *) echo "$arg" >> ${JSON.stringify(sentLog)} ;; esac; done\n`);
    chmodSync(path.join(bin, 'scp'), 0o755);
    const scriptFile = path.join(sandbox.root, 'etcd-backup');
    writeFileSync(scriptFile, script, { mode: 0o700 });
    const result = spawnSync('bash', [scriptFile], {
      encoding: 'utf8',
      env: { PATH: `${bin}:${process.env['PATH'] ?? '/usr/bin:/bin'}`, HOME: sandbox.root, LANG: 'C.UTF-8' },
      timeout: 60_000,
    });
    status = result.status;
    output = `${result.stdout}\n${result.stderr}`;
  }, 90_000);

  afterAll(async () => {
    await sandbox?.close();
  });

  test('exits 0 and prints the snapshot status table', () => {
    expect(status, output).toBe(0);
    expect(output).toMatch(/\|\s+HASH\s+\|\s+REVISION\s+\|\s+TOTAL KEYS\s+\|\s+TOTAL SIZE\s+\|/);
  });

  test('leaves an encrypted snapshot that decrypts to the checksummed bytes and restores every key', () => {
    const encrypted = readdirSync(backupDir).filter((name) => /^etcd-snapshot-.+-\d{8}-\d{6}\.db\.enc$/.test(name));
    expect(encrypted).toHaveLength(1);
    const encFile = path.join(backupDir, encrypted[0] ?? '');
    const plainFile = encFile.replace(/\.enc$/, '');
    expect(existsSync(plainFile), 'the plain snapshot must be removed').toBe(false);
    const decrypted = execFileSync('openssl', ['enc', '-d', '-aes-256-cbc', '-pbkdf2', '-iter', '200000', '-pass', `file:${keyFile}`, '-in', encFile]);
    const [recorded, recordedName] = readFileSync(`${plainFile}.sha256`, 'utf8').trim().split(/\s+/);
    expect(createHash('sha256').update(decrypted).digest('hex')).toBe(recorded);
    expect(recordedName).toBe(path.basename(plainFile));

    writeFileSync(plainFile, decrypted, { mode: 0o600 });
    const restoredDir = path.join(sandbox.root, 'script-restore-check');
    execFileSync('etcdctl', ['snapshot', 'restore', plainFile, '--data-dir', restoredDir], { stdio: 'ignore', env: { PATH: process.env['PATH'] ?? '' } });
    // Every key is in the restored bolt database; etcd stores keys and values as written, so both appear in it.
    const database = readFileSync(path.join(restoredDir, 'member/snap/db'));
    let found = 0;
    for (let index = 0; index < KEY_COUNT; index += 1) {
      if (database.includes(Buffer.from(keyName(PREFIX, index))) && database.includes(Buffer.from(expectedValue(index)))) found += 1;
    }
    console.log(`backup script: ${path.basename(encFile)} decrypts to the recorded sha256 ${recorded?.slice(0, 12)}…; ${found} of ${KEY_COUNT} keys and values in the restored database`);
    expect(found).toBe(KEY_COUNT);
  });

  test('sends the encrypted snapshot and its checksum off the node, and prunes only local copies older than 3 days', () => {
    const sent = readFileSync(sentLog, 'utf8').trim().split('\n').map((line) => path.basename(line));
    expect(sent).toHaveLength(3);
    expect(sent[0]).toMatch(/\.db\.enc$/);
    expect(sent[1]).toMatch(/\.db\.sha256$/);
    expect(sent[2]).toBe('etcd-backups');
    const left = readdirSync(backupDir);
    console.log(`backup script: sent ${sent.slice(0, 2).join(' and ')}; local folder now holds ${left.length} files`);
    expect(left).not.toContain('etcd-snapshot-cp-1-old.db.enc');
    expect(left).toContain('etcd-snapshot-cp-1-young.db.enc');
  });
});
