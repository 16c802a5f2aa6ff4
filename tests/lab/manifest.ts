/**
 * `/etc/kubernetes/manifests/etcd.yaml` as kubeadm writes it (cmd/kubeadm/app/phases/etcd/local.go, GetEtcdPodSpec
 * and getEtcdCommand): command `etcd` followed by the flags sorted by name (kubeadm's ArgumentsToCommand sorts
 * them), hostPath volumes `etcd-data` (the data directory) and `etcd-certs` (/etc/kubernetes/pki/etcd), both
 * DirectoryOrCreate and mounted at the same path, and the annotation
 * `kubeadm.kubernetes.io/etcd.advertise-client-urls` that kubeadm reads back to find etcd endpoints.
 *
 * Flags that depend on the etcd version (kubernetes/kubernetes PR 132838, kubeadm 1.34, and PR 135701, 1.36):
 * - etcd >= 3.6: `--feature-gates=InitialCorruptCheck=true` and `--watch-progress-notify-interval=5s`;
 * - etcd 3.5 (kubeadm up to 1.35 with a 3.5 image, and every kubeadm that shipped 3.5 by default):
 *   `--experimental-initial-corrupt-check=true` and `--experimental-watch-progress-notify-interval=5s`.
 *   etcd 3.7 removed the experimental flags, and kubeadm 1.36 no longer writes them for any version.
 *
 * Join state, as `kubeadm join --control-plane` leaves it: the first node has `--initial-cluster=<itself>` and no
 * `--initial-cluster-state`; a joining node has the member list etcd returned when it was added (as a learner)
 * and `--initial-cluster-state=existing`.
 *
 * The image, probes and resources are written in kubeadm's shape but nothing reads them: the kubelet stand-in runs
 * the command as a process. The image name is a placeholder (nothing is pulled).
 */
import { compareVersions } from './versions.ts';

export interface EtcdManifestInput {
  nodeName: string;
  /** The node's address, kubeadm's `localAPIEndpoint.advertiseAddress`. */
  address: string;
  /** The patch version of etcd, e.g. `3.6.16`. */
  etcdVersion: string;
  /** `--initial-cluster`; defaults to the node alone (what `kubeadm init` writes). */
  initialCluster?: string;
  /** Written only when given (kubeadm writes `existing` on joining nodes and nothing on the first). */
  initialClusterState?: 'new' | 'existing';
  dataDir?: string;
  certificatesDir?: string;
  /** Further flags, by name without dashes (kubeadm's `etcd.local.extraArgs`), e.g. `{ 'quota-backend-bytes': '...' }`. */
  extraArgs?: Record<string, string>;
}

export const DEFAULT_DATA_DIR = '/var/lib/etcd';
export const DEFAULT_CERTIFICATES_DIR = '/etc/kubernetes/pki';

/** The etcd command kubeadm writes, `etcd` first, flags sorted by name. */
export function etcdCommand(input: EtcdManifestInput): string[] {
  const dataDir = input.dataDir ?? DEFAULT_DATA_DIR;
  const pki = input.certificatesDir ?? DEFAULT_CERTIFICATES_DIR;
  const clientUrl = `https://${input.address}:2379`;
  const peerUrl = `https://${input.address}:2380`;
  const modernFlags = compareVersions(input.etcdVersion, '3.6.0') >= 0;
  const args: Record<string, string> = {
    name: input.nodeName,
    'listen-client-urls': `https://127.0.0.1:2379,${clientUrl}`,
    'advertise-client-urls': clientUrl,
    'listen-peer-urls': peerUrl,
    'initial-advertise-peer-urls': peerUrl,
    'data-dir': dataDir,
    'cert-file': `${pki}/etcd/server.crt`,
    'key-file': `${pki}/etcd/server.key`,
    'trusted-ca-file': `${pki}/etcd/ca.crt`,
    'client-cert-auth': 'true',
    'peer-cert-file': `${pki}/etcd/peer.crt`,
    'peer-key-file': `${pki}/etcd/peer.key`,
    'peer-trusted-ca-file': `${pki}/etcd/ca.crt`,
    'peer-client-cert-auth': 'true',
    'snapshot-count': '10000',
    'listen-metrics-urls': 'http://127.0.0.1:2381',
    'initial-cluster': input.initialCluster ?? `${input.nodeName}=${peerUrl}`,
    ...(modernFlags
      ? { 'feature-gates': 'InitialCorruptCheck=true', 'watch-progress-notify-interval': '5s' }
      : { 'experimental-initial-corrupt-check': 'true', 'experimental-watch-progress-notify-interval': '5s' }),
    ...(input.initialClusterState === undefined ? {} : { 'initial-cluster-state': input.initialClusterState }),
    ...(input.extraArgs ?? {}),
  };
  return ['etcd', ...Object.keys(args).sort().map((name) => `--${name}=${args[name]}`)];
}

/** The whole manifest, in the key order and indentation kubeadm's YAML serialiser produces. */
export function etcdManifest(input: EtcdManifestInput): string {
  const dataDir = input.dataDir ?? DEFAULT_DATA_DIR;
  const certsDir = `${input.certificatesDir ?? DEFAULT_CERTIFICATES_DIR}/etcd`;
  const probe = (path: string, failureThreshold: number, extra: string[]) => [
    `      failureThreshold: ${failureThreshold}`,
    '      httpGet:',
    '        host: 127.0.0.1',
    `        path: ${path}`,
    '        port: 2381',
    '        scheme: HTTP',
    ...extra,
  ];
  const lines = [
    'apiVersion: v1',
    'kind: Pod',
    'metadata:',
    '  annotations:',
    `    kubeadm.kubernetes.io/etcd.advertise-client-urls: https://${input.address}:2379`,
    '  labels:',
    '    component: etcd',
    '    tier: control-plane',
    '  name: etcd',
    '  namespace: kube-system',
    'spec:',
    '  containers:',
    '  - command:',
    ...etcdCommand(input).map((word) => `    - ${word}`),
    `    image: handbook-lab/etcd:${input.etcdVersion}-0`,
    '    imagePullPolicy: IfNotPresent',
    '    livenessProbe:',
    ...probe('/livez', 8, ['      initialDelaySeconds: 10', '      periodSeconds: 10', '      timeoutSeconds: 15']),
    '    name: etcd',
    '    readinessProbe:',
    ...probe('/readyz', 3, ['      periodSeconds: 1', '      timeoutSeconds: 15']),
    '    resources:',
    '      requests:',
    '        cpu: 100m',
    '        memory: 100Mi',
    '    startupProbe:',
    ...probe('/readyz', 24, ['      initialDelaySeconds: 10', '      periodSeconds: 10', '      timeoutSeconds: 15']),
    '    volumeMounts:',
    `    - mountPath: ${dataDir}`,
    '      name: etcd-data',
    `    - mountPath: ${certsDir}`,
    '      name: etcd-certs',
    '  hostNetwork: true',
    '  priority: 2000001000',
    '  priorityClassName: system-node-critical',
    '  securityContext:',
    '    seccompProfile:',
    '      type: RuntimeDefault',
    '  volumes:',
    '  - hostPath:',
    `      path: ${certsDir}`,
    '      type: DirectoryOrCreate',
    '    name: etcd-certs',
    '  - hostPath:',
    `      path: ${dataDir}`,
    '      type: DirectoryOrCreate',
    '    name: etcd-data',
    'status: {}',
  ];
  return `${lines.join('\n')}\n`;
}
