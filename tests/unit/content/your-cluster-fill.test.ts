/**
 * "Your cluster" values in set-up blocks: whatever a reader types comes out of bash as the same string and runs
 * nothing. The filled block is run by a real bash in an empty directory and the exported values are compared
 * with what was typed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLUSTER_FIELDS } from '../../../src/lib/your-cluster/fields';
import { fillBlock, fillLine, shellQuote } from '../../../src/lib/your-cluster/fill';

const BLOCK = [
  '# Each control-plane node',
  'export CP1_NAME=cp-1 CP1_CLIENT_URL=https://10.0.0.11:2379   # a comment with cp-1',
  'export ETCDCTL_ENDPOINTS=https://10.0.0.11:2379,https://10.0.0.12:2379,https://10.0.0.13:2379',
  'export CP2_NAME=cp-2',
  'export INITIAL_CLUSTER="$CP1_NAME=https://10.0.0.11:2380"',
  'export BACKUP_REMOTE=etcd-backup@backup.example.internal:/srv/etcd-backups/',
  'export OTHER=10.0.0.110',
].join('\n');

let dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

/** Runs the block in bash in a fresh directory; returns the named variables and the files that appeared. */
function runInBash(code: string, names: string[]): { values: Record<string, string>; files: string[] } {
  const dir = mkdtempSync(path.join(tmpdir(), 'your-cluster-'));
  dirs.push(dir);
  const script = `${code}\nprintf '%s\\0' ${names.map((name) => `"$${name}"`).join(' ')}`;
  const output = execFileSync('bash', ['--noprofile', '--norc', '-c', script], { cwd: dir, encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' } });
  const parts = output.split('\0');
  return { values: Object.fromEntries(names.map((name, index) => [name, parts[index] ?? ''])), files: readdirSync(dir) };
}

describe('shellQuote', () => {
  it.each(["a'b", '$(touch pwned)', '`touch pwned`', 'line one\nline two', '', ' spaces  ', '\\n', '!!', "''", 'plain-1.2:3'])(
    'bash reads %j back unchanged',
    (value) => {
      const { values, files } = runInBash(`export V=${shellQuote(value)}`, ['V']);
      expect(values['V']).toBe(value);
      expect(files).toEqual([]);
    },
  );
});

describe('fillBlock', () => {
  it('without values the block is unchanged and the examples are marked', () => {
    expect(fillBlock(BLOCK, CLUSTER_FIELDS, {})).toBe(BLOCK);
    const segments = fillLine('export CP1_NAME=cp-1 CP1_CLIENT_URL=https://10.0.0.11:2379', CLUSTER_FIELDS, {});
    expect(segments.filter((segment) => segment.kind === 'example').map((segment) => segment.text)).toEqual(['cp-1', '10.0.0.11']);
  });

  it('hostile values come out of bash as typed, and nothing runs', () => {
    const typed = { cp1Name: "a'b", cp1Ip: '$(touch pwned)', cp2Name: '`touch pwned2`', backupRemote: 'x\ntouch pwned3', cp2Ip: '10.9.9.9' };
    const filled = fillBlock(BLOCK, CLUSTER_FIELDS, typed);
    const { values, files } = runInBash(filled, ['CP1_NAME', 'CP1_CLIENT_URL', 'ETCDCTL_ENDPOINTS', 'CP2_NAME', 'INITIAL_CLUSTER', 'BACKUP_REMOTE', 'OTHER']);
    expect(files).toEqual([]);
    expect(values).toEqual({
      CP1_NAME: "a'b",
      CP1_CLIENT_URL: 'https://$(touch pwned):2379',
      ETCDCTL_ENDPOINTS: 'https://$(touch pwned):2379,https://10.9.9.9:2379,https://10.0.0.13:2379',
      CP2_NAME: '`touch pwned2`',
      // Quoted values are left as written: the example inside stays (and is not marked as filled).
      INITIAL_CLUSTER: "a'b=https://10.0.0.11:2380",
      BACKUP_REMOTE: 'x\ntouch pwned3',
      // 10.0.0.110 is not the example 10.0.0.11.
      OTHER: '10.0.0.110',
    });
  });

  it('keeps the trailing comment and leaves comment lines alone', () => {
    const filled = fillBlock(BLOCK, CLUSTER_FIELDS, { cp1Name: 'master-a' });
    expect(filled.split('\n')[0]).toBe('# Each control-plane node');
    expect(filled.split('\n')[1]).toBe('export CP1_NAME=master-a CP1_CLIENT_URL=https://10.0.0.11:2379   # a comment with cp-1');
  });
});
