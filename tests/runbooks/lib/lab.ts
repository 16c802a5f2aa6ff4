/**
 * The runbook scenarios' view of the lab runtime (tests/lab/): a started Lab as the ScenarioLab the runner needs,
 * the things a page assumes a kubeadm node has besides etcd (a kube-apiserver static pod to move out and back),
 * the failures no page command can cause (a node losing power, a disk dying), and etcdctl from a node for the
 * tests' own outcome checks.
 */
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Lab, type LabNode } from '../../lab/lab';
import { selectedEtcdReleases, type EtcdRelease } from '../../lab/versions';
import type { ScenarioLab, ScenarioNode } from './scenario';

export { Lab };
export type { EtcdRelease };

/** Every etcd minor lab/versions.json lists (or those HANDBOOK_LAB_ETCD names): the matrix each scenario runs. */
export function matrix(): EtcdRelease[] {
  return selectedEtcdReleases();
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
 * A node's etcd fails for good and its kubelet is stopped, so nothing restarts it: `systemctl stop kubelet` on the
 * node (the stand-in then restarts nothing and ignores manifest changes), then SIGKILL to every pod it runs. The
 * node itself stays reachable (an engineer can log in and copy files to it), as the pages assume of a node
 * whose etcd member is lost.
 */
export async function failNode(lab: Lab, index: number): Promise<void> {
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
}

/** `systemctl start kubelet` on the node: the stand-in runs whatever manifests the node holds again. */
export async function startKubelet(lab: Lab, index: number): Promise<void> {
  const started = await lab.run(index, 'systemctl start kubelet');
  if (started.code !== 0) throw new Error(`${lab.node(index).name}: systemctl start kubelet: ${started.stderr}`);
}

/** The node's disk died: its etcd data directory is gone. */
export function destroyDataDir(lab: Lab, index: number, dataDir = '/var/lib/etcd'): void {
  rmSync(lab.hostPath(index, dataDir), { recursive: true, force: true });
}

/** etcdctl through node 1 (or `from`) for the keys and writer helpers; default endpoints: all three members. */
export function labClient(lab: Lab, from = 1): { etcdctl(args: string[], endpoints?: string[], stdin?: string): Promise<string> } {
  return {
    etcdctl: (args, endpoints, stdin) => etcdctl(lab, args, { from, ...(endpoints ? { endpoints } : {}), ...(stdin === undefined ? {} : { input: stdin }) }),
  };
}
