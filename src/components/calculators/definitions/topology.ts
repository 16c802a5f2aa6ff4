import { CalcInputError } from '../../../lib/calc/errors';
import { MAX_ZONES } from '../../../lib/calc/zone-loss';
import {
  MAX_CONTROL_PLANE_NODES,
  MAX_WORKERS,
  topology,
  topologySentence,
  type TopologyInput,
  type TopologyResult,
  type Verdict,
} from '../../../lib/calc/topology';
import { formatNumber } from '../client/format';
import type { CalculatorDefinition } from '../client/types';

const VERDICT_TEXT: Record<Verdict, string> = {
  'development-only': 'Development only',
  'not-recommended': 'Not recommended',
  acceptable: 'Acceptable',
  production: 'Production ready',
};

/** The library nests etcd's layout; this form has two flat fields, so errors are moved onto them. */
function renameIssues(error: unknown): never {
  if (!(error instanceof CalcInputError)) throw error;
  throw new CalcInputError(
    'topology',
    error.issues.map((issue) => ({
      path: issue.path === 'etcd.members' ? 'etcdMembers' : issue.path === 'etcd' ? 'etcdTopology' : issue.path,
      message: issue.message,
    })),
  );
}

export const topologyCalculator: CalculatorDefinition<TopologyResult> = {
  id: 'topology',
  fields: [
    {
      name: 'controlPlaneNodes',
      label: 'Control-plane nodes',
      unit: 'machines',
      kind: 'integer',
      hint: `Machines running kube-apiserver, scheduler and controller manager; 1 to ${MAX_CONTROL_PLANE_NODES}.`,
    },
    { name: 'workers', label: 'Worker nodes', unit: 'machines', kind: 'integer', hint: `1 to ${formatNumber(MAX_WORKERS)}.` },
    {
      name: 'etcdTopology',
      label: 'Where etcd runs',
      kind: 'select',
      options: [
        { value: 'stacked', label: 'Stacked: one member on each control-plane node' },
        { value: 'external', label: 'External: its own hosts' },
      ],
    },
    {
      name: 'etcdMembers',
      label: 'External etcd members',
      unit: 'members',
      kind: 'integer',
      optional: true,
      hint: 'Members on their own hosts.',
      showWhen: { field: 'etcdTopology', values: ['external'] },
    },
    {
      name: 'loadBalancer',
      label: 'In front of the API servers',
      kind: 'select',
      options: [
        { value: 'load-balancer', label: 'A health-checked load balancer' },
        { value: 'dns-round-robin', label: 'DNS round-robin' },
        { value: 'none', label: 'Nothing: clients use one server\u2019s address' },
      ],
    },
    {
      name: 'workerReplacement',
      label: 'A failed worker is replaced within',
      kind: 'select',
      options: [
        { value: 'minutes', label: 'minutes (cloud, autoscaling)' },
        { value: 'days', label: 'days' },
        { value: 'months', label: 'months (hardware on order)' },
      ],
    },
    {
      name: 'zones',
      label: 'Zones',
      unit: 'count, or etcd members per zone',
      kind: 'numberList',
      optional: true,
      hint: `Optional: a zone count (members spread evenly) or a list like 2, 2, 1; at most ${MAX_ZONES} zones.`,
    },
    { name: 'colocated', label: 'Workloads run on the control-plane machines', kind: 'checkbox' },
  ],
  presets: [
    { id: 'one-zone', label: 'One zone', values: { zones: '1' } },
    { id: 'three-zones', label: 'Three zones', values: { zones: '3' } },
  ],
  defaults: {
    controlPlaneNodes: '3',
    workers: '5',
    etcdTopology: 'stacked',
    etcdMembers: '',
    loadBalancer: 'load-balancer',
    workerReplacement: 'days',
    zones: '3',
    colocated: 'false',
  },
  outputs: [
    { key: 'verdict', label: 'Verdict' },
    { key: 'spofCount', label: 'Single points of failure' },
  ],
  compute: (input) => {
    const { etcdTopology, etcdMembers, ...rest } = input;
    let etcd: unknown;
    if (etcdTopology === 'stacked') etcd = { topology: 'stacked' };
    else if (etcdTopology === 'external') {
      if (etcdMembers === undefined) throw new CalcInputError('topology', [{ path: 'etcdMembers', message: 'is required for external etcd' }]);
      etcd = { topology: 'external', members: etcdMembers };
    } else throw new CalcInputError('topology', [{ path: 'etcdTopology', message: 'must be stacked or external' }]);
    try {
      // The library checks every field; the cast only names the shape.
      return topology({ ...rest, etcd } as unknown as TopologyInput);
    } catch (error) {
      return renameIssues(error);
    }
  },
  view: (result) => ({
    headline: topologySentence(result),
    outputs: {
      verdict: VERDICT_TEXT[result.verdict],
      spofCount: result.singlePointsOfFailure.length === 0 ? 'none' : formatNumber(result.singlePointsOfFailure.length),
    },
    notes: result.findings,
    refusals: [],
    table: {
      caption: 'Single points of failure',
      head: ['What fails alone and stops the cluster or its workloads'],
      rows: result.singlePointsOfFailure.map((text) => [text]),
    },
  }),
};
