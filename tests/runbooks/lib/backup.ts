/**
 * A backup in the format the backup runbook (/runbooks/etcd-backup-restore/, "Take a snapshot") leaves behind:
 * `<name>.db.enc` (AES-256-CBC, key from PBKDF2 over the key file, 200,000 iterations) and `<name>.db.sha256`
 * (checksum of the plain snapshot, with the bare file name), the plain snapshot removed. Scenarios that start
 * from "your last backup" use it to set the scene.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { EtcdSandbox } from './sandbox';

export function ensureBackupKey(keyFile: string): void {
  if (existsSync(keyFile)) return;
  writeFileSync(keyFile, execFileSync('openssl', ['rand', '-base64', '48']), { mode: 0o600 });
}

/** Takes a snapshot from member `nodeIndex`, writes its checksum, encrypts it and removes the plain file. */
export async function makeEncryptedBackup(sandbox: EtcdSandbox, snapshotFile: string, keyFile: string, nodeIndex = 1): Promise<void> {
  ensureBackupKey(keyFile);
  await sandbox.etcdctl(['snapshot', 'save', snapshotFile], [sandbox.node(nodeIndex).clientUrl]);
  const sha256 = createHash('sha256').update(readFileSync(snapshotFile)).digest('hex');
  writeFileSync(`${snapshotFile}.sha256`, `${sha256}  ${path.basename(snapshotFile)}\n`);
  execFileSync('openssl', ['enc', '-aes-256-cbc', '-pbkdf2', '-iter', '200000', '-salt', '-pass', `file:${keyFile}`, '-in', snapshotFile, '-out', `${snapshotFile}.enc`]);
  rmSync(snapshotFile);
}
