/**
 * The lab runtime on every etcd version of lab/versions.json (or those in HANDBOOK_LAB_ETCD): three namespaced
 * nodes come up from kubeadm-style manifests, the kubelet stand-in reacts to `mv` and `sed -i` on a manifest the
 * way the kubelet does, `systemctl stop kubelet` keeps static pods running, and teardown leaves nothing behind.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Lab } from './lab.ts';
import { etcdCommand } from './manifest.ts';
import { BRIDGE, NETNS_PREFIX, NODE_OWN_PATHS } from './nodes.ts';
import { ownerAlive, readOwner, readState, reapAbandoned } from './teardown.ts';
import { REPO_ROOT, selectedEtcdReleases } from './versions.ts';

const sh = (command: string, args: string[]) => spawnSync(command, args, { encoding: 'utf8' }).stdout ?? '';

/** A process that runs: exists and is not a zombie waiting for init to reap it. */
function running(pid: number | undefined): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** True when another process's lab holds the machine now (helpers share one machine; CI runs one lab at a time). */
function otherLabActive(): boolean {
  const owner = readOwner();
  return owner !== undefined && owner.pid !== process.pid && ownerAlive(owner);
}

/**
 * What is left of the lab at `root`: its processes, mounts and folder, and, unless another process's lab holds
 * the machine by now (then those names are that lab's), any lab-named namespace, bridge or veth.
 */
/** The mount and UTS namespaces (nsfs inodes) of a lab's three nodes, from its state file: its etcd processes run in them. */
function nodeMountNamespaces(root: string): Set<number> {
  const inodes = new Set<number>();
  for (const file of readState(root)?.nsFiles ?? []) {
    try {
      inodes.add(statSync(file).ino);
    } catch {
      // Already unmounted.
    }
  }
  return inodes;
}

/** The inode of a process's mount namespace (`mnt:[4026532xyz]`), or undefined when it is gone. */
function mountNamespaceOf(pid: string): number | undefined {
  try {
    return Number(/\[(\d+)\]/.exec(readlinkSync(`/proc/${pid}/ns/mnt`))?.[1]);
  } catch {
    return undefined;
  }
}

/**
 * `ownNamespaces`: the lab's node mount namespaces, recorded before it closed. An etcd with the lab's addresses counts
 * as this lab's leftover only when it runs in one of them: npm test runs a second lab (the kubeadm lab, on the host)
 * while this one runs in a network namespace of its own, and that lab's etcd members carry the same flags.
 */
function leftovers(root: string, ownNamespaces?: ReadonlySet<number>): string[] {
  const found: string[] = [];
  const mounts = sh('findmnt', ['-rn', '-o', 'TARGET']).split('\n').filter((target) => target.startsWith(`${root}/`) || target === root);
  if (mounts.length > 0) found.push(`mounts ${mounts.join(', ')}`);
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (commandLine.includes(root)) found.push(`process ${pid}: ${commandLine.slice(0, 120)}`);
    } catch {
      // Exited while we looked.
    }
  }
  if (existsSync(root)) found.push(`folder ${root}`);
  if (otherLabActive()) {
    console.log('another lab holds the machine now: checked only this lab\'s processes, mounts and folder');
    return found;
  }
  const namespaces = sh('ip', ['netns', 'list']);
  for (const name of ['cp-1', 'cp-2', 'cp-3'].map((node) => `${NETNS_PREFIX}${node}`)) if (new RegExp(`^${name}( |$)`, 'm').test(namespaces)) found.push(`network namespace ${name}`);
  const links = sh('ip', ['-o', 'link', 'show']);
  if (new RegExp(`^\\d+: ${BRIDGE}[@:]`, 'm').test(links)) found.push(`bridge ${BRIDGE}`);
  if (/^\d+: hblab-cp-\d/m.test(links)) found.push('a lab veth');
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (!/(^|\/)etcd --advertise-client-urls=https:\/\/10\.0\.0\.1[123]:2379/.test(commandLine)) continue;
      const namespace = mountNamespaceOf(pid);
      if (ownNamespaces === undefined || (namespace !== undefined && ownNamespaces.has(namespace))) found.push(`etcd ${pid}`);
    } catch {
      // Exited while we looked.
    }
  }
  for (const target of NODE_OWN_PATHS) if (existsSync(target) !== HOST_PATHS_BEFORE.has(target)) found.push(`host path ${target} ${existsSync(target) ? 'created' : 'removed'}`);
  return found;
}

const releases = selectedEtcdReleases();
/**
 * Host mount points that are the machine's own (the lab must not remove those, and must remove its own): those that
 * exist now, less those a lab running right now (another helper's, on a shared machine) made.
 */
const madeByRunningLab = new Set(((): string[] => {
  const owner = readOwner();
  return owner && ownerAlive(owner) ? readState(owner.root)?.createdMountPoints ?? [] : [];
})());
const HOST_PATHS_BEFORE = new Set<string>(NODE_OWN_PATHS.filter((target) => existsSync(target) && !madeByRunningLab.has(target)));

describe.each(releases)('lab on etcd $version', (release) => {
  let lab: Lab;
  let root = '';

  beforeAll(async () => {
    lab = await Lab.start({ etcd: release.minor, crashBackoffMs: 1000 });
    root = lab.root;
    console.log(
      `etcd ${release.version}: ${lab.timings.waitMs > 1000 ? `waited ${lab.timings.waitMs} ms for another lab, ` : ''}network+namespaces ${lab.timings.networkMs} ms, PKI ${lab.timings.pkiMs} ms (${lab.pki}), ` +
        `kubeadm-style bring-up ${lab.timings.bringUpMs} ms, total ${lab.timings.totalMs} ms`,
    );
  }, 180_000 + Number(process.env['HANDBOOK_LAB_WAIT_MS'] ?? 15 * 60_000));

  afterAll(async () => {
    // Closed by the last test already; this is for a run that failed earlier.
    await lab?.close();
  });

  test('each node is its own machine: hostname, /etc/kubernetes, /var/lib; no default route; the host routes node addresses via the lab bridge', async () => {
    for (const node of lab.nodes) {
      expect((await lab.check(node.index, 'hostname')).trim()).toBe(node.name);
      expect(await lab.check(node.index, 'ip route show default')).toBe('');
      expect(sh('ip', ['route', 'get', node.address])).toMatch(new RegExp(`dev ${BRIDGE}\\b`));
    }
    await lab.check(1, 'echo only-on-cp-1 > /etc/kubernetes/lab-marker && mkdir -p /var/lib/etcd-marker');
    expect((await lab.run(2, 'cat /etc/kubernetes/lab-marker')).code).not.toBe(0);
    expect((await lab.run(2, 'test -d /var/lib/etcd-marker')).code).not.toBe(0);
    expect(existsSync('/etc/kubernetes/lab-marker')).toBe(false);
    expect(existsSync(lab.hostPath(1, '/etc/kubernetes/lab-marker'))).toBe(true);
    await lab.check(1, 'rm /etc/kubernetes/lab-marker && rmdir /var/lib/etcd-marker');
    // Nothing outside the lab's /24 is reachable: no route to this host's own network.
    const outside = await lab.run(1, 'ip route get 192.0.2.1');
    expect(outside.code).not.toBe(0);
    expect(outside.stderr).toMatch(/unreachable/i);
    // The chosen etcd is first on PATH, ahead of Debian's /usr/bin/etcdctl.
    expect(await lab.check(1, 'etcdctl version')).toContain(`etcdctl version: ${release.version}`);
  });

  test('etcd.yaml is kubeadm\'s for this version, and this etcd knows every flag in it', async () => {
    const manifest = readFileSync(lab.hostPath(2, '/etc/kubernetes/manifests/etcd.yaml'), 'utf8');
    expect(manifest).toContain('kubeadm.kubernetes.io/etcd.advertise-client-urls: https://10.0.0.12:2379');
    expect(manifest).toMatch(/- hostPath:\n {6}path: \/var\/lib\/etcd\n {6}type: DirectoryOrCreate\n {4}name: etcd-data/);
    expect(manifest).toMatch(/- hostPath:\n {6}path: \/etc\/kubernetes\/pki\/etcd\n {6}type: DirectoryOrCreate\n {4}name: etcd-certs/);
    expect(manifest).toContain('- --initial-cluster-state=existing');
    expect(readFileSync(lab.hostPath(1, '/etc/kubernetes/manifests/etcd.yaml'), 'utf8')).not.toContain('--initial-cluster-state');
    const help = await lab.run(1, 'etcd --help 2>&1');
    const known = new Set(help.stdout.match(/--[a-z0-9-]+/g) ?? []);
    const flags = etcdCommand({ nodeName: 'cp-1', address: '10.0.0.11', etcdVersion: release.version }).slice(1).map((flag) => flag.split('=')[0] as string);
    expect(flags.filter((flag) => !known.has(flag))).toEqual([]);
    // The other generation's flags: 3.5 lacks --feature-gates, 3.7 removed the experimental ones.
    if (release.minor === '3.5') expect(known.has('--feature-gates')).toBe(false);
    if (release.minor === '3.7') expect(known.has('--experimental-initial-corrupt-check')).toBe(false);
  });

  test('etcdctl endpoint health --cluster, run inside cp-1 with kubeadm\'s paths, reports all three members healthy', async () => {
    const result = await lab.check(
      1,
      'etcdctl --endpoints=https://127.0.0.1:2379 --cacert=/etc/kubernetes/pki/etcd/ca.crt ' +
        '--cert=/etc/kubernetes/pki/etcd/healthcheck-client.crt --key=/etc/kubernetes/pki/etcd/healthcheck-client.key endpoint health --cluster',
    );
    for (const node of lab.nodes) expect(result).toContain(`${node.clientUrl} is healthy`);
    expect(result.match(/is healthy/g)).toHaveLength(3);
  });

  test('mv of cp-2\'s manifest out stops its member; moving it back starts it again on the same data', async () => {
    await lab.check(1, 'etcdctl --endpoints=https://127.0.0.1:2379 --cacert=/etc/kubernetes/pki/etcd/ca.crt --cert=/etc/kubernetes/pki/etcd/healthcheck-client.crt --key=/etc/kubernetes/pki/etcd/healthcheck-client.key put lab-key before-move');
    const before = lab.runningPod(2);
    await lab.check(2, 'mkdir -p /etc/kubernetes/manifests-stopped && mv /etc/kubernetes/manifests/etcd.yaml /etc/kubernetes/manifests-stopped/etcd.yaml');
    const stopStarted = Date.now();
    await lab.waitForPod(2, { running: false, timeoutMs: 15_000 });
    console.log(`etcd ${release.version}: cp-2 stopped ${Date.now() - stopStarted} ms after mv`);
    expect(running(before?.pid)).toBe(false);
    expect((await lab.check(2, "crictl ps --name '^etcd$' -q")).trim()).toBe('');
    const down = await lab.etcdctl(1, ['endpoint', 'health', '--command-timeout=2s'], { endpoints: [lab.node(2).clientUrl] });
    expect(down.code).not.toBe(0);
    await lab.check(2, 'mv /etc/kubernetes/manifests-stopped/etcd.yaml /etc/kubernetes/manifests/etcd.yaml');
    const after = await lab.waitForPod(2, { running: true, timeoutMs: 15_000 });
    expect(after?.id).not.toBe(before?.id);
    await lab.waitHealthy([2], { from: 1 });
    const value = await lab.check(2, 'etcdctl --endpoints=https://127.0.0.1:2379 --cacert=/etc/kubernetes/pki/etcd/ca.crt --cert=/etc/kubernetes/pki/etcd/healthcheck-client.crt --key=/etc/kubernetes/pki/etcd/healthcheck-client.key get lab-key --print-value-only');
    expect(value.trim()).toBe('before-move');
    expect(lab.standinLog(2)).toMatch(/manifest for pod kube-system\/etcd is gone[\s\S]*manifest \/etc\/kubernetes\/manifests\/etcd.yaml found: starting pod kube-system\/etcd/);
  });

  test('sed -i on a flag in the manifest restarts the member with the new flag', async () => {
    const before = lab.runningPod(3);
    await lab.check(3, "sed -i 's|^\\( *\\)- --snapshot-count=10000$|\\1- --snapshot-count=10001|' /etc/kubernetes/manifests/etcd.yaml");
    const after = await lab.waitForPod(3, { running: true, notId: before?.id, timeoutMs: 15_000 });
    const commandLine = readFileSync(`/proc/${after?.pid}/cmdline`, 'utf8').split('\0');
    expect(commandLine).toContain('--snapshot-count=10001');
    expect(running(before?.pid)).toBe(false);
    await lab.waitHealthy([3], { from: 1 });
    expect(lab.standinLog(3)).toContain('manifest /etc/kubernetes/manifests/etcd.yaml changed: restarting pod kube-system/etcd');
  });

  test('a changed etcd-data hostPath is mounted at the unchanged mountPath, as a container runtime does', async () => {
    await lab.check(3, 'mkdir -p /etc/kubernetes/manifests-stopped && mv /etc/kubernetes/manifests/etcd.yaml /etc/kubernetes/manifests-stopped/');
    await lab.waitForPod(3, { running: false });
    await lab.check(3, 'cp -a /var/lib/etcd /var/lib/etcd-moved && touch /var/lib/etcd-moved/lab-marker');
    // The backup page's own edit: only the hostPath line (`path:`), not `mountPath:` or `--data-dir`.
    await lab.check(3, 'sed -i "s#^\\( *\\)path: /var/lib/etcd\\$#\\1path: /var/lib/etcd-moved#" /etc/kubernetes/manifests-stopped/etcd.yaml && mv /etc/kubernetes/manifests-stopped/etcd.yaml /etc/kubernetes/manifests/');
    const pod = await lab.waitForPod(3, { running: true });
    await lab.waitHealthy([3], { from: 1 });
    const seen = await lab.check(3, `nsenter --target=${pod?.pid} --mount ls /var/lib/etcd`);
    expect(seen.split('\n')).toContain('lab-marker');
    expect(existsSync(lab.hostPath(3, '/var/lib/etcd/lab-marker'))).toBe(false);
  });

  test('systemctl stop kubelet: static pods keep running and manifest moves are ignored until systemctl start kubelet', async () => {
    const pod = lab.runningPod(1);
    await lab.check(1, 'systemctl stop kubelet');
    expect((await lab.run(1, 'systemctl is-active kubelet')).stdout.trim()).toBe('inactive');
    await lab.check(1, 'mkdir -p /etc/kubernetes/manifests-stopped && mv /etc/kubernetes/manifests/etcd.yaml /etc/kubernetes/manifests-stopped/');
    await sleep(2000);
    expect(lab.runningPod(1)?.id).toBe(pod?.id);
    expect(running(pod?.pid)).toBe(true);
    expect(await lab.check(1, "crictl ps --name '^etcd$'")).toContain(pod?.id.slice(0, 13));
    await lab.check(1, 'systemctl start kubelet');
    await lab.waitForPod(1, { running: false, timeoutMs: 15_000 });
    await lab.check(1, 'mv /etc/kubernetes/manifests-stopped/etcd.yaml /etc/kubernetes/manifests/');
    await lab.waitForPod(1, { running: true });
    await lab.waitHealthy();
    // Units the lab does not have answer as they would on a node without them.
    const etcdUnit = await lab.run(1, 'systemctl stop etcd');
    expect(etcdUnit.code).toBe(5);
    expect(etcdUnit.stderr).toContain('Unit etcd.service not loaded');
  });

  test('a crashed pod is restarted after the back-off, and crictl stop is honoured the same way', async () => {
    const pod = lab.runningPod(2);
    process.kill(pod?.pid ?? 0, 'SIGKILL');
    const restarted = await lab.waitForPod(2, { running: true, notId: pod?.id, timeoutMs: 15_000 });
    expect(restarted?.attempt).toBe((pod?.attempt ?? 0) + 1);
    expect(lab.standinLog(2)).toMatch(/exited on its own \(signal SIGKILL\)[\s\S]*back-off 1 s restarting failed container etcd/);
    await lab.waitHealthy([2], { from: 1 });
    const stopped = await lab.run(2, `crictl stop ${restarted?.id.slice(0, 13)}`);
    expect(stopped.code).toBe(0);
    await lab.waitForPod(2, { running: true, notId: restarted?.id, timeoutMs: 15_000 });
    await lab.waitHealthy([2], { from: 1 });
  });

  test('powerOff kills everything on a node, powerOn boots it and the stand-in starts etcd again; copyBetweenNodes copies a file', async () => {
    const pod = lab.runningPod(3);
    await lab.powerOff(3);
    expect(running(pod?.pid)).toBe(false);
    expect(sh('ip', ['netns', 'pids', `${NETNS_PREFIX}cp-3`]).trim()).toBe('');
    await lab.waitHealthy([1, 2], { from: 1 });
    lab.powerOn(3);
    await lab.waitForPod(3, { running: true, notId: pod?.id });
    await lab.waitHealthy();
    await lab.check(1, 'mkdir -p /var/backups/etcd && echo snapshot > /var/backups/etcd/lab-copy.db');
    lab.copyBetweenNodes(1, '/var/backups/etcd/lab-copy.db', 2);
    expect((await lab.check(2, 'cat /var/backups/etcd/lab-copy.db')).trim()).toBe('snapshot');
  });

  test('teardown removes namespaces, bridge, veths, processes, mounts and folders', async () => {
    const ownNamespaces = nodeMountNamespaces(root);
    expect(ownNamespaces.size).toBe(6);
    const started = Date.now();
    await lab.close();
    console.log(`etcd ${release.version}: teardown ${Date.now() - started} ms`);
    expect(leftovers(root, ownNamespaces)).toEqual([]);
  });
});

describe('lab reaping', () => {
  test('a lab whose process was killed with SIGKILL is removed by the next start (reapAbandoned)', async () => {
    const release = releases[0];
    if (!release) throw new Error('no etcd release selected');
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'tests/lab/cli.ts'), 'up', '--etcd', release.minor, '--bring-up', 'none'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    // On a shared machine another lab may hold it for a while; the child waits its turn (HANDBOOK_LAB_WAIT_MS).
    const deadline = Date.now() + 560_000;
    while (!output.includes('ready') && child.exitCode === null && Date.now() < deadline) await sleep(200);
    expect(output).toContain('ready');
    const root = /lab root (\S+);/.exec(output)?.[1] ?? '';
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    // Killed outright: its namespaces, bridge and stand-ins are still there.
    const ownNamespaces = nodeMountNamespaces(root);
    expect(ownNamespaces.size).toBe(6);
    expect(leftovers(root, ownNamespaces).length).toBeGreaterThan(0);
    expect(statSync(root).isDirectory()).toBe(true);
    // Another lab waiting for the machine may reap it first (or be reaping it now); either way nothing may be left.
    const reapDeadline = Date.now() + 30_000;
    let message = reapAbandoned();
    while (message === undefined && existsSync(root) && Date.now() < reapDeadline) {
      await sleep(500);
      message = reapAbandoned();
    }
    console.log(`reap: ${message ?? 'reaped by another lab start'}`);
    // On a shared machine a lab start of another checkout (older code, no reap lock) may be reaping at the same
    // moment; give it a few seconds to finish before judging.
    const settleDeadline = Date.now() + 15_000;
    while (leftovers(root, ownNamespaces).length > 0 && Date.now() < settleDeadline) await sleep(500);
    expect(leftovers(root, ownNamespaces)).toEqual([]);
  }, 600_000);
});
