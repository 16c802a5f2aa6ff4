/**
 * Where to act on a note: the runbook, alert page or reference section that does what the note calls for. Links
 * are root-relative (`/runbooks/…/#procedure`); the page adds the site's base path. A unit test checks that every
 * target page and heading exists and that every warning or critical note code has an action.
 */

export interface NoteAction {
  /** Root-relative URL with trailing slash and optional `#heading`. */
  href: string;
  /** Link text: what the reader will do there. */
  label: string;
}

const MEMBER_REPLACEMENT: NoteAction = { href: '/runbooks/etcd-member-replacement/#procedure', label: 'Add or replace a member (runbook)' };
const SIZING: NoteAction = { href: '/reference/topology-and-sizing/#members-quorum-and-failure-tolerance', label: 'Choose a cluster size' };
const LOAD_BALANCING: NoteAction = { href: '/runbooks/apiserver-load-balancing/#procedure', label: 'Put a redundant load balancer in front (runbook)' };
const LEADER_ELECTION: NoteAction = { href: '/runbooks/leader-election-tuning/#procedure', label: 'Change the leader-election flags (runbook)' };
const ETCD_TIMING: NoteAction = { href: '/calculators/etcd-timing/', label: 'Match etcd’s heartbeat and election timeout to the round trip' };
const ZONES: NoteAction = { href: '/reference/availability-zones-and-storage/#spreading-etcd-members-across-zones', label: 'Spread members across zones' };
const NOSPACE: NoteAction = { href: '/runbooks/etcd-nospace/#procedure', label: 'Compact and defragment (NOSPACE runbook)' };

/** Action by note code. Codes are unique across the library's modules, except `even-members`, which means the same everywhere. */
export const NOTE_ACTIONS: Readonly<Record<string, NoteAction>> = {
  // quorum, topology (etcd size)
  'single-member': MEMBER_REPLACEMENT,
  'even-members': { href: '/runbooks/etcd-member-replacement/#procedure', label: 'Add or remove one member to reach an odd size (runbook)' },
  'slower-writes': SIZING,
  'impractical-size': SIZING,
  'learner-limit': MEMBER_REPLACEMENT,
  'replace-down-member': { href: '/runbooks/etcd-member-replacement/#procedure', label: 'Replace the member that is down (runbook)' },
  'quorum-lost': { href: '/runbooks/etcd-quorum-loss/#procedure', label: 'Recover from quorum loss (runbook)' },
  // availability
  'below-half': { href: '/reference/availability-zones-and-storage/', label: 'Make members more available: zones and storage' },
  // etcd timing
  'etcd-refuses': ETCD_TIMING,
  'heartbeat-below-rtt': { href: '/alerts/etcdmembercommunicationslow/#mitigation', label: 'Slow member communication: mitigation' },
  'election-below-10-rtt': { href: '/alerts/etcdhighnumberofleaderchanges/#mitigation', label: 'Frequent leader changes: mitigation' },
  'pre-vote-off': { href: '/calculators/etcd-timing/#leader-failover-estimate', label: 'What pre-vote changes in a failover' },
  // leader election
  'client-go-refuses': LEADER_ELECTION,
  'leader-overlap': LEADER_ELECTION,
  'lease-under-one-second': LEADER_ELECTION,
  'lease-truncated': LEADER_ELECTION,
  // topology
  'single-control-plane-node': { href: '/reference/topology-and-sizing/#six-layouts-judged', label: 'Layouts that survive a node failure' },
  'two-control-plane-nodes': { href: '/runbooks/rebuild-control-plane-node/#procedure', label: 'Add a third control-plane node (runbook)' },
  'two-etcd-members': MEMBER_REPLACEMENT,
  'colocated-workloads': { href: '/reference/topology-and-sizing/#which-parts-are-active-at-the-same-time', label: 'Keep workloads off the control plane' },
  'stacked-coupling': { href: '/reference/topology-and-sizing/#stacked-or-external-etcd', label: 'Stacked or external etcd' },
  'single-worker': { href: '/reference/workload-practices/#spread-replicas-across-zones-and-nodes', label: 'Spread replicas across nodes' },
  'no-load-balancer': LOAD_BALANCING,
  'dns-round-robin': { href: '/runbooks/apiserver-load-balancing/#why-not-dns-round-robin', label: 'Why not DNS round-robin, and what instead (runbook)' },
  'load-balancer-redundancy': LOAD_BALANCING,
  // zones
  'single-zone': ZONES,
  'two-zones': ZONES,
  'zone-loss-breaks-quorum': ZONES,
  // write latency
  'fsync-slow': { href: '/alerts/etcdhighfsyncdurations/#mitigation', label: 'Slow disk syncs: mitigation' },
  'rtt-high': ETCD_TIMING,
  // recovery member
  'several-clusters': { href: '/runbooks/etcd-quorum-loss/#set-up-your-shell', label: 'Check ETCDCTL_ENDPOINTS (runbook: set up your shell)' },
  // NOSPACE
  'nospace-soon': NOSPACE,
  'nospace-now': NOSPACE,
  'above-suggested-quota': { href: '/runbooks/etcd-nospace/#raise-the-quota', label: 'Raise the quota, within etcd’s suggested 8 GiB (runbook)' },
};

/** The action for a note code, or undefined when the note only informs. */
export function noteAction(code: string): NoteAction | undefined {
  return Object.hasOwn(NOTE_ACTIONS, code) ? NOTE_ACTIONS[code] : undefined;
}
