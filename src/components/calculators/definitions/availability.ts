import { CalcInputError } from '../../../lib/calc/errors';
import {
  MODEL_LIMIT_NINES,
  availability,
  availabilityBySize,
  availabilitySentence,
  readMemberAvailability,
  roundedPercent,
  type AvailabilityInput,
  type AvailabilityResult,
} from '../../../lib/calc/availability';
import { MAX_MEMBERS } from '../../../lib/calc/quorum';
import { formatMinutes, formatNumber } from '../client/format';
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

/** The library's result plus how it read a typed availability (absent in MTBF mode). */
export interface AvailabilityView {
  result: AvailabilityResult;
  reading: string | undefined;
}

const beyondModel = (nines: number) => nines > MODEL_LIMIT_NINES;

export const availabilityCalculator: CalculatorDefinition<AvailabilityView> = {
  id: 'availability',
  fields: [
    membersField,
    { name: 'mode', label: 'Describe one member by', kind: 'select', options: MODES },
    {
      name: 'memberAvailability',
      label: 'Availability of one member',
      unit: '%, or a fraction',
      kind: 'text',
      hint: '99.9, 99.9 % and 0.999 all mean up 99.9 % of the time.',
      showWhen: { field: 'mode', values: ['availability'] },
    },
    {
      name: 'mtbfHours',
      label: 'Mean time between failures',
      unit: 'hours',
      kind: 'number',
      hint: 'Of one member: machine, disk or etcd itself.',
      showWhen: { field: 'mode', values: ['mtbf'] },
    },
    {
      name: 'mttrHours',
      label: 'Mean time to repair',
      unit: 'hours',
      kind: 'number',
      hint: 'Until the member is back or replaced.',
      showWhen: { field: 'mode', values: ['mtbf'] },
    },
  ],
  defaults: { members: '3', mode: 'availability', memberAvailability: '99', mtbfHours: '4380', mttrHours: '4' },
  presets: [
    { id: 'three', label: '3 members', values: { members: '3' } },
    { id: 'five', label: '5 members', values: { members: '5' } },
  ],
  outputs: [
    { key: 'availability', label: 'Quorum available' },
    { key: 'downtime', label: 'Expected time without quorum per year' },
    { key: 'nines', label: 'Nines' },
    { key: 'quorum', label: 'Quorum' },
    { key: 'memberAvailability', label: 'One member available' },
  ],
  compute: (input) => {
    // Only the fields of the chosen description reach here (the others are hidden); the library validates them.
    const { members, mode } = input;
    if (mode === 'mtbf') {
      const result = availability({ members, mtbfHours: input['mtbfHours'], mttrHours: input['mttrHours'] } as unknown as AvailabilityInput);
      return { result, reading: undefined };
    }
    if (mode === 'availability') {
      const reading = readMemberAvailability(String(input['memberAvailability'] ?? ''));
      const result = availability({ members, memberAvailability: reading.fraction } as unknown as AvailabilityInput);
      return { result, reading: reading.description };
    }
    throw new CalcInputError('availability', [{ path: 'mode', message: 'must be "its availability" or "MTBF and MTTR"' }]);
  },
  view: ({ result, reading }) => {
    const limited = beyondModel(result.nines);
    return {
      headline: availabilitySentence(result),
      ...(reading === undefined ? {} : { readings: { memberAvailability: reading } }),
      outputs: {
        availability: limited ? 'better than 99.999 %' : roundedPercent(result.availability),
        downtime: limited ? 'under 5 min (below what the model can tell)' : formatMinutes(Number(result.downtimeMinutesPerYear.toPrecision(2))),
        nines: limited ? `more than ${MODEL_LIMIT_NINES}` : formatNumber(result.nines, 1),
        quorum: `${formatNumber(result.quorum)} of ${formatNumber(result.members)}`,
        memberAvailability: roundedPercent(result.memberAvailability),
      },
      notes: result.notes,
      refusals: [],
    };
  },
  // The chart's data is a run per cluster size: too slow to redo on every keystroke.
  deferChart: true,
  chart: ({ result }): ChartSpec => {
    const points = availabilityBySize({ maxMembers: chartSizes(result.members), memberAvailability: result.memberAvailability });
    const memberText = roundedPercent(result.memberAvailability);
    const shown = (nines: number) => Math.min(MODEL_LIMIT_NINES, nines);
    const capped = points.some((point) => beyondModel(point.nines));
    return {
      kind: 'bar',
      xTitle: 'Voting members',
      yTitle: 'Nines of quorum availability',
      labels: points.map((point) => String(point.members)),
      series: [{ label: `Nines at ${memberText} per member`, values: points.map((point) => shown(point.nines)) }],
      highlightIndex: result.members - 1,
      integerX: true,
      yMax: MODEL_LIMIT_NINES,
      ...(capped
        ? { caption: `Bars stop at ${MODEL_LIMIT_NINES} nines: beyond that, correlated failures decide availability and the independent-failure model says nothing useful.` }
        : {}),
      ariaLabel:
        `Bar chart of quorum availability in nines by cluster size, each member available ${memberText}. ` +
        points.map((point) => `${point.members} members ${beyondModel(point.nines) ? `more than ${MODEL_LIMIT_NINES}` : formatNumber(point.nines, 1)} nines`).join(', ') +
        '.',
      table: {
        caption: `Availability by cluster size at ${memberText} per member`,
        head: ['Voting members', 'Quorum', 'Quorum available', 'Nines', 'Without quorum per year'],
        rows: points.map((point) => [
          formatNumber(point.members),
          formatNumber(point.quorum),
          beyondModel(point.nines) ? 'better than 99.999 %' : roundedPercent(point.availability),
          beyondModel(point.nines) ? `more than ${MODEL_LIMIT_NINES}` : formatNumber(point.nines, 1),
          beyondModel(point.nines) ? 'under 5 min' : formatMinutes(Number(point.downtimeMinutesPerYear.toPrecision(2))),
        ]),
      },
    };
  },
};
