import {
  ETCD_TIMING_PRESETS,
  MAX_ELECTION_TIMEOUT_MS,
  etcdFlagSnippets,
  etcdTiming,
  etcdTimingSentence,
  type EtcdTimingInput,
  type EtcdTimingResult,
} from '../../../lib/calc/etcd-timing';
import { formatMilliseconds, formatNumber } from '../client/format';
import type { CalculatorDefinition } from '../client/types';

export const etcdTimingCalculator: CalculatorDefinition<EtcdTimingResult> = {
  id: 'etcd-timing',
  fields: [
    { name: 'heartbeatMs', label: 'Heartbeat interval', unit: 'ms', kind: 'integer', hint: '--heartbeat-interval; etcd\u2019s default is 100.' },
    {
      name: 'electionTimeoutMs',
      label: 'Election timeout',
      unit: 'ms',
      kind: 'integer',
      hint: `--election-timeout; default 1000, at most ${formatNumber(MAX_ELECTION_TIMEOUT_MS)}.`,
    },
    {
      name: 'rttMs',
      label: 'Round trip between members',
      unit: 'ms',
      kind: 'number',
      optional: true,
      hint: 'Optional: the largest average RTT between any two members.',
    },
    {
      name: 'preVote',
      label: 'Pre-vote on',
      kind: 'checkbox',
      hint: '--pre-vote: on by default in etcd 3.5, 3.6 and 3.7; etcd 3.4 (end of life) defaulted to off.',
    },
  ],
  defaults: { heartbeatMs: '100', electionTimeoutMs: '1000', rttMs: '0.5', preVote: 'true' },
  presets: ETCD_TIMING_PRESETS.map((preset) => ({
    id: preset.id,
    label: preset.label,
    values: {
      heartbeatMs: String(preset.heartbeatMs),
      electionTimeoutMs: String(preset.electionTimeoutMs),
      rttMs: String(preset.rttMs),
      preVote: String(preset.preVote),
    },
  })),
  refusalHeading: 'etcd would refuse to start with this',
  outputs: [
    { key: 'failover', label: 'New leader after the leader fails, first election' },
    { key: 'failoverWorst', label: 'Worst, unless a vote splits' },
    { key: 'ticks', label: 'Election timeout in heartbeats' },
    { key: 'recommended', label: 'Suggested flags for this RTT' },
  ],
  compute: (input) => etcdTiming(input as unknown as EtcdTimingInput),
  view: (result, input) => ({
    headline: etcdTimingSentence(result, input['rttMs'] as number | undefined),
    code: etcdFlagSnippets(result.recommended).map((snippet) => ({ caption: snippet.caption, text: snippet.text })),
    outputs: {
      failover:
        result.leaderFailoverMs === null
          ? 'never (election timeout is 0 heartbeats)'
          : `${formatMilliseconds(result.leaderFailoverMs.best)} to ${formatMilliseconds(result.leaderFailoverMs.firstRoundWorst)}`,
      failoverWorst:
        result.leaderFailoverMs === null
          ? 'never (election timeout is 0 heartbeats)'
          : result.preVote
            ? formatMilliseconds(result.leaderFailoverMs.worst)
            : `${formatMilliseconds(result.leaderFailoverMs.worst)} (second election, ${formatNumber(result.leaderFailoverMs.secondElectionShare * 100, 1)} % of failovers)`,
      ticks: formatNumber(result.electionTicks),
      recommended: `--heartbeat-interval=${result.recommended.heartbeatMs} --election-timeout=${result.recommended.electionTimeoutMs}`,
    },
    notes: result.notes,
    refusals: result.errors,
  }),
};
