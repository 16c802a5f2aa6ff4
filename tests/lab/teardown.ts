/**
 * What a lab run created, recorded before it is created, and how to remove it: on close(), on failure, on
 * SIGINT/SIGTERM, on process exit, and, for a run that was killed outright (SIGKILL, a CI timeout), by the next
 * lab start, which finds the record of a run whose owner process is gone and removes what it lists.
 *
 * Everything here is synchronous so it can run from an `exit` handler.
 *
 * Layout: /run/handbook-lab/owner.json names the one lab that may exist at a time (its owner pid and that
 * process's start time, so a reused pid is not mistaken for the owner) and its root folder; <root>/state.json
 * lists what that lab made.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const LAB_BASE = process.env['HANDBOOK_LAB_BASE'] ?? '/run/handbook-lab';
export const OWNER_FILE = path.join(LAB_BASE, 'owner.json');

export interface LabState {
  ownerPid: number;
  ownerStartTime: string;
  root: string;
  bridge?: string;
  netns: string[];
  /** Host-side veth names. */
  veths: string[];
  /** Folder bind-mounted on itself (private) that holds the persistent mount and UTS namespace files. */
  nsDir?: string;
  nsFiles: string[];
  /** Empty directories the lab made on the host as mount points (removed if still empty). */
  createdMountPoints: string[];
  /** Processes the lab started from the host (stand-ins), besides everything found inside its network namespaces. */
  pids: number[];
}

export interface Owner {
  pid: number;
  startTime: string;
  root: string;
}

/** Field 22 of /proc/<pid>/stat: the process's start time in clock ticks since boot; '' if no such process. */
export function processStartTime(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? '';
  } catch {
    return '';
  }
}

export function ownerAlive(owner: { pid: number; startTime: string }): boolean {
  return owner.startTime !== '' && processStartTime(owner.pid) === owner.startTime;
}

export function readOwner(): Owner | undefined {
  try {
    return JSON.parse(readFileSync(OWNER_FILE, 'utf8')) as Owner;
  } catch {
    return undefined;
  }
}

export function writeState(state: LabState): void {
  writeFileSync(path.join(state.root, 'state.json'), `${JSON.stringify(state, null, 2)}\n`);
}

export function readState(root: string): LabState | undefined {
  try {
    return JSON.parse(readFileSync(path.join(root, 'state.json'), 'utf8')) as LabState;
  } catch {
    return undefined;
  }
}

function run(command: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

function isMountPoint(dir: string): boolean {
  return run('mountpoint', ['-q', dir]).status === 0;
}

function pidsInNetns(name: string): number[] {
  const result = run('ip', ['netns', 'pids', name]);
  if (result.status !== 0) return [];
  return result.stdout.split('\n').filter(Boolean).map(Number).filter((pid) => pid > 0 && pid !== process.pid);
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Removes everything `state` lists, tolerating what is already gone, and returns what it could not remove
 * (empty when all is clean).
 */
export function teardownSync(state: LabState): string[] {
  const problems: string[] = [];
  // 1. Processes: every process in the lab's network namespaces (stand-ins, pods, shells a test left behind),
  //    and the stand-ins recorded by pid when their command line still names this lab.
  const victims = new Set<number>();
  for (const name of state.netns) for (const pid of pidsInNetns(name)) victims.add(pid);
  for (const pid of state.pids) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(state.root)) victims.add(pid);
    } catch {
      // Gone.
    }
  }
  for (const pid of victims) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone.
    }
  }
  const deadline = Date.now() + 5000;
  while ([...victims].some((pid) => existsSync(`/proc/${pid}`) && !isZombie(pid)) && Date.now() < deadline) sleepSync(50);
  for (const pid of victims) if (existsSync(`/proc/${pid}`) && !isZombie(pid)) problems.push(`process ${pid} survived SIGKILL`);

  // 2. Persistent mount and UTS namespaces.
  for (const file of state.nsFiles) {
    if (existsSync(file) && isMountPoint(file)) {
      const result = run('umount', [file]);
      if (result.status !== 0) problems.push(`umount ${file}: ${result.stderr.trim()}`);
    }
  }
  if (state.nsDir !== undefined && existsSync(state.nsDir) && isMountPoint(state.nsDir)) {
    const result = run('umount', [state.nsDir]);
    if (result.status !== 0) problems.push(`umount ${state.nsDir}: ${result.stderr.trim()}`);
  }

  // 3. Network: veths (deleting one end deletes its peer in the namespace), namespaces, bridge.
  const links = run('ip', ['-o', 'link', 'show']).stdout;
  for (const veth of state.veths) {
    if (new RegExp(`^\\d+: ${veth}[@:]`, 'm').test(links)) {
      const result = run('ip', ['link', 'del', veth]);
      if (result.status !== 0) problems.push(`ip link del ${veth}: ${result.stderr.trim()}`);
    }
  }
  const namespaces = run('ip', ['netns', 'list']).stdout;
  for (const name of state.netns) {
    if (new RegExp(`^${name}( |$)`, 'm').test(namespaces)) {
      const result = run('ip', ['netns', 'del', name]);
      if (result.status !== 0) problems.push(`ip netns del ${name}: ${result.stderr.trim()}`);
    }
  }
  if (state.bridge !== undefined && new RegExp(`^\\d+: ${state.bridge}[@:]`, 'm').test(links)) {
    const result = run('ip', ['link', 'del', state.bridge]);
    if (result.status !== 0) problems.push(`ip link del ${state.bridge}: ${result.stderr.trim()}`);
  }

  // 4. Host mount points the lab made, if still empty; then the lab's folder.
  for (const dir of [...state.createdMountPoints].reverse()) {
    try {
      if (existsSync(dir) && readdirSync(dir).length === 0) rmdirSync(dir);
      else if (existsSync(dir)) problems.push(`${dir} is not empty; left in place`);
    } catch (error) {
      problems.push(`rmdir ${dir}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (existsSync(state.root)) {
    const stillMounted = run('findmnt', ['-rn', '-o', 'TARGET']).stdout.split('\n').filter((target) => target.startsWith(`${state.root}/`) || target === state.root);
    if (stillMounted.length > 0) problems.push(`still mounted, folder kept: ${stillMounted.join(', ')}`);
    else if (process.env['HANDBOOK_KEEP_LAB'] === '1') problems.push(`HANDBOOK_KEEP_LAB=1: folder kept at ${state.root}`);
    else rmSync(state.root, { recursive: true, force: true });
  }
  return problems;
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/** Releases the owner record if it is this process's. */
export function releaseOwner(root: string): void {
  const owner = readOwner();
  if (owner && owner.pid === process.pid && owner.root === root) rmSync(OWNER_FILE, { force: true });
}

/**
 * If the recorded owner is gone, removes what its lab left and the owner record. Returns a line to print, or
 * undefined when there was nothing to reap. Also removes run folders under LAB_BASE that no owner names.
 */
export function reapAbandoned(): string | undefined {
  // Two lab starts waiting for the same dead owner must not tear it down at the same time (one would see the
  // other's half-removed mounts and keep the folder): the reaper holds a lock file naming its pid.
  const lock = path.join(LAB_BASE, 'reap.lock');
  if (!existsSync(LAB_BASE)) return undefined;
  try {
    writeFileSync(lock, JSON.stringify({ pid: process.pid, startTime: processStartTime(process.pid) }), { flag: 'wx' });
  } catch {
    let holder: { pid: number; startTime: string } | undefined;
    try {
      holder = JSON.parse(readFileSync(lock, 'utf8')) as { pid: number; startTime: string };
    } catch {
      holder = undefined;
    }
    if (holder && ownerAlive(holder)) return undefined;
    rmSync(lock, { force: true });
    return reapAbandoned();
  }
  try {
    return reapLocked();
  } finally {
    rmSync(lock, { force: true });
  }
}

function reapLocked(): string | undefined {
  const owner = readOwner();
  const messages: string[] = [];
  if (owner && !ownerAlive(owner)) {
    const state = readState(owner.root);
    const problems = state ? teardownSync(state) : [];
    const mounted = run('findmnt', ['-rn', '-o', 'TARGET']).stdout.split('\n').some((target) => target === owner.root || target.startsWith(`${owner.root}/`));
    if (!state && existsSync(owner.root) && !mounted) rmSync(owner.root, { recursive: true, force: true });
    rmSync(OWNER_FILE, { force: true });
    messages.push(`reaped the lab of process ${owner.pid}, which is gone${problems.length > 0 ? `; problems: ${problems.join('; ')}` : ''}`);
  }
  if (existsSync(LAB_BASE)) {
    const current = readOwner();
    for (const name of readdirSync(LAB_BASE)) {
      if (!name.startsWith('run-')) continue;
      const root = path.join(LAB_BASE, name);
      if (current?.root === root) continue;
      const state = readState(root);
      if (state && ownerAlive({ pid: state.ownerPid, startTime: state.ownerStartTime })) continue;
      const problems = state ? teardownSync(state) : [];
      const mounted = run('findmnt', ['-rn', '-o', 'TARGET']).stdout.split('\n').some((target) => target === root || target.startsWith(`${root}/`));
      if (mounted) problems.push(`something is mounted under ${root}; folder kept`);
      else if (existsSync(root) && problems.length === 0) rmSync(root, { recursive: true, force: true });
      messages.push(`removed ${root}, left by a run that is gone${problems.length > 0 ? `; problems: ${problems.join('; ')}` : ''}`);
    }
  }
  return messages.length > 0 ? messages.join('\n') : undefined;
}
