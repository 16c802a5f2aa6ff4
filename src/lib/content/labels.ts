import type { CalculatorId } from '../../schemas/calculator-id';

/** Human names of the calculators, used wherever a page links to one. */
export const CALCULATOR_TITLES: Record<CalculatorId, string> = {
  quorum: 'Quorum and failure tolerance',
  availability: 'Control-plane availability',
  'write-latency': 'etcd write latency',
  'leader-election': 'Leader-election failover',
  'etcd-timing': 'etcd heartbeat and election timing',
  topology: 'Cluster topology evaluator',
  'recovery-member': 'Which member to recover from',
  nospace: 'Time until NOSPACE',
};

/** Lower-cases an alert name into the slug of its page: `etcdNoLeader` -> `etcdnoleader`. */
export function alertSlug(alertName: string): string {
  return alertName.toLowerCase();
}
