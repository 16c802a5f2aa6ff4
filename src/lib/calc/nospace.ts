import * as z from 'zod/mini';
import { CalcInputError, type Note } from './errors';
import { bytes as bytesText, decimals, plural, twoFigures } from './_internal/text';
import { parseInput, positiveNumber } from './_internal/validate';

/**
 * When an etcd database reaches its quota and the NOSPACE alarm stops every write.
 *
 * - etcd raises the NOSPACE alarm when the backend database file grows past `--quota-backend-bytes`; from then on
 *   the cluster accepts only reads and deletes until the space is reclaimed and the alarm disarmed
 *   (etcd op-guide/maintenance.md, "Space quota").
 * - The default quota is 2 GiB (`DefaultQuotaBytes = 2 * 1024 * 1024 * 1024`, etcd server/storage/quota.go;
 *   `dbSizeQuota: 2147483648` in `etcdctl endpoint status -w json` of etcd 3.6 and 3.7, tests/fixtures/endpoint-status)
 *   and the etcd FAQ suggests at most 8 GiB (`MaxQuotaBytes`, logged as a warning above it; website faq.md).
 * - etcd's alerting mixin fires `etcdDatabaseQuotaLowSpace` (critical) above 95 % of the quota.
 * The size that matters is the file size (`etcd_mvcc_db_total_size_in_bytes`, `dbSize`), not the part in use:
 * compaction frees pages inside the file, only defragmentation shrinks it.
 */

/** etcd's default `--quota-backend-bytes`: 2 GiB. */
export const DEFAULT_QUOTA_BYTES = 2 * 1024 ** 3;
/** The largest quota the etcd FAQ suggests: 8 GiB. */
export const SUGGESTED_MAX_QUOTA_BYTES = 8 * 1024 ** 3;
/** Largest size or quota accepted, in bytes (1 TiB). */
export const MAX_DB_BYTES = 1024 ** 4;
/** Fractions of the quota whose dates the forecast gives; 1 is the NOSPACE alarm itself. */
export const NOSPACE_THRESHOLDS: readonly number[] = [0.65, 0.75, 0.85, 0.95, 1];
/** `etcdDatabaseQuotaLowSpace` fires above this fraction of the quota (etcd contrib/mixin). */
export const LOW_SPACE_ALERT_FRACTION = 0.95;

const MS_PER_DAY = 86_400_000;

const UNITS: Readonly<Record<string, number>> = {
  b: 1,
  '': 1,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  k: 1024,
  ki: 1024,
  m: 1024 ** 2,
  mi: 1024 ** 2,
  g: 1024 ** 3,
  gi: 1024 ** 3,
};

const SIZE_TEXT = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)\s*([a-z]*)$/i;
/** One Prometheus exposition or query-result line: `name{labels} value [timestamp]`. */
const PROMETHEUS_LINE = /^etcd_mvcc_db_total_size_in_bytes(\{[^}]*\})?\s+([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)(?:\s+\d+)?$/i;

/** A size read from text, with a sentence saying how it was read. */
export interface ByteReading {
  bytes: number;
  description: string;
}

/**
 * Reads a database size or quota as people paste it: `2147483648`, `2 GiB`, `512MiB`, `1.5 GB` (decimal units are
 * read as decimal: 1 GB = 10⁹ bytes), or Prometheus output with one or more `etcd_mvcc_db_total_size_in_bytes`
 * samples (comments and other metrics are skipped; with several members the largest counts, since that member
 * raises the alarm first). `field` names the input in error messages.
 *
 * @throws CalcInputError on `field`: empty, an unknown unit, no sample in Prometheus text, negative or above 1 TiB.
 */
export function readBytes(text: string, field: string): ByteReading {
  const fail = (message: string): never => {
    throw new CalcInputError('readBytes', [{ path: field, message }]);
  };
  const trimmed = text.trim();
  if (trimmed === '') return fail('is required');
  let bytes: number;
  let description: string;
  if (/etcd_mvcc_db_total_size_in_bytes/i.test(trimmed)) {
    const samples = trimmed
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => PROMETHEUS_LINE.exec(line))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => ({ labels: match[1] ?? '', value: Number(match[2]) }));
    if (samples.length === 0) return fail('has no etcd_mvcc_db_total_size_in_bytes sample with a value');
    const largest = samples.reduce((best, sample) => (sample.value > best.value ? sample : best));
    bytes = largest.value;
    description =
      samples.length === 1
        ? `Read etcd_mvcc_db_total_size_in_bytes: ${bytesText(bytes)}.`
        : `Read ${samples.length} etcd_mvcc_db_total_size_in_bytes samples; the largest, ${bytesText(bytes)}${largest.labels ? ` ${largest.labels}` : ''}, fills up first.`;
  } else {
    const match = SIZE_TEXT.exec(trimmed);
    if (!match) return fail('must be a size like 1.2 GiB, 850 MiB or 1288490188 (bytes), or Prometheus output');
    const unit = (match[2] ?? '').toLowerCase();
    const factor = Object.hasOwn(UNITS, unit) ? UNITS[unit] : undefined;
    if (factor === undefined) return fail(`has an unknown unit "${match[2]}": use B, KiB, MiB, GiB (or KB, MB, GB)`);
    bytes = Number(match[1]) * factor;
    description = factor === 1 ? `Read "${trimmed}" as ${decimals(bytes, 0)} bytes (${bytesText(bytes)}).` : `Read "${trimmed}" as ${decimals(Math.round(bytes), 0)} bytes.`;
  }
  if (bytes < 0) return fail('must not be negative');
  if (bytes > MAX_DB_BYTES) return fail('must be at most 1 TiB');
  return { bytes, description };
}

/** Growth given as a rate, or as an earlier reading and the hours since it. */
export type NospaceGrowth = { bytesPerDay: number } | { earlierBytes: number; hoursBetween: number };

export interface NospaceInput {
  /** Database file size now (`dbSize`, `etcd_mvcc_db_total_size_in_bytes`), bytes. */
  dbSizeBytes: number;
  /** `--quota-backend-bytes`; default 2 GiB. */
  quotaBytes?: number;
  growth: NospaceGrowth;
  /** When `dbSizeBytes` was read, epoch milliseconds (the page passes the current time). */
  measuredAtMs: number;
}

export interface NospaceThreshold {
  /** Fraction of the quota, e.g. 0.95; 1 is the alarm. */
  fraction: number;
  bytes: number;
  /** Already at or past this size. */
  reached: boolean;
  /** When it is reached at the current growth (epoch ms); null when already reached or never (no growth). */
  atMs: number | null;
  /** Days from the reading; null as for `atMs`. */
  inDays: number | null;
}

export interface NospaceResult {
  dbSizeBytes: number;
  quotaBytes: number;
  /** dbSize / quota. */
  usedFraction: number;
  /** Growth in bytes per day (negative when shrinking). */
  bytesPerDay: number;
  thresholds: NospaceThreshold[];
  /** The NOSPACE alarm (100 %), the last entry of `thresholds`. */
  alarm: NospaceThreshold;
  notes: Note[];
}

const byteCount = () => z.number({ error: 'must be a number' }).check(
  z.minimum(0, { error: 'must not be negative' }),
  z.maximum(MAX_DB_BYTES, { error: 'must be at most 1 TiB' }),
);

const nospaceSchema = z.object({
  dbSizeBytes: byteCount(),
  quotaBytes: z.optional(positiveNumber(MAX_DB_BYTES)),
  growth: z.union(
    [
      z.object({ bytesPerDay: z.number({ error: 'must be a number' }).check(z.minimum(-MAX_DB_BYTES), z.maximum(MAX_DB_BYTES)) }),
      z.object({ earlierBytes: byteCount(), hoursBetween: positiveNumber(24 * 3650) }),
    ],
    { error: 'must be { bytesPerDay } or { earlierBytes, hoursBetween }' },
  ),
  measuredAtMs: z.number({ error: 'must be a number' }).check(z.minimum(0), z.maximum(8.64e15)),
});

/**
 * Dates at which the database reaches 65, 75, 85 and 95 % of its quota and the NOSPACE alarm fires, growing
 * linearly at the given rate (or the rate between two readings: (now − earlier) / hours × 24). Linear growth is
 * the same model as the mixin's `etcdExcessiveDatabaseGrowth` (predict_linear over 4 h).
 *
 * t(f) = measuredAt + (f·quota − dbSize) / bytesPerDay days, for f·quota > dbSize and bytesPerDay > 0.
 *
 * Notes: `nospace-now` (critical, at or above the quota), `nospace-soon` (critical under 7 days, warning under 30),
 * `above-suggested-quota` (warning, quota above 8 GiB).
 *
 * @throws CalcInputError naming the field.
 */
export function nospaceForecast(input: NospaceInput): NospaceResult {
  const parsed = parseInput('nospaceForecast', nospaceSchema, input);
  const { dbSizeBytes, measuredAtMs } = parsed;
  const quotaBytes = parsed.quotaBytes ?? DEFAULT_QUOTA_BYTES;
  const bytesPerDay =
    'bytesPerDay' in parsed.growth ? parsed.growth.bytesPerDay : ((dbSizeBytes - parsed.growth.earlierBytes) / parsed.growth.hoursBetween) * 24;
  const thresholds = NOSPACE_THRESHOLDS.map((fraction): NospaceThreshold => {
    const bytes = fraction * quotaBytes;
    const reached = dbSizeBytes >= bytes;
    const inDays = !reached && bytesPerDay > 0 ? (bytes - dbSizeBytes) / bytesPerDay : null;
    return { fraction, bytes, reached, inDays, atMs: inDays === null ? null : measuredAtMs + inDays * MS_PER_DAY };
  });
  const alarm = thresholds[thresholds.length - 1] as NospaceThreshold;
  const notes: Note[] = [];
  if (alarm.reached) {
    notes.push({
      severity: 'critical',
      code: 'nospace-now',
      message: 'The database is at its quota: etcd raises NOSPACE and accepts only reads and deletes. Compact, defragment, then disarm the alarm.',
    });
  } else if (alarm.inDays !== null && alarm.inDays < 30) {
    notes.push({
      severity: alarm.inDays < 7 ? 'critical' : 'warning',
      code: 'nospace-soon',
      message: `The alarm fires in ${plural(Math.max(1, Math.round(alarm.inDays)), 'day')} at this rate: find what writes, then compact and defragment before then.`,
    });
  }
  if (quotaBytes > SUGGESTED_MAX_QUOTA_BYTES) {
    notes.push({
      severity: 'warning',
      code: 'above-suggested-quota',
      message: `The quota is above the 8 GiB the etcd FAQ suggests as a maximum: larger databases make snapshots, defragmentation and member recovery slow.`,
    });
  }
  return { dbSizeBytes, quotaBytes, usedFraction: dbSizeBytes / quotaBytes, bytesPerDay, thresholds, alarm, notes };
}

/** `2026-12-08 14:00 UTC`: minutes are enough for a forecast measured in days. */
export function utcDate(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function inDaysText(days: number): string {
  if (days < 1 / 24) return `in ${twoFigures(days * 24 * 60)} min`;
  if (days < 1) return `in ${twoFigures(days * 24)} hours`;
  return `in ${twoFigures(days)} days`;
}

/**
 * The answer in one sentence.
 *
 * @example nospaceSentence(nospaceForecast({ dbSizeBytes: 1024 ** 3, growth: { bytesPerDay: 100 * 1024 ** 2 }, measuredAtMs: Date.UTC(2026, 11, 1) }))
 *   // 'Growing 100 MiB a day, the 1 GiB database reaches 95 % of its 2 GiB quota on 2026-12-10 11:02 UTC (in 9.2 days) and the NOSPACE alarm fires on 2026-12-11 06:14 UTC (in 10 days).'
 */
export function nospaceSentence(result: NospaceResult): string {
  const size = `the ${bytesText(result.dbSizeBytes)} database`;
  const quota = `its ${bytesText(result.quotaBytes)} quota`;
  const { alarm } = result;
  const lowSpace = result.thresholds.find((threshold) => threshold.fraction === LOW_SPACE_ALERT_FRACTION) as NospaceThreshold;
  if (alarm.reached) return `At ${bytesText(result.dbSizeBytes)}, the database has reached ${quota}: the NOSPACE alarm is raised and etcd accepts only reads and deletes.`;
  if (alarm.atMs === null || alarm.inDays === null) {
    return `${result.bytesPerDay < 0 ? 'Shrinking' : 'Not growing'}, ${size} stays at ${decimals(result.usedFraction * 100, 0)} % of ${quota}: no NOSPACE alarm at this rate.`;
  }
  const rate = `Growing ${bytesText(result.bytesPerDay)} a day`;
  const alarmText = `the NOSPACE alarm fires on ${utcDate(alarm.atMs)} (${inDaysText(alarm.inDays)})`;
  if (lowSpace.reached) return `${rate}, ${size} is already above 95 % of ${quota}; ${alarmText}.`;
  return `${rate}, ${size} reaches 95 % of ${quota} on ${utcDate(lowSpace.atMs as number)} (${inDaysText(lowSpace.inDays as number)}) and ${alarmText}.`;
}

const UTC_TEXT = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?\s*(?:Z|UTC)?$/i;

/**
 * Reads a time as people write it, always in UTC: `2026-12-01`, `2026-12-01 09:30`, `2026-12-01T09:30:00Z`.
 *
 * @throws CalcInputError on `field` for any other text or an impossible date (2026-02-30).
 */
export function readUtcTime(text: string, field: string): number {
  const match = UTC_TEXT.exec(text.trim());
  const fail = (): never => {
    throw new CalcInputError('readUtcTime', [{ path: field, message: 'must be a UTC time like 2026-12-01 09:30' }]);
  };
  if (!match) return fail();
  const [year, month, day, hour, minute, second] = match.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const back = new Date(ms);
  if (back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) return fail();
  return ms;
}
