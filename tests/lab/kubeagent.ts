/**
 * The API side of the lab's kubelet stand-in, for the kubeadm lab (tests/lab/kube.ts). Runs INSIDE a lab node next
 * to `standin.ts kubelet` (which runs the static pods) and does what kubeadm needs from a kubelet in the API:
 *
 *   node kubeagent.ts --node cp-1 --address 10.0.0.11 --version v1.37.2
 *
 * 1. kubelet.conf: on a joining node, once kubeadm's kubelet-start phase wrote /etc/kubernetes/bootstrap-kubelet.conf,
 *    it does the kubelet's TLS bootstrap (a CSR with the bootstrap token, approved and signed by the controller
 *    manager) and writes /etc/kubernetes/kubelet.conf with the signed certificate. On `kubeadm init` kubeadm writes
 *    kubelet.conf itself.
 * 2. Registration: with kubelet.conf's identity (the Node authorizer and NodeRestriction apply, as to a kubelet) it
 *    creates its Node once, then keeps it Ready: status every 10 s and the kube-node-lease Lease. As the kubelet, it
 *    registers once per start: a Node deleted while it runs is NOT created again (only `systemctl restart kubelet`,
 *    i.e. the stand-in going inactive and active, registers again).
 * 3. Mirror pods: one per static pod manifest, named `<pod>-<node>`, with the manifest's labels and annotations (so
 *    kubeadm finds etcd members through `kubeadm.kubernetes.io/etcd.advertise-client-urls`) plus the kubelet's
 *    `kubernetes.io/config.*` annotations and the Node as owner; recreated when missing or when the manifest changed,
 *    deleted when the manifest is gone, not created while the Node does not exist (the kubelet's rule).
 * While the stand-in is stopped (`systemctl stop kubelet`) it does nothing, so the Node turns NotReady as it would.
 * Every action goes to /var/lib/kubelet/standin/kubeagent.log.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

const MANIFEST_DIR = '/etc/kubernetes/manifests';
const KUBELET_CONF = '/etc/kubernetes/kubelet.conf';
const BOOTSTRAP_CONF = '/etc/kubernetes/bootstrap-kubelet.conf';
const STATE_DIR = '/var/lib/kubelet/standin';
const LOG_FILE = `${STATE_DIR}/kubeagent.log`;
const STANDIN_STATE = `${STATE_DIR}/state.json`;
const TICK_MS = 2000;
const STATUS_EVERY_MS = 10_000;

interface Options {
  node: string;
  address: string;
  version: string;
}

interface Client {
  server: URL;
  ca: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** Bearer token (the bootstrap token) instead of a client certificate. */
  token?: string;
}

interface Response {
  status: number;
  body: unknown;
  text: string;
}

const now = () => new Date().toISOString();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function log(message: string): void {
  appendFileSync(LOG_FILE, `${now()} ${message}\n`);
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** The first cluster and user of a kubeconfig (kubeadm writes one of each), with file references resolved. */
function readKubeconfig(file: string): Client {
  const config = asRecord(parseYaml(readFileSync(file, 'utf8')));
  const cluster = asRecord(asRecord((config['clusters'] as unknown[] | undefined)?.[0])['cluster']);
  const user = asRecord(asRecord((config['users'] as unknown[] | undefined)?.[0])['user']);
  const data = (inline: unknown, reference: unknown): Buffer => {
    if (typeof inline === 'string') return Buffer.from(inline, 'base64');
    if (typeof reference === 'string') return readFileSync(reference);
    throw new Error(`${file}: missing certificate data`);
  };
  return {
    server: new URL(String(cluster['server'])),
    ca: data(cluster['certificate-authority-data'], cluster['certificate-authority']),
    cert: data(user['client-certificate-data'], user['client-certificate']),
    key: data(user['client-key-data'], user['client-key']),
  };
}

function request(client: Client, method: string, apiPath: string, body?: unknown, contentType = 'application/json'): Promise<Response> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = https.request(
      {
        host: client.server.hostname,
        port: client.server.port || 443,
        method,
        path: apiPath,
        ca: client.ca,
        ...(client.cert === undefined ? {} : { cert: client.cert, key: client.key }),
        timeout: 10_000,
        headers: { accept: 'application/json', 'user-agent': 'handbook-lab-kubeagent', ...(client.token === undefined ? {} : { authorization: `Bearer ${client.token}` }), ...(payload === undefined ? {} : { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) }) },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString('utf8');
        });
        res.on('end', () => {
          let parsed: unknown = undefined;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, text });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(payload);
  });
}

function kubeletStandinActive(): boolean {
  try {
    return (JSON.parse(readFileSync(STANDIN_STATE, 'utf8')) as { kubelet?: string }).kubelet === 'active';
  } catch {
    return false;
  }
}

/**
 * The kubelet's TLS bootstrap: with the bootstrap token from bootstrap-kubelet.conf, a CertificateSigningRequest
 * for CN=system:node:<node>, O=system:nodes (signer kubernetes.io/kube-apiserver-client-kubelet), which the
 * controller manager approves (kubeadm's bootstrap RBAC) and signs; the certificate and key become kubelet.conf.
 * Returns false while the CSR is not signed yet.
 */
async function tlsBootstrap(options: Options, pending: { name?: string; key?: string }): Promise<boolean> {
  const bootstrap = asRecord(parseYaml(readFileSync(BOOTSTRAP_CONF, 'utf8')));
  const cluster = asRecord(asRecord((bootstrap['clusters'] as unknown[] | undefined)?.[0])['cluster']);
  const user = asRecord(asRecord((bootstrap['users'] as unknown[] | undefined)?.[0])['user']);
  const client: Client = {
    server: new URL(String(cluster['server'])),
    ca: Buffer.from(String(cluster['certificate-authority-data']), 'base64'),
    token: String(user['token']),
  };
  if (pending.name === undefined) {
    const work = mkdtempSync('/tmp/kubeagent-');
    try {
      const key = path.join(work, 'node.key');
      const csr = path.join(work, 'node.csr');
      execFileSync('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key], { stdio: 'pipe' });
      execFileSync('openssl', ['req', '-new', '-key', key, '-subj', `/O=system:nodes/CN=system:node:${options.node}`, '-out', csr], { stdio: 'pipe' });
      const created = await request(client, 'POST', '/apis/certificates.k8s.io/v1/certificatesigningrequests', {
        apiVersion: 'certificates.k8s.io/v1',
        kind: 'CertificateSigningRequest',
        metadata: { generateName: 'csr-' },
        spec: { request: readFileSync(csr).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client-kubelet', usages: ['digital signature', 'client auth'] },
      });
      if (created.status !== 201) {
        log(`TLS bootstrap: creating the CSR: HTTP ${created.status} ${created.text.slice(0, 300)}`);
        return false;
      }
      pending.name = String(asRecord(asRecord(created.body)['metadata'])['name']);
      pending.key = readFileSync(key, 'utf8');
      log(`TLS bootstrap: CSR ${pending.name} created with the bootstrap token, waiting for approval and signature`);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  const csr = await request(client, 'GET', `/apis/certificates.k8s.io/v1/certificatesigningrequests/${pending.name}`);
  const certificate = asRecord(asRecord(csr.body)['status'])['certificate'];
  if (csr.status !== 200 || typeof certificate !== 'string') return false;
  const name = `system:node:${options.node}`;
  const conf = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- cluster:',
    `    certificate-authority-data: ${String(cluster['certificate-authority-data'])}`,
    `    server: ${String(cluster['server'])}`,
    '  name: default-cluster',
    'contexts:',
    '- context:',
    '    cluster: default-cluster',
    '    namespace: default',
    '    user: default-auth',
    '  name: default-context',
    'current-context: default-context',
    'users:',
    '- name: default-auth',
    '  user:',
    `    client-certificate-data: ${certificate}`,
    `    client-key-data: ${Buffer.from(pending.key ?? '').toString('base64')}`,
    '',
  ].join('\n');
  writeFileSync(`${KUBELET_CONF}.tmp`, conf, { mode: 0o600 });
  renameSync(`${KUBELET_CONF}.tmp`, KUBELET_CONF);
  log(`TLS bootstrap: CSR ${pending.name} signed; wrote ${KUBELET_CONF} for ${name}`);
  return true;
}

/**
 * Deletes a mirror pod at once, as the kubelet does (pkg/kubelet/pod/mirror_client.go: grace period 0, a UID
 * precondition). A plain DELETE would only mark it terminating: a pod bound to a node waits for its kubelet to
 * confirm, so the new mirror pod could never be created under the same name.
 */
async function deleteMirrorPod(client: Client, pod: Record<string, unknown>): Promise<void> {
  const metadata = asRecord(pod['metadata']);
  const options = { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0, preconditions: { uid: String(metadata['uid']) } };
  const deleted = await request(client, 'DELETE', `/api/v1/namespaces/${String(metadata['namespace'])}/pods/${String(metadata['name'])}`, options);
  if (deleted.status !== 200 && deleted.status !== 404 && deleted.status !== 409) log(`deleting mirror pod ${String(metadata['namespace'])}/${String(metadata['name'])}: HTTP ${deleted.status} ${deleted.text.slice(0, 300)}`);
}

interface StaticPod {
  name: string;
  namespace: string;
  hash: string;
  pod: Record<string, unknown>;
}

function readStaticPods(node: string): StaticPod[] {
  if (!existsSync(MANIFEST_DIR)) return [];
  const pods: StaticPod[] = [];
  for (const name of readdirSync(MANIFEST_DIR).sort()) {
    if (name.startsWith('.')) continue;
    const file = path.join(MANIFEST_DIR, name);
    try {
      if (!statSync(file).isFile()) continue;
      const pod = asRecord(parseYaml(readFileSync(file, 'utf8')));
      if (pod['kind'] !== 'Pod') continue;
      const metadata = asRecord(pod['metadata']);
      const namespace = String(metadata['namespace'] ?? 'default');
      // The kubelet's static pod UID: a hash of the file's content and the node name (here sha256, shortened).
      const hash = createHash('sha256').update(JSON.stringify(pod)).update(node).digest('hex').slice(0, 32);
      pods.push({ name: `${String(metadata['name'])}-${node}`, namespace, hash, pod });
    } catch {
      // A half-written or foreign file: the stand-in logs it; try again next tick.
    }
  }
  return pods;
}

class Agent {
  private readonly options: Options;
  private client: Client | undefined;
  private registered = false;
  private readonly pendingCsr: { name?: string; key?: string } = {};
  private nodeUid: string | undefined;
  private wasActive = false;
  private lastStatusAt = 0;
  private readyTransition = now();
  private readonly startedAt = now();

  constructor(options: Options) {
    this.options = options;
  }

  async run(): Promise<never> {
    log(`kubeagent started on ${this.options.node} (pid ${process.pid})`);
    for (;;) {
      try {
        await this.tick();
      } catch (error) {
        log(`error: ${error instanceof Error ? error.message : String(error)}`);
      }
      await sleep(TICK_MS);
    }
  }

  private async tick(): Promise<void> {
    const active = kubeletStandinActive();
    if (active && !this.wasActive) {
      // A kubelet (re)start registers the node again.
      this.registered = false;
      this.client = undefined;
      log('kubelet active: will register the node');
    }
    this.wasActive = active;
    if (!active) return;
    if (!existsSync(KUBELET_CONF)) {
      if (!existsSync(BOOTSTRAP_CONF)) return;
      if (!(await tlsBootstrap(this.options, this.pendingCsr))) return;
    }
    this.client ??= readKubeconfig(KUBELET_CONF);
    const client = this.client;
    if (!this.registered) {
      if (!(await this.register(client))) return;
    }
    const node = await request(client, 'GET', `/api/v1/nodes/${this.options.node}`);
    if (node.status === 404) {
      this.nodeUid = undefined;
      return;
    }
    if (node.status !== 200) return;
    this.nodeUid = String(asRecord(asRecord(node.body)['metadata'])['uid']);
    if (Date.now() - this.lastStatusAt >= STATUS_EVERY_MS) {
      await this.updateStatus(client);
      await this.renewLease(client);
      this.lastStatusAt = Date.now();
    }
    await this.syncMirrorPods(client);
  }

  private async register(client: Client): Promise<boolean> {
    const { node, address, version } = this.options;
    const body = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: node, labels: { 'kubernetes.io/hostname': node, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'beta.kubernetes.io/os': 'linux', 'beta.kubernetes.io/arch': 'amd64' } },
      spec: {},
      status: this.status(version, address),
    };
    const created = await request(client, 'POST', '/api/v1/nodes', body);
    if (created.status === 201 || created.status === 409) {
      log(created.status === 201 ? `registered node ${node}` : `node ${node} already exists: using it`);
      this.registered = true;
      this.lastStatusAt = 0;
      return true;
    }
    log(`registering node ${node}: HTTP ${created.status} ${created.text.slice(0, 300)}`);
    return false;
  }

  private status(version: string, address: string): Record<string, unknown> {
    const heartbeat = now();
    const condition = (type: string, status: string, reason: string, message: string) => ({ type, status, reason, message, lastHeartbeatTime: heartbeat, lastTransitionTime: this.readyTransition });
    return {
      capacity: { cpu: '2', memory: '4Gi', pods: '110', 'ephemeral-storage': '20Gi' },
      allocatable: { cpu: '2', memory: '4Gi', pods: '110', 'ephemeral-storage': '20Gi' },
      conditions: [
        condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        condition('Ready', 'True', 'KubeletReady', 'handbook lab kubelet stand-in is posting ready status'),
      ],
      addresses: [
        { type: 'InternalIP', address },
        { type: 'Hostname', address: this.options.node },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: createHash('md5').update(this.options.node).digest('hex'),
        systemUUID: createHash('md5').update(`uuid-${this.options.node}`).digest('hex'),
        bootID: createHash('md5').update(this.startedAt).digest('hex'),
        kernelVersion: '',
        osImage: 'handbook lab node',
        containerRuntimeVersion: 'handbook-lab-standin://0',
        kubeletVersion: version,
        kubeProxyVersion: '',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    };
  }

  private async updateStatus(client: Client): Promise<void> {
    const patched = await request(client, 'PATCH', `/api/v1/nodes/${this.options.node}/status`, { status: this.status(this.options.version, this.options.address) }, 'application/merge-patch+json');
    if (patched.status !== 200) log(`node status: HTTP ${patched.status} ${patched.text.slice(0, 300)}`);
  }

  private async renewLease(client: Client): Promise<void> {
    const leasePath = `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${this.options.node}`;
    const renewTime = new Date().toISOString().replace('Z', '000Z');
    const patched = await request(client, 'PATCH', leasePath, { spec: { renewTime, holderIdentity: this.options.node, leaseDurationSeconds: 40 } }, 'application/merge-patch+json');
    if (patched.status === 404) {
      const created = await request(client, 'POST', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: this.options.node, namespace: 'kube-node-lease', ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: this.options.node, uid: this.nodeUid }] },
        spec: { holderIdentity: this.options.node, leaseDurationSeconds: 40, renewTime },
      });
      if (created.status !== 201) log(`node lease: HTTP ${created.status} ${created.text.slice(0, 300)}`);
    } else if (patched.status !== 200) {
      log(`node lease: HTTP ${patched.status} ${patched.text.slice(0, 300)}`);
    }
  }

  private async syncMirrorPods(client: Client): Promise<void> {
    const { node } = this.options;
    const statics = readStaticPods(node);
    const listed = await request(client, 'GET', `/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${node}`)}`);
    if (listed.status !== 200) return;
    const existing = new Map<string, Record<string, unknown>>();
    for (const item of (asRecord(listed.body)['items'] as unknown[] | undefined) ?? []) {
      const metadata = asRecord(asRecord(item)['metadata']);
      if (asRecord(metadata['annotations'])['kubernetes.io/config.mirror'] === undefined) continue;
      existing.set(`${String(metadata['namespace'])}/${String(metadata['name'])}`, asRecord(item));
    }
    const wanted = new Set<string>();
    for (const pod of statics) {
      const key = `${pod.namespace}/${pod.name}`;
      wanted.add(key);
      const current = existing.get(key);
      const currentHash = current === undefined ? undefined : asRecord(asRecord(current['metadata'])['annotations'])['kubernetes.io/config.mirror'];
      // A mirror pod being deleted (e.g. by the garbage collector after its Node object was deleted: mirror pods are
      // owned by their Node) is replaced, as the kubelet's tryReconcileMirrorPods does (pkg/kubelet/kubelet.go: it
      // deletes a mirror pod whose DeletionTimestamp is set or that does not match the static pod, then creates it).
      const terminating = current !== undefined && asRecord(current['metadata'])['deletionTimestamp'] !== undefined;
      if (current !== undefined && currentHash === pod.hash && !terminating) {
        const phase = asRecord(current['status'])['phase'];
        if (phase !== 'Running') await this.podStatus(client, pod);
        continue;
      }
      if (current !== undefined) {
        await deleteMirrorPod(client, current);
        log(`mirror pod ${key}: ${terminating ? 'being deleted' : 'manifest changed'}, deleted the old one`);
      }
      await this.createMirrorPod(client, pod);
    }
    for (const [key, current] of existing) {
      if (wanted.has(key)) continue;
      await deleteMirrorPod(client, current);
      log(`mirror pod ${key}: manifest gone, deleted`);
    }
  }

  private async createMirrorPod(client: Client, pod: StaticPod): Promise<void> {
    const metadata = asRecord(pod.pod['metadata']);
    const spec = { ...asRecord(pod.pod['spec']), nodeName: this.options.node };
    const body = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: pod.name,
        namespace: pod.namespace,
        labels: asRecord(metadata['labels']),
        annotations: {
          ...asRecord(metadata['annotations']),
          'kubernetes.io/config.hash': pod.hash,
          'kubernetes.io/config.mirror': pod.hash,
          'kubernetes.io/config.seen': now(),
          'kubernetes.io/config.source': 'file',
        },
        ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: this.options.node, uid: this.nodeUid, controller: true }],
      },
      spec,
    };
    const created = await request(client, 'POST', `/api/v1/namespaces/${pod.namespace}/pods`, body);
    if (created.status === 201) {
      log(`mirror pod ${pod.namespace}/${pod.name} created`);
      await this.podStatus(client, pod);
    } else if (created.status !== 409) {
      log(`mirror pod ${pod.namespace}/${pod.name}: HTTP ${created.status} ${created.text.slice(0, 400)}`);
    }
  }

  private async podStatus(client: Client, pod: StaticPod): Promise<void> {
    const spec = asRecord(pod.pod['spec']);
    const container = asRecord((spec['containers'] as unknown[] | undefined)?.[0]);
    const time = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const condition = (type: string) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: time });
    const status = {
      phase: 'Running',
      hostIP: this.options.address,
      podIP: this.options.address,
      startTime: time,
      conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map(condition),
      containerStatuses: [{ name: String(container['name']), image: String(container['image']), imageID: '', ready: true, started: true, restartCount: 0, state: { running: { startedAt: time } } }],
    };
    const patched = await request(client, 'PATCH', `/api/v1/namespaces/${pod.namespace}/pods/${pod.name}/status`, { status }, 'application/merge-patch+json');
    if (patched.status !== 200) log(`mirror pod ${pod.namespace}/${pod.name} status: HTTP ${patched.status} ${patched.text.slice(0, 300)}`);
  }
}

function option(args: string[], name: string): string {
  const index = args.indexOf(name);
  const value = index >= 0 ? args[index + 1] : undefined;
  if (value === undefined) throw new Error(`kubeagent: ${name} is required`);
  return value;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const args = process.argv.slice(2);
  mkdirSync(STATE_DIR, { recursive: true });
  void new Agent({ node: option(args, '--node'), address: option(args, '--address'), version: option(args, '--version') }).run();
}
