import * as z from 'zod/mini';
import { CalcInputError, type CalcIssue } from '../errors';

/**
 * Parses `input` with `schema` and returns the typed value, or throws CalcInputError naming each bad field.
 * Every public calculation calls this first, so the formulas behind it only ever see valid numbers.
 * No coercion happens: `'3'` is not a number. zod/mini keeps the browser bundle small.
 */
export function parseInput<Schema extends z.ZodMiniType>(functionName: string, schema: Schema, input: unknown): z.infer<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues: CalcIssue[] = result.error.issues.map((issue) => ({
    path: issue.path.length > 0 ? issue.path.map(String).join('.') : 'input',
    message: issue.message,
  }));
  throw new CalcInputError(functionName, issues);
}

/** A finite number; zod refuses NaN and ±Infinity for `number`, and this gives the refusal an English message. */
export const finiteNumber = () => z.number({ error: 'must be a number' });

/** A whole number within [min, max]. */
export const wholeNumber = (min: number, max: number) =>
  z.int({ error: 'must be a whole number' }).check(
    z.minimum(min, { error: `must be at least ${min}` }),
    z.maximum(max, { error: `must be at most ${max}` }),
  );

/** A number strictly above zero and at most `max`. */
export const positiveNumber = (max: number) =>
  finiteNumber().check(z.positive({ error: 'must be greater than 0' }), z.maximum(max, { error: `must be at most ${max}` }));

/** A number within [min, max]. */
export const numberBetween = (min: number, max: number) =>
  finiteNumber().check(z.minimum(min, { error: `must be at least ${min}` }), z.maximum(max, { error: `must be at most ${max}` }));
