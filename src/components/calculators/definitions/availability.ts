import { CalcInputError } from '../../../lib/calc/errors';
import {
  availability,
  availabilityBySize,
  type AvailabilityInput,
  type AvailabilityResult,
} from '../../../lib/calc/availability';
import { MAX_MEMBERS } from '../../../lib/calc/quorum';
import { formatMinutes, formatNumber, formatPercent } from '../client/format';
import { membersField } from './fields';
import type { CalculatorDefinition, ChartSpec } from '../client/types';

const MODES = [
  { value: 'availability', label: 'its availability' },
  { value: 'mtbf', label: 'MTBF and MTTR' },
] as const;

/** Sizes on the chart: one to seven (the etcd FAQ's advised maximum), stretched to include the input. */
function chartSizes(members: number): number {
  return Math.max(7, Math.min(MAX_MEMBERS, members));
}

export const availabilityCalculator: CalculatorDefinition<AvailabilityResult> = {
  id: 'availability',
  fields: [
    membersField,
    { name: 'mode', label: 'Describe one member by', kind: 'select', options: MODES },
    {
      name: 'memberAvailability',
      label: 'Availability of one member',
      unit: 'fraction, 0 to 1',
      kind: 'number',
      optional: true,
      hint: 'Used with "its availability". 0.999 means up 99.9% of the time.',
    },
    { name: 'mtbfHours', label: 'Mean time between failures', unit: 'hours', kind: 'number', optional: true, hint: 'Used with "MTBF and MTTR".' },
    { name: 'mttrHours', label: 'Mean time to repair', unit: 'hours', kind: 'number', optional: true, hint: 'Used with "MTBF and MTTR": until the member is back or replaced.' },
  ],
  defaults: { members: '3', mode: 'availability', memberAvailability: '0.99', mtbfHours: '4380', mttrHours: '4' },
  outputs: [
    { key: 'availability', label: 'Quorum available' },
    { key: 'nines', label: 'Nines' },
    { key: 'downtime', label: 'Expected time without quorum per year' },
    { key: 'quorum', label: 'Quorum' },
    { key: 'memberAvailability', label: 'One member available' },
  ],
  compute: (input) => {
    // Only the fields of the chosen description go to the library, which validates them.
    const { members, mode } = input;
    if (mode === 'mtbf') {
      return availability({ members, mtbfHours: input['mtbfHours'], mttrHours: input['mttrHours'] } as unknown as AvailabilityInput);
    }
    if (mode === 'availability') {
      return availability({ members, memberAvailability: input['memberAvailability'] } as unknown as AvailabilityInput);
    }
    throw new CalcInputError('availability', [{ path: 'mode', message: 'must be "its availability" or "MTBF and MTTR"' }]);
  },
  view: (result) => ({
    outputs: {
      availability: formatPercent(result.availability),
      nines: formatNumber(result.nines, 2),
      downtime: formatMinutes(result.downtimeMinutesPerYear),
      quorum: `${formatNumber(result.quorum)} of ${formatNumber(result.members)}`,
      memberAvailability: formatPercent(result.memberAvailability),
    },
    notes: result.notes,
    refusals: [],
  }),
  // The chart's data is a run per cluster size (or a simulation): too slow to redo on every keystroke.
  deferChart: true,
  chart: (result): ChartSpec => {
    const points = availabilityBySize({ maxMembers: chartSizes(result.members), memberAvailability: result.memberAvailability });
    const memberText = formatPercent(result.memberAvailability);
    return {
      kind: 'bar',
      xTitle: 'Voting members',
      yTitle: 'Nines of quorum availability',
      labels: points.map((point) => String(point.members)),
      series: [{ label: `Nines at ${memberText} per member`, values: points.map((point) => point.nines) }],
      highlightIndex: result.members - 1,
      ariaLabel:
        `Bar chart of quorum availability in nines by cluster size, each member available ${memberText}. ` +
        points.map((point) => `${point.members} members ${formatNumber(point.nines, 1)} nines`).join(', ') +
        '.',
      table: {
        caption: `Availability by cluster size at ${memberText} per member`,
        head: ['Voting members', 'Quorum', 'Quorum available', 'Nines', 'Without quorum per year'],
        rows: points.map((point) => [
          formatNumber(point.members),
          formatNumber(point.quorum),
          formatPercent(point.availability),
          formatNumber(point.nines, 2),
          formatMinutes(point.downtimeMinutesPerYear),
        ]),
      },
    };
  },
};
