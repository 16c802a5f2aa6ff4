/**
 * The values a reader can enter once in the "Your cluster" panel. Each field names the example value the
 * runbooks' "Set up your shell" blocks use for it; wherever that example appears in such a block, the reader's
 * value replaces it (shell-quoted, see fill.ts), and while it is unfilled it is marked as a value to change.
 * A team publishing the handbook sets its own defaults in src/config/your-cluster.json.
 */
export interface ClusterField {
  id: string;
  label: string;
  /** The example written in the runbooks; must appear only where this value is meant. */
  example: string;
  /** Shown under the input. */
  hint?: string;
}

export const CLUSTER_FIELDS: readonly ClusterField[] = [
  { id: 'cp1Name', label: 'Control-plane node 1: name', example: 'cp-1' },
  { id: 'cp1Ip', label: 'Control-plane node 1: IP address', example: '10.0.0.11' },
  { id: 'cp2Name', label: 'Control-plane node 2: name', example: 'cp-2', hint: 'The runbooks use node 2 as the failed one.' },
  { id: 'cp2Ip', label: 'Control-plane node 2: IP address', example: '10.0.0.12' },
  { id: 'cp3Name', label: 'Control-plane node 3: name', example: 'cp-3' },
  { id: 'cp3Ip', label: 'Control-plane node 3: IP address', example: '10.0.0.13' },
  { id: 'lbDns', label: 'Load balancer: DNS name (controlPlaneEndpoint)', example: 'k8s-api.example.internal' },
  { id: 'lbVip', label: 'Load balancer: virtual IP', example: '10.0.0.10' },
  { id: 'kubernetesVersion', label: 'Kubernetes version (without the v)', example: '1.37.2' },
  { id: 'backupRemote', label: 'Backup target (scp destination)', example: 'etcd-backup@backup.example.internal:/srv/etcd-backups/' },
];

export type ClusterValues = Partial<Record<string, string>>;
