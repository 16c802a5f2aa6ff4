/**
 * Time until NOSPACE. Expected dates are worked by hand: 95 % of 2 GiB is 1,945.6 MiB; from 1,024 MiB at 100 MiB a
 * day that is 9.216 days = 9 d 5 h 11.04 min after the reading.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_QUOTA_BYTES,
  NOSPACE_THRESHOLDS,
  SUGGESTED_MAX_QUOTA_BYTES,
  nospaceForecast,
  nospaceSentence,
  readBytes,
  utcDate,
} from '../../../src/lib/calc';
import { readUtcTime } from '../../../src/lib/calc/nospace';
import { inputError } from './helpers/input-error';

const KiB = 1024;
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const DEC_1 = Date.UTC(2026, 11, 1);

describe('nospaceForecast', () => {
  it('the date 95 % is reached for a known growth rate (done-when)', () => {
    const result = nospaceForecast({ dbSizeBytes: GiB, growth: { bytesPerDay: 100 * MiB }, measuredAtMs: DEC_1 });
    const low = result.thresholds.find((threshold) => threshold.fraction === 0.95);
    expect(low?.inDays).toBeCloseTo(9.216, 12);
    expect(utcDate(low?.atMs ?? 0)).toBe('2026-12-10 05:11 UTC');
    // 100 %: (2048 − 1024) / 100 = 10.24 days = 10 d 5 h 45.6 min.
    expect(utcDate(result.alarm.atMs ?? 0)).toBe('2026-12-11 05:45 UTC');
    expect(result.alarm.inDays).toBeCloseTo(10.24, 12);
    expect(nospaceSentence(result)).toBe(
      'Growing 100 MiB a day, the 1 GiB database reaches 95 % of its 2 GiB quota on 2026-12-10 05:11 UTC (in 9.2 days) and the NOSPACE alarm fires on 2026-12-11 05:45 UTC (in 10 days).',
    );
    expect(result.notes.map((note) => [note.code, note.severity])).toEqual([['nospace-soon', 'warning']]);
  });

  it('gives 65, 75, 85, 95 and 100 % with sizes, and the default quota of 2 GiB', () => {
    const result = nospaceForecast({ dbSizeBytes: 0, growth: { bytesPerDay: 2 * GiB }, measuredAtMs: DEC_1 });
    expect(NOSPACE_THRESHOLDS).toEqual([0.65, 0.75, 0.85, 0.95, 1]);
    expect(result.quotaBytes).toBe(DEFAULT_QUOTA_BYTES);
    expect(DEFAULT_QUOTA_BYTES).toBe(2_147_483_648);
    expect(result.thresholds.map((threshold) => threshold.inDays)).toEqual([0.65, 0.75, 0.85, 0.95, 1]);
  });

  it('two readings: the rate between them', () => {
    // 1.0 GiB 48 hours ago, 1.2 GiB now: 0.1 GiB a day.
    const result = nospaceForecast({ dbSizeBytes: 1.2 * GiB, growth: { earlierBytes: GiB, hoursBetween: 48 }, measuredAtMs: DEC_1 });
    expect(result.bytesPerDay).toBeCloseTo(0.1 * GiB, 3);
    // (2 − 1.2) / 0.1 = 8 days.
    expect(result.alarm.inDays).toBeCloseTo(8, 9);
  });

  it('already past some thresholds, at the quota, not growing, shrinking', () => {
    const past = nospaceForecast({ dbSizeBytes: 1.96 * GiB, growth: { bytesPerDay: 10 * MiB }, measuredAtMs: DEC_1 });
    expect(past.thresholds.map((threshold) => threshold.reached)).toEqual([true, true, true, true, false]);
    expect(nospaceSentence(past)).toMatch(/^Growing 10 MiB a day, the 1\.96 GiB database is already above 95 % of its 2 GiB quota; the NOSPACE alarm fires on 2026-12-0\d \d\d:\d\d UTC \(in \d\.?\d? days\)\.$/);
    // (2048 − 2007.04) MiB / 10 MiB = 4.1 days: critical.
    expect(past.notes.find((note) => note.code === 'nospace-soon')?.severity).toBe('critical');

    const full = nospaceForecast({ dbSizeBytes: 2 * GiB, growth: { bytesPerDay: 0 }, measuredAtMs: DEC_1 });
    expect(full.alarm.reached).toBe(true);
    expect(nospaceSentence(full)).toBe('At 2 GiB, the database has reached its 2 GiB quota: the NOSPACE alarm is raised and etcd accepts only reads and deletes.');
    expect(full.notes.map((note) => note.code)).toEqual(['nospace-now']);

    const flat = nospaceForecast({ dbSizeBytes: GiB, growth: { bytesPerDay: 0 }, measuredAtMs: DEC_1 });
    expect(flat.alarm.atMs).toBeNull();
    expect(nospaceSentence(flat)).toBe('Not growing, the 1 GiB database stays at 50 % of its 2 GiB quota: no NOSPACE alarm at this rate.');
    expect(flat.notes).toEqual([]);
    const shrinking = nospaceForecast({ dbSizeBytes: GiB, growth: { bytesPerDay: -MiB }, measuredAtMs: DEC_1 });
    expect(nospaceSentence(shrinking)).toMatch(/^Shrinking, /);

    const slow = nospaceForecast({ dbSizeBytes: GiB, growth: { bytesPerDay: MiB }, measuredAtMs: DEC_1 });
    expect(slow.notes).toEqual([]);
  });

  it('within a day: hours; within an hour: minutes', () => {
    // 0.01 GiB at 1 GiB a day: 0.01 day = 14.4 min.
    expect(nospaceSentence(nospaceForecast({ dbSizeBytes: 1.99 * GiB, growth: { bytesPerDay: GiB }, measuredAtMs: DEC_1 }))).toContain('(in 14 min)');
    // 0.5 GiB at 1 GiB a day: 12 hours.
    expect(nospaceSentence(nospaceForecast({ dbSizeBytes: 1.5 * GiB, growth: { bytesPerDay: GiB }, measuredAtMs: DEC_1 }))).toContain('(in 12 hours)');
  });

  it('a quota above the suggested 8 GiB is a warning', () => {
    expect(SUGGESTED_MAX_QUOTA_BYTES).toBe(8 * GiB);
    const codes = (quotaBytes: number) => nospaceForecast({ dbSizeBytes: GiB, quotaBytes, growth: { bytesPerDay: 0 }, measuredAtMs: DEC_1 }).notes.map((note) => note.code);
    expect(codes(8 * GiB)).toEqual([]);
    expect(codes(9 * GiB)).toEqual(['above-suggested-quota']);
  });

  it('names bad fields', () => {
    expect(inputError(() => nospaceForecast({ dbSizeBytes: -1, growth: { bytesPerDay: 0 }, measuredAtMs: DEC_1 })).issues[0]?.path).toBe('dbSizeBytes');
    expect(inputError(() => nospaceForecast({ dbSizeBytes: 1, quotaBytes: 0, growth: { bytesPerDay: 0 }, measuredAtMs: DEC_1 })).issues[0]?.path).toBe('quotaBytes');
    expect(inputError(() => nospaceForecast({ dbSizeBytes: 1, growth: { earlierBytes: 1, hoursBetween: 0 }, measuredAtMs: DEC_1 })).issues[0]?.path).toMatch(/^growth/);
  });
});

describe('readBytes', () => {
  it.each([
    ['2147483648', 2 * GiB, 'Read "2147483648" as 2,147,483,648 bytes (2 GiB).'],
    ['2 GiB', 2 * GiB, 'Read "2 GiB" as 2,147,483,648 bytes.'],
    ['512MiB', 512 * MiB, 'Read "512MiB" as 536,870,912 bytes.'],
    ['64 KiB', 64 * KiB, 'Read "64 KiB" as 65,536 bytes.'],
    ['1.5 GB', 1.5e9, 'Read "1.5 GB" as 1,500,000,000 bytes.'],
    ['3 B', 3, 'Read "3 B" as 3 bytes (3 B).'],
  ])('%s', (text, bytes, description) => {
    expect(readBytes(text, 'dbSize')).toEqual({ bytes, description });
  });

  it('Prometheus output: skips comments, takes the largest member', () => {
    const scrape = [
      '# HELP etcd_mvcc_db_total_size_in_bytes Total size of the underlying database physically allocated in bytes.',
      '# TYPE etcd_mvcc_db_total_size_in_bytes gauge',
      'etcd_mvcc_db_total_size_in_bytes{instance="10.0.0.11:2379"} 1.2e+09',
      'etcd_mvcc_db_total_size_in_bytes{instance="10.0.0.12:2379"} 1.3e+09 1764580000000',
      'etcd_mvcc_db_total_size_in_use_in_bytes{instance="10.0.0.12:2379"} 5e+08',
    ].join('\n');
    const reading = readBytes(scrape, 'dbSize');
    expect(reading.bytes).toBe(1.3e9);
    expect(reading.description).toBe('Read 2 etcd_mvcc_db_total_size_in_bytes samples; the largest, 1.21 GiB {instance="10.0.0.12:2379"}, fills up first.');
    expect(readBytes('etcd_mvcc_db_total_size_in_bytes 24576', 'dbSize')).toEqual({ bytes: 24576, description: 'Read etcd_mvcc_db_total_size_in_bytes: 24 KiB.' });
  });

  it.each([
    ['', 'is required'],
    ['lots', 'must be a size like 1.2 GiB, 850 MiB or 1288490188 (bytes), or Prometheus output'],
    ['3 XB', 'has an unknown unit "XB": use B, KiB, MiB, GiB (or KB, MB, GB)'],
    ['-5 MiB', 'must not be negative'],
    ['2 TiB', 'must be at most 1 TiB'],
    ['# etcd_mvcc_db_total_size_in_bytes only a comment', 'has no etcd_mvcc_db_total_size_in_bytes sample with a value'],
  ])('rejects %j: %s', (text, message) => {
    expect(inputError(() => readBytes(text, 'quota')).issues).toEqual([{ path: 'quota', message }]);
  });
});

describe('readUtcTime', () => {
  it('reads dates and times as UTC', () => {
    expect(readUtcTime('2026-12-01', 'at')).toBe(DEC_1);
    expect(readUtcTime('2026-12-01 09:30', 'at')).toBe(DEC_1 + 9.5 * 3_600_000);
    expect(readUtcTime('2026-12-01T09:30:15Z', 'at')).toBe(DEC_1 + 9.5 * 3_600_000 + 15_000);
    expect(readUtcTime(' 2026-12-01 09:30 UTC ', 'at')).toBe(DEC_1 + 9.5 * 3_600_000);
  });
  it.each(['yesterday', '2026-02-30', '2026-12-01 25:00', '2026-12-01 10:61'])('rejects %j', (text) => {
    expect(inputError(() => readUtcTime(text, 'measuredAt')).issues).toEqual([{ path: 'measuredAt', message: 'must be a UTC time like 2026-12-01 09:30' }]);
  });
});
