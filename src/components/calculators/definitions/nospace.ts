import { CalcInputError } from '../../../lib/calc/errors';
import {
  DEFAULT_QUOTA_BYTES,
  nospaceForecast,
  nospaceSentence,
  readBytes,
  readUtcTime,
  utcDate,
  type NospaceResult,
} from '../../../lib/calc/nospace';
import { formatNumber } from '../client/format';
import type { CalculatorDefinition, FieldSpec } from '../client/types';

const MODES = [
  { value: 'rate', label: 'a growth rate' },
  { value: 'readings', label: 'an earlier reading' },
] as const;

/** The forecast plus how each typed size was read. */
export interface NospaceView {
  result: NospaceResult;
  readings: Record<string, string>;
}

function sizeField(name: string, label: string, hint: string, extra: Partial<FieldSpec> = {}): FieldSpec {
  return { name, label, kind: 'text', hint, ...extra };
}

/** Binary units with three significant digits, as the library words them. */
function bytesText(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let scaled = bytes;
  let unit = 0;
  while (Math.abs(scaled) >= 1024 && unit < units.length - 1) {
    scaled /= 1024;
    unit += 1;
  }
  return `${formatNumber(Number(scaled.toPrecision(3)), 2)} ${units[unit]}`;
}

export const nospaceCalculator: CalculatorDefinition<NospaceView> = {
  id: 'nospace',
  fields: [
    sizeField('dbSize', 'Database size now', 'dbSize from etcdctl endpoint status, like 1.2 GiB or 1288490188, or paste etcd_mvcc_db_total_size_in_bytes lines from Prometheus.'),
    sizeField('quota', 'Quota', '--quota-backend-bytes; empty means etcd\u2019s default, 2 GiB.', { optional: true }),
    { name: 'mode', label: 'Growth from', kind: 'select', options: MODES },
    sizeField('growthPerDay', 'Growth per day', 'Like 50 MiB; negative if it shrinks.', { showWhen: { field: 'mode', values: ['rate'] } }),
    sizeField('earlierSize', 'Earlier database size', 'A reading from some hours or days ago.', { showWhen: { field: 'mode', values: ['readings'] } }),
    {
      name: 'hoursBetween',
      label: 'Hours between the readings',
      unit: 'hours',
      kind: 'number',
      hint: 'From the earlier reading to the size now.',
      showWhen: { field: 'mode', values: ['readings'] },
    },
    sizeField('measuredAt', 'Size read at', 'Optional UTC time like 2026-12-01 09:30; empty means now.', { optional: true }),
  ],
  defaults: { dbSize: '1.2 GiB', quota: '2 GiB', mode: 'rate', growthPerDay: '50 MiB', earlierSize: '1.1 GiB', hoursBetween: '48', measuredAt: '' },
  presets: [
    { id: 'default-quota', label: '2 GiB quota (default)', values: { quota: '2 GiB' } },
    { id: 'max-quota', label: '8 GiB quota (suggested maximum)', values: { quota: '8 GiB' } },
  ],
  outputs: [
    { key: 'used', label: 'Used now' },
    { key: 'growth', label: 'Growth' },
    { key: 'alarm', label: 'NOSPACE alarm' },
  ],
  compute: (input) => {
    const text = (name: string) => (typeof input[name] === 'string' ? (input[name] as string) : '');
    const size = readBytes(text('dbSize'), 'dbSize');
    const quota = text('quota').trim() === '' ? undefined : readBytes(text('quota'), 'quota');
    const readings: Record<string, string> = { dbSize: size.description };
    if (quota) readings['quota'] = quota.description;
    let growth;
    if (input['mode'] === 'rate') {
      const trimmed = text('growthPerDay').trim();
      const negative = trimmed.startsWith('-');
      const rate = readBytes(negative ? trimmed.slice(1) : trimmed, 'growthPerDay');
      readings['growthPerDay'] = rate.description;
      growth = { bytesPerDay: negative ? -rate.bytes : rate.bytes };
    } else if (input['mode'] === 'readings') {
      const earlier = readBytes(text('earlierSize'), 'earlierSize');
      readings['earlierSize'] = earlier.description;
      growth = { earlierBytes: earlier.bytes, hoursBetween: input['hoursBetween'] as number };
    } else {
      throw new CalcInputError('nospace', [{ path: 'mode', message: 'must be "a growth rate" or "an earlier reading"' }]);
    }
    // The current time is an input like any other: the page passes it, so the library stays pure.
    const measuredAtMs = text('measuredAt').trim() === '' ? Date.now() : readUtcTime(text('measuredAt'), 'measuredAt');
    const result = nospaceForecast({
      dbSizeBytes: size.bytes,
      ...(quota ? { quotaBytes: quota.bytes } : {}),
      growth,
      measuredAtMs,
    });
    return { result, readings };
  },
  view: ({ result, readings }) => ({
    headline: nospaceSentence(result),
    readings,
    outputs: {
      used: `${formatNumber(result.usedFraction * 100, 1)} % of ${bytesText(result.quotaBytes)}${result.quotaBytes === DEFAULT_QUOTA_BYTES ? ' (default)' : ''}`,
      growth: `${result.bytesPerDay < 0 ? '−' : ''}${bytesText(Math.abs(result.bytesPerDay))} a day`,
      alarm: result.alarm.reached ? 'raised now' : result.alarm.atMs === null ? 'not at this rate' : utcDate(result.alarm.atMs),
    },
    notes: result.notes,
    refusals: [],
    table: {
      caption: 'When each share of the quota is reached at this growth',
      head: ['Share of quota', 'Size', 'Reached', 'In'],
      rows: result.thresholds.map((threshold) => [
        threshold.fraction === 1 ? '100 % (NOSPACE alarm)' : `${formatNumber(threshold.fraction * 100)} %${threshold.fraction === 0.95 ? ' (etcdDatabaseQuotaLowSpace)' : ''}`,
        bytesText(threshold.bytes),
        threshold.reached ? 'already' : threshold.atMs === null ? 'not at this rate' : utcDate(threshold.atMs),
        threshold.inDays === null ? '—' : `${formatNumber(threshold.inDays, 1)} days`,
      ]),
    },
  }),
};
