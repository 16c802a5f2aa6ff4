/**
 * The runbook scenarios' view of the lab runtime (tests/lab/): a started Lab as the ScenarioLab the runner needs,
 * the things a page assumes a kubeadm node has besides etcd (a kube-apiserver static pod to move out and back),
 * the failures no page command can cause (a node losing power, a disk dying), and etcdctl from a node for the
 * tests' own outcome checks.
 */
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Lab, type LabNode } from '../../lab/lab';
import { etcdReleases, type EtcdRelease } from '../../lab/versions';
import type { ScenarioLab, ScenarioNode } from './scenario';

export { Lab };
export type { EtcdRelease };

/** Every etcd minor lab/versions.json lists: the matrix each scenario runs. */
export function matrix(): EtcdRelease[] {
  return etcdReleases();
}

/**
 * A static pod standing in for kube-apiserver: the pages move its manifest out before a restore and back after.
 * It only has to run and stop like one; the lab has no Kubernetes.
 */
const APISERVER_STAND_IN = `apiVersion: v1
kind: Pod
metadata:
  name: kube-apiserver
  namespace: kube-system
  labels:
    component: kube-apiserver
    tier: control-plane
spec:
  containers:
  - name: kube-apiserver
    image: kube-apiserver:lab-stand-in
    command:
    - sleep
    - infinity
  hostNetwork: true
`;

export function writeApiserverStandIn(lab: Lab, index: number): void {
  const file = lab.hostPath(index, '/etc/kubernetes/manifests/kube-apiserver.yaml');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, APISERVER_STAND_IN, { mode: 0o600 });
}

/** Starts a lab for one etcd release with an API server stand-in on every node, every pod running. */
export async function startLab(release: EtcdRelease): Promise<Lab> {
  const lab = await Lab.start({ etcd: release.version });
  try {
    for (const node of lab.nodes) writeApiserverStandIn(lab, node.index);
    for (const node of lab.nodes) await lab.waitForPod(node.index, { pod: 'kube-apiserver', running: true });
  } catch (error) {
    await lab.close();
    throw error;
  }
  return lab;
}

/** The lab as the scenario runner sees it. */
export function scenarioLab(lab: Lab): ScenarioLab {
  const backupHostDir = path.join(lab.root, 'backup-host');
  mkdirSync(path.join(backupHostDir, 'srv/etcd-backups'), { recursive: true });
  const nodes: ScenarioNode[] = lab.nodes.map((node: LabNode) => ({
    index: node.index,
    name: node.name,
    address: node.address,
    root: node.root,
    mountNsInode: statSync(node.mountNs).ino,
    // nsenter … --wd=/root -- (the argument vector that follows is run inside the node)
    enter: lab.commandFor(node.index, [], '/root'),
    path: lab.env().PATH ?? '/usr/bin:/bin',
  }));
  return {
    etcdMinor: lab.release.minor,
    etcdVersion: lab.release.version,
    etcdBinDir: lab.release.binDir,
    nodes,
    backupHostDir,
  };
}

/** etcdctl inside node `from` against the given endpoints (default: all three); rejects unless it exits 0. */
export async function etcdctl(lab: Lab, args: string[], options: { from?: number; endpoints?: string[]; input?: string } = {}): Promise<string> {
  const result = await lab.etcdctl(options.from ?? 1, args, { endpoints: options.endpoints ?? lab.clientUrls, timeoutMs: 60_000, ...(options.input === undefined ? {} : { input: options.input }) });
  if (result.code !== 0) throw new Error(`etcdctl ${args.join(' ')} exited ${result.code ?? result.signal}: ${result.stderr.trim() || result.stdout.trim()}`);
  return result.stdout;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A node loses power: kubelet stops first (so it restarts nothing), every pod dies with SIGKILL, the kubelet
 * stand-in dies. Its files stay, as on a disk. What a page can then do on the node is what an engineer at its
 * console can do with kubelet not running.
 */
export async function powerOff(lab: Lab, index: number): Promise<void> {
  const stopped = await lab.run(index, 'systemctl stop kubelet');
  if (stopped.code !== 0) throw new Error(`${lab.node(index).name}: systemctl stop kubelet: ${stopped.stderr}`);
  for (const container of lab.standinState(index)?.containers ?? []) {
    if (container.state !== 'running') continue;
    try {
      process.kill(container.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  const deadline = Date.now() + 30_000;
  while ((lab.standinState(index)?.containers ?? []).some((container) => container.state === 'running')) {
    if (Date.now() > deadline) throw new Error(`${lab.node(index).name}: the stand-in did not record its pods' deaths`);
    await sleep(100);
  }
  const standin = lab.node(index).standin;
  if (standin?.pid !== undefined) {
    try {
      process.kill(standin.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  lab.node(index).standin = undefined;
}

/** Power comes back: kubelet (the stand-in) starts and runs whatever manifests the node holds. */
export async function powerOn(lab: Lab, index: number): Promise<void> {
  const node = lab.node(index);
  writeFileSync(lab.hostPath(index, '/var/lib/kubelet/standin/kubelet.desired'), 'active\n');
  // The lab starts stand-ins itself; it has no public "power on" yet (reported to the lead).
  (lab as unknown as { startStandin(node: LabNode): void }).startStandin(node);
  await sleep(200);
}

/** The node's disk died: its etcd data directory is gone. */
export function destroyDataDir(lab: Lab, index: number, dataDir = '/var/lib/etcd'): void {
  rmSync(lab.hostPath(index, dataDir), { recursive: true, force: true });
}
