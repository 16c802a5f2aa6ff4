import * as z from 'zod/mini';
import measured from './data/leader-election-failover.json';
import { parseInput, positiveNumber, wholeNumber } from './_internal/validate';

/**
 * Leader-election failover measured in the handbook's lab (tests/runbooks/failover.test.ts, which writes the JSON
 * this module reads): real kube-controller-manager and kube-scheduler binaries, three of each per Lease, the Lease
 * holder stopped by SIGKILL or SIGTERM, seconds from the signal to the new holder's `acquireTime`. Pages and the
 * calculator take their measured figures from here, never typed by hand.
 */

const STOPS = ['SIGKILL', 'SIGTERM'] as const;
const COMPONENTS = ['kube-controller-manager', 'kube-scheduler'] as const;
const versionText = (pattern: RegExp, what: string) => z.string().check(z.regex(pattern, { error: `must be ${what}` }));

const rowSchema = z.object({
  component: z.enum(COMPONENTS, { error: `must be one of ${COMPONENTS.join(', ')}` }),
  stop: z.enum(STOPS, { error: `must be one of ${STOPS.join(', ')}` }),
  releaseLockOnExitGate: z.boolean({ error: 'must be true or false' }),
  releaseOnCancel: z.boolean({ error: 'must be true or false' }),
  leaseDurationSeconds: positiveNumber(86_400),
  renewDeadlineSeconds: positiveNumber(86_400),
  retryPeriodSeconds: positiveNumber(86_400),
  standbys: wholeNumber(1, 20),
  samplesSeconds: z.array(z.number({ error: 'must be a number' }).check(z.minimum(0, { error: 'must be at least 0' }))).check(
    z.minLength(1, { error: 'must hold at least one trial' }),
  ),
});

const runSchema = z.object({
  date: versionText(/^\d{4}-\d{2}-\d{2}$/, 'a date like 2026-12-01'),
  kubernetes: versionText(/^\d+\.\d+\.\d+$/, 'a release like 1.37.2'),
  etcd: versionText(/^\d+\.\d+\.\d+$/, 'a release like 3.7.3'),
  rows: z.array(rowSchema).check(z.minLength(1, { error: 'must hold at least one row' })),
});

export type MeasuredFailoverRun = z.infer<typeof runSchema>;
export type MeasuredFailoverRow = z.infer<typeof rowSchema>;

export interface MeasuredFailoverSummary {
  trials: number;
  minSeconds: number;
  meanSeconds: number;
  maxSeconds: number;
}

/** Validates a run's JSON (the committed file, or a fresh one the test wrote); throws CalcInputError naming the field. */
export function parseMeasuredFailoverRun(input: unknown): MeasuredFailoverRun {
  return parseInput('parseMeasuredFailoverRun', runSchema, input);
}

/** Trials, min, mean and max of a row's samples. */
export function summarizeMeasuredFailover(row: Pick<MeasuredFailoverRow, 'samplesSeconds'>): MeasuredFailoverSummary {
  const samples = row.samplesSeconds;
  return {
    trials: samples.length,
    minSeconds: Math.min(...samples),
    meanSeconds: samples.reduce((sum, value) => sum + value, 0) / samples.length,
    maxSeconds: Math.max(...samples),
  };
}

/** The committed run: the figures on the pages and in the calculator's notes. */
export const MEASURED_FAILOVER: MeasuredFailoverRun = parseMeasuredFailoverRun(measured);

/**
 * The measured graceful stop that released the Lease, for a component (kube-controller-manager: with the gate on),
 * or undefined when the run has none.
 */
export function measuredReleasedFailover(component: (typeof COMPONENTS)[number]): (MeasuredFailoverRow & MeasuredFailoverSummary) | undefined {
  const row = MEASURED_FAILOVER.rows.find((candidate) => candidate.component === component && candidate.stop === 'SIGTERM' && candidate.releaseOnCancel);
  return row === undefined ? undefined : { ...row, ...summarizeMeasuredFailover(row) };
}
