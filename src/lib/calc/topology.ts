import * as z from 'zod/mini';
import { CalcInputError, type Note } from './errors';
import { parseInput, wholeNumber } from './_internal/validate';
import { MAX_MEMBERS, sizeNotes } from './quorum';
import { MAX_ZONES, zoneLoss } from './zone-loss';

/** A sanity bound on control-plane nodes; real clusters run one, three or five. */
export const MAX_CONTROL_PLANE_NODES = 15;

/**
 * Kubernetes' tested scalability limit: "No more than 5,000 nodes" (kubernetes/website
 * content/en/docs/setup/best-practices/cluster-large.md).
 */
export const MAX_WORKERS = 5000;

/** From worst to best. Each rule in `topology` can only lower the verdict. */
export const VERDICTS = ['development-only', 'not-recommended', 'acceptable', 'production'] as const;

/** How a verdict reads: one of VERDICTS. */
export type Verdict = (typeof VERDICTS)[number];

/**
 * Where etcd runs (kubeadm ha-topology, kubernetes/website content/en/docs/setup/production-environment/tools/
 * kubeadm/ha-topology.md): stacked, one member on each control-plane node, or external, its own `members` hosts.
 */
export type EtcdLayout = { topology: 'stacked' } | { topology: 'external'; members: number };

/** What kubelets and clients connect to: one server's address, DNS round-robin, or a health-checked load balancer. */
export type LoadBalancerKind = 'none' | 'dns-round-robin' | 'load-balancer';

/** How long replacing a failed worker takes: minutes (cloud, autoscaling), days, or months (ordered hardware). */
export type WorkerReplacement = 'minutes' | 'days' | 'months';

export interface TopologyInput {
  /** Machines running kube-apiserver, the scheduler and the controller manager, 1..15. */
  controlPlaneNodes: number;
  /** Nodes that run workloads, 1..5000. */
  workers: number;
  /**
   * True when workloads run on the control-plane machines themselves (the workers are not separate machines,
   * like a one-machine cluster). Default false.
   */
  colocated?: boolean;
  /** Stacked: one etcd member on each control-plane node (kubeadm's default). External: its own cluster of `members`. */
  etcd: EtcdLayout;
  /** What sits in front of the API servers for kubelets and clients. */
  loadBalancer: LoadBalancerKind;
  /** How long a failed worker takes to replace. Default 'days'. */
  workerReplacement?: WorkerReplacement;
  /**
   * Where the etcd members run: a number of zones (members spread round-robin, as evenly as possible: 3 members
   * over 2 zones is 2/1), or the etcd members in each zone (`[2, 2, 1]`, must add up to the etcd member count).
   * Omit when unknown; no zone check is made then.
   */
  zones?: number | number[];
}

export interface TopologyResult {
  verdict: Verdict;
  /** Components whose single failure stops the cluster or its workloads, in words. Empty for a sound layout. */
  singlePointsOfFailure: string[];
  /** Every rule that fired, most severe first. Stable `code`s. */
  findings: Note[];
}

const topologySchema = z.object({
  controlPlaneNodes: wholeNumber(1, MAX_CONTROL_PLANE_NODES),
  workers: wholeNumber(1, MAX_WORKERS),
  colocated: z.optional(z.boolean({ error: 'must be true or false' })),
  etcd: z.discriminatedUnion(
    'topology',
    [z.object({ topology: z.literal('stacked') }), z.object({ topology: z.literal('external'), members: wholeNumber(1, MAX_MEMBERS) })],
    { error: "must be { topology: 'stacked' } or { topology: 'external', members }" },
  ),
  loadBalancer: z.enum(['none', 'dns-round-robin', 'load-balancer'], { error: 'must be none, dns-round-robin or load-balancer' }),
  workerReplacement: z.optional(z.enum(['minutes', 'days', 'months'], { error: 'must be minutes, days or months' })),
  zones: z.optional(z.unknown()),
});

const zoneCountSchema = z.object({ zones: wholeNumber(1, MAX_ZONES) });
const zoneListSchema = z.object({
  zones: z.array(wholeNumber(0, MAX_MEMBERS)).check(
    z.minLength(1, { error: 'must name at least one zone' }),
    z.maxLength(MAX_ZONES, { error: `must have at most ${MAX_ZONES} zones` }),
  ),
});

const SEVERITY_ORDER: Record<Note['severity'], number> = { critical: 0, warning: 1, info: 2 };

/**
 * Judges a cluster layout the way the cluster-sizing guide the handbook was commissioned with (shared seed 000) does,
 * with its rules spelled out and the cases between its six sample layouts decided explicitly.
 *
 * The verdict starts at `production` and each rule below can only lower it:
 * - One control-plane node, or an etcd cluster that tolerates no failure (1 or 2 members: with 2 the quorum is 2 of
 *   2, so either failure stops writes, twice as likely as with one), → `development-only` (seed layouts 1, 2, 5;
 *   etcd FAQ; Howard 2015: two nodes are less available than one).
 * - No load balancer in front of two or more API servers: clients and kubelets use one server's address, which is
 *   then a single point of failure → `not-recommended`.
 * - A single worker: its workloads have no redundancy. Replaced in minutes → `acceptable` (layout 4); in days or
 *   months → `not-recommended` (layout 3). When `workerReplacement` is omitted, days are assumed.
 * - DNS round-robin in front of the API servers (seed 003: kubelets cache one resolved address, DNS caches keep
 *   dead ones; use a health-checked load balancer) → at most `acceptable`.
 * - Exactly two control-plane nodes (kubeadm ha-topology asks for at least three) → at most `acceptable`.
 * - Workloads colocated with the control plane (they compete with etcd for disk and CPU, and one machine failure
 *   takes both) → at most `acceptable`.
 * - `zones` given and one zone's loss leaves etcd without a quorum (`zoneLoss`), including a single zone → at most
 *   `acceptable`: a zone is then a single point of failure.
 * Findings without a verdict change: even etcd sizes and sizes above seven (`quorum` size notes), stacked coupling
 * (losing a node loses an etcd member and a control-plane instance; kubeadm ha-topology), and a reminder that the
 * load balancer itself must be redundant. Three control-plane nodes, five workers and a health-checked load balancer
 * (layout 6) is `production`.
 *
 * @throws CalcInputError naming the field; `zones` must add up to the etcd member count when given as a list.
 */
export function topology(input: TopologyInput): TopologyResult {
  const parsed = parseInput('topology', topologySchema, input);
  const { controlPlaneNodes, workers, etcd, loadBalancer } = parsed;
  const colocated = parsed.colocated ?? false;
  const workerReplacement = parsed.workerReplacement ?? 'days';
  const etcdMembers = etcd.topology === 'stacked' ? controlPlaneNodes : etcd.members;
  const membersPerZone = parseZones(parsed.zones, etcdMembers);

  let verdict: Verdict = 'production';
  const lowerTo = (cap: Verdict) => {
    if (VERDICTS.indexOf(cap) < VERDICTS.indexOf(verdict)) verdict = cap;
  };
  const singlePointsOfFailure: string[] = [];
  const findings: Note[] = [...sizeNotes(etcdMembers)];

  if (controlPlaneNodes === 1) {
    lowerTo('development-only');
    singlePointsOfFailure.push('the only control-plane node (API server, scheduler, controller manager)');
    findings.push({
      severity: 'critical',
      code: 'single-control-plane-node',
      message: 'One control-plane node: if it fails, nothing can be scheduled or changed until it is rebuilt. Fine for development only.',
    });
  } else if (controlPlaneNodes === 2) {
    lowerTo('acceptable');
    findings.push({
      severity: 'warning',
      code: 'two-control-plane-nodes',
      message: 'Two control-plane nodes: kubeadm asks for at least three, and a stacked pair has no etcd failure tolerance.',
    });
  }

  if (etcdMembers === 1) {
    lowerTo('development-only');
    singlePointsOfFailure.push('the only etcd member');
  } else if (etcdMembers === 2) {
    lowerTo('development-only');
    singlePointsOfFailure.push('each of the 2 etcd members (the quorum is 2 of 2)');
    findings.push({
      severity: 'critical',
      code: 'two-etcd-members',
      message: 'Two etcd members need both for a quorum: losing either stops all writes, so the pair fails twice as often as a single member.',
    });
  }

  if (workers === 1) {
    lowerTo(workerReplacement === 'minutes' ? 'acceptable' : 'not-recommended');
    singlePointsOfFailure.push('the only worker node');
    findings.push(singleWorkerFinding(workerReplacement, parsed.workerReplacement === undefined));
  }

  if (controlPlaneNodes > 1) findings.push(...endpointFindings(loadBalancer, lowerTo, singlePointsOfFailure));

  if (colocated) {
    lowerTo('acceptable');
    findings.push({
      severity: 'warning',
      code: 'colocated-workloads',
      message: 'Workloads run on the control-plane machines: a busy workload can starve etcd of disk and CPU, and one machine failure takes both.',
    });
  }

  if (etcd.topology === 'stacked' && controlPlaneNodes > 1) {
    findings.push({
      severity: 'info',
      code: 'stacked-coupling',
      message: 'Stacked etcd: losing a control-plane node loses an etcd member and an API server together. External etcd decouples them at the cost of more hosts.',
    });
  }

  if (membersPerZone !== undefined) {
    const zones = zoneLoss({ membersPerZone });
    findings.push(...zones.notes);
    if (!zones.survivesAnyZoneLoss) {
      lowerTo('acceptable');
      membersPerZone.forEach((members, index) => {
        if (members > zones.faultTolerance) singlePointsOfFailure.push(`zone ${index + 1} (${members} of ${etcdMembers} etcd members)`);
      });
    }
  }

  findings.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
  return { verdict, singlePointsOfFailure, findings };
}

function singleWorkerFinding(replacement: WorkerReplacement, assumed: boolean): Note {
  const how = assumed ? 'assumed to take days to replace' : `replaced in ${replacement}`;
  if (replacement === 'minutes') {
    return {
      severity: 'warning',
      code: 'single-worker',
      message: `One worker, ${how}: a failure stops every workload until a new node joins. Add workers before serving anything that matters.`,
    };
  }
  return {
    severity: 'critical',
    code: 'single-worker',
    message: `One worker, ${how}: a failure stops every workload for that long. Add workers.`,
  };
}

function endpointFindings(loadBalancer: LoadBalancerKind, lowerTo: (cap: Verdict) => void, singlePointsOfFailure: string[]): Note[] {
  if (loadBalancer === 'none') {
    lowerTo('not-recommended');
    singlePointsOfFailure.push('the API server whose address kubelets and clients use');
    return [
      {
        severity: 'critical',
        code: 'no-load-balancer',
        message: 'Several API servers but no load balancer: kubelets and clients talk to one address, so that one server is a single point of failure. Put a health-checked load balancer in front.',
      },
    ];
  }
  if (loadBalancer === 'dns-round-robin') {
    lowerTo('acceptable');
    return [
      {
        severity: 'warning',
        code: 'dns-round-robin',
        message: 'DNS round-robin is not load balancing: kubelets keep the address they resolved and DNS caches keep dead ones, so a lost API server causes timeouts. Use a health-checked load balancer.',
      },
    ];
  }
  return [
    {
      severity: 'info',
      code: 'load-balancer-redundancy',
      message: 'The load balancer is now on every request path: make it redundant (a pair with a floating address, or a managed load balancer).',
    },
  ];
}

/** `zones` as etcd members per zone, or undefined when not given. */
function parseZones(zones: unknown, etcdMembers: number): number[] | undefined {
  if (zones === undefined) return undefined;
  if (Array.isArray(zones)) {
    const list = parseInput('topology', zoneListSchema, { zones }).zones;
    const total = list.reduce((sum, count) => sum + count, 0);
    if (total !== etcdMembers) {
      throw new CalcInputError('topology', [{ path: 'zones', message: `must add up to the ${etcdMembers} etcd members (got ${total})` }]);
    }
    return list;
  }
  if (typeof zones !== 'number') {
    throw new CalcInputError('topology', [{ path: 'zones', message: 'must be a number of zones or a list of etcd members per zone' }]);
  }
  const count = parseInput('topology', zoneCountSchema, { zones }).zones;
  return Array.from({ length: count }, (_, zone) => Math.floor(etcdMembers / count) + (zone < etcdMembers % count ? 1 : 0));
}

const VERDICT_WORDS: Record<Verdict, string> = {
  'development-only': 'fit for development only',
  'not-recommended': 'not recommended',
  acceptable: 'acceptable',
  production: 'production ready',
};

/**
 * The answer in one sentence: the verdict and what stands between this layout and production.
 *
 * @example topologySentence(topology({ controlPlaneNodes: 3, workers: 5, etcd: { topology: 'stacked' }, loadBalancer: 'load-balancer' }))
 *   // 'This layout is production ready: no single component stops the cluster when it fails.'
 */
export function topologySentence(result: TopologyResult): string {
  const verdict = `This layout is ${VERDICT_WORDS[result.verdict]}`;
  const count = result.singlePointsOfFailure.length;
  if (count === 0) {
    const worst = result.findings.find((finding) => finding.severity !== 'info');
    return worst === undefined
      ? `${verdict}: no single component stops the cluster when it fails.`
      : `${verdict}: no single point of failure, but see the ${worst.severity === 'critical' ? 'critical finding' : 'warnings'} below.`;
  }
  const [first] = result.singlePointsOfFailure;
  return count === 1 ? `${verdict}: ${first} is a single point of failure.` : `${verdict}: ${count} single points of failure, first ${first}.`;
}
