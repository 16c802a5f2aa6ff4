// Straight from the module rather than the barrel: the barrel also loads the availability maths, whose mathjs
// instance is created at module load and so stays in every bundle that touches index.ts.
import { MAX_LEARNERS, MAX_MEMBERS, quorum, quorumSentence, type QuorumInput, type QuorumResult } from '../../../lib/calc/quorum';
import { formatNumber } from '../client/format';
import { membersField } from './fields';
import type { CalculatorDefinition, ChartSpec } from '../client/types';

/** Cluster sizes on the chart: one to nine, the range of the etcd FAQ table, stretched to include the input. */
function chartSizes(members: number): number[] {
  const last = Math.max(9, Math.min(MAX_MEMBERS, members));
  return Array.from({ length: last }, (_, index) => index + 1);
}

export const quorumCalculator: CalculatorDefinition<QuorumResult> = {
  id: 'quorum',
  fields: [
    membersField,
    {
      name: 'membersDown',
      label: 'Voting members down now',
      unit: 'members',
      kind: 'integer',
      optional: true,
      hint: 'Optional: members that are down or unreachable right now (etcdctl endpoint health --cluster).',
    },
    {
      name: 'learners',
      label: 'Learners',
      unit: 'non-voting members',
      kind: 'integer',
      optional: true,
      hint: `Optional, 0 to ${MAX_LEARNERS}. Members added with etcdctl member add --learner.`,
    },
  ],
  defaults: { members: '3', membersDown: '0', learners: '0' },
  presets: [
    { id: 'three', label: '3 members', values: { members: '3' } },
    { id: 'five', label: '5 members', values: { members: '5' } },
    { id: 'seven', label: '7 members', values: { members: '7' } },
  ],
  outputs: [
    { key: 'quorum', label: 'Quorum (members that must be up)' },
    { key: 'faultTolerance', label: 'Members that may fail' },
    { key: 'moreFailures', label: 'Further failures tolerated now' },
    { key: 'learners', label: 'Learners (never counted in the quorum)' },
  ],
  // The input is checked by quorum() itself; this cast only names the shape it will check.
  compute: (input) => quorum(input as unknown as QuorumInput),
  view: (result) => ({
    headline: quorumSentence(result),
    outputs: {
      moreFailures: result.hasQuorum ? formatNumber(result.moreFailuresTolerated) : `none: quorum lost, ${formatNumber(result.membersToRestore)} must come back`,
      quorum: `${formatNumber(result.quorum)} of ${formatNumber(result.members)}`,
      faultTolerance: formatNumber(result.faultTolerance),
      learners: formatNumber(result.learners),
    },
    notes: result.notes,
    refusals: [],
  }),
  chart: (result): ChartSpec => {
    const sizes = chartSizes(result.members);
    const rows = sizes.map((members) => quorum({ members }));
    const labels = sizes.map(String);
    return {
      kind: 'bar',
      xTitle: 'Voting members',
      yTitle: 'Members',
      labels,
      series: [
        { label: 'Quorum', values: rows.map((row) => row.quorum) },
        { label: 'Members that may fail', values: rows.map((row) => row.faultTolerance) },
      ],
      highlightIndex: sizes.indexOf(result.members),
      integerX: true,
      integerY: true,
      ariaLabel:
        `Bar chart of quorum and failure tolerance for 1 to ${sizes.length} voting members. ` +
        `Tolerated failures: ${rows.map((row) => `${row.members} members ${row.faultTolerance}`).join(', ')}. ` +
        `Your ${result.members} members need ${result.quorum} up and tolerate ${result.faultTolerance} failures.`,
      table: {
        caption: 'Quorum and failure tolerance by cluster size',
        head: ['Voting members', 'Quorum', 'Members that may fail'],
        rows: rows.map((row) => [formatNumber(row.members), formatNumber(row.quorum), formatNumber(row.faultTolerance)]),
      },
    };
  },
};
