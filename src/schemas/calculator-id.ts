import { z } from 'astro/zod';

/**
 * Ids of the calculators; each id is also the page slug under `/calculators/<id>/`.
 */
export const CALCULATOR_IDS = [
  'quorum',
  'availability',
  'write-latency',
  'leader-election',
  'etcd-timing',
  'topology',
  'recovery-member',
  'nospace',
] as const;

export const CalculatorIdSchema = z.enum(CALCULATOR_IDS);

export type CalculatorId = z.infer<typeof CalculatorIdSchema>;
