import { CalcInputError, type CalcIssue } from '../../../lib/calc/errors';
import type { CalculatorDefinition, ChartSpec, FieldSpec, ResultView } from './types';

/**
 * A plain decimal number as people type it: optional sign, digits with an optional point, optional exponent.
 * Stricter than `Number()`, which would also accept `0x10`, `''` and `' '`.
 */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;

/** Text to number; anything that is not a plain decimal becomes NaN, which the library rejects with its own message. */
export function parseNumber(text: string): number {
  const trimmed = text.trim();
  return DECIMAL.test(trimmed) ? Number(trimmed) : Number.NaN;
}

/** Splits `1, 2 3` into numbers; an empty item (`1,,2`) becomes NaN so the library names its position. */
export function parseNumberList(text: string): number[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  return trimmed.split(/\s*[,;]\s*|\s+/).map(parseNumber);
}

export interface ParsedFields {
  /** Library input: numbers, arrays, booleans and strings; not yet validated. */
  input: Record<string, unknown>;
  /** Problems found before the library could be asked (empty required field, checkbox text that is not a boolean). */
  issues: CalcIssue[];
}

/** Whether a field applies to the current values (fields tied to another mode are hidden and ignored). */
export function fieldVisible(field: FieldSpec, raw: Readonly<Record<string, string | undefined>>): boolean {
  if (!field.showWhen) return true;
  return field.showWhen.values.includes((raw[field.showWhen.field] ?? '').trim());
}

/** Turns the raw text of each field into the library's input shape; hidden fields are left out. */
export function parseFields(fields: readonly FieldSpec[], raw: Readonly<Record<string, string | undefined>>): ParsedFields {
  const input: Record<string, unknown> = {};
  const issues: CalcIssue[] = [];
  for (const field of fields) {
    if (!fieldVisible(field, raw)) continue;
    const text = (raw[field.name] ?? '').trim();
    if (text === '' && field.kind !== 'checkbox') {
      if (!field.optional) issues.push({ path: field.name, message: 'is required' });
      continue;
    }
    switch (field.kind) {
      case 'integer':
      case 'number':
        input[field.name] = parseNumber(text);
        break;
      case 'numberList': {
        const values = parseNumberList(text);
        input[field.name] = values.length === 1 && !field.alwaysList ? values[0] : values;
        break;
      }
      case 'select':
        input[field.name] = text;
        break;
      case 'text':
      case 'textarea':
        input[field.name] = raw[field.name] ?? '';
        break;
      case 'checkbox':
        if (text === '' || text === 'false') input[field.name] = false;
        else if (text === 'true') input[field.name] = true;
        else issues.push({ path: field.name, message: 'must be true or false' });
        break;
    }
  }
  return { input, issues };
}

/** The result of one evaluation: either everything the page shows, or the issues to show next to the fields. */
export type Evaluation<Result> =
  | { ok: true; result: Result; view: ResultView; chart: ChartSpec | undefined; input: Record<string, unknown> }
  | { ok: false; issues: CalcIssue[] };

/**
 * Parses the raw values and asks the library. CalcInputError becomes a list of issues; any other error is a bug in
 * the calculator, reported as one issue without its stack so the page never shows internals.
 */
export function evaluate<Result>(
  definition: CalculatorDefinition<Result>,
  raw: Readonly<Record<string, string | undefined>>,
  withChart = true,
): Evaluation<Result> {
  const { input, issues } = parseFields(definition.fields, raw);
  if (issues.length > 0) return { ok: false, issues };
  try {
    const result = definition.compute(input);
    const view = definition.view(result, input);
    const chart = withChart ? definition.chart?.(result, input) : undefined;
    return { ok: true, result, view, chart, input };
  } catch (error) {
    if (error instanceof CalcInputError) return { ok: false, issues: [...error.issues] };
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, issues: [{ path: 'input', message: `could not be calculated (${message})` }] };
  }
}

/** The field an issue belongs to: `rttMs.2` belongs to `rttMs`; undefined for whole-form issues. */
export function fieldForIssue(fields: readonly FieldSpec[], issue: CalcIssue): FieldSpec | undefined {
  const head = issue.path.split('.')[0];
  return fields.find((field) => field.name === head);
}

/** One sentence naming the field and the rule: `Members: must be at least 1`, `RTT to each follower, item 3: …`. */
export function describeIssue(fields: readonly FieldSpec[], issue: CalcIssue): string {
  const field = fieldForIssue(fields, issue);
  if (!field) return issue.path === 'input' ? `Input ${issue.message}` : `${issue.path}: ${issue.message}`;
  const rest = issue.path.split('.').slice(1);
  const position = rest.length > 0 && /^\d+$/.test(rest[0] ?? '') ? `, item ${Number(rest[0]) + 1}` : rest.length > 0 ? ` (${rest.join('.')})` : '';
  return `${field.label}${position}: ${issue.message}`;
}

/** Build-time variant of `evaluate`: bad component props stop the build with every problem named. */
export function evaluateProps<Result>(
  definition: CalculatorDefinition<Result>,
  componentName: string,
  raw: Readonly<Record<string, string | undefined>>,
): Extract<Evaluation<Result>, { ok: true }> {
  const evaluation = evaluate(definition, raw);
  if (!evaluation.ok) {
    const lines = evaluation.issues.map((issue) => `  - ${describeIssue(definition.fields, issue)}`);
    throw new Error(`<${componentName}> has invalid props:\n${lines.join('\n')}`);
  }
  return evaluation;
}

/**
 * Whether a preset's values are the current ones: numbers compare by value (`2` matches `2.0`), other text exactly.
 * The preset matching the inputs is shown as selected, whether it was clicked or typed.
 */
export function presetMatches(values: Readonly<Record<string, string>>, raw: Readonly<Record<string, string | undefined>>): boolean {
  return Object.entries(values).every(([name, value]) => {
    const current = (raw[name] ?? '').trim();
    const wanted = parseNumber(value);
    const got = parseNumber(current);
    return Number.isNaN(wanted) || Number.isNaN(got) ? current === value.trim() : wanted === got;
  });
}

/** Component props (numbers, arrays, booleans) as the raw text a person would type. */
export function propsToRaw(fields: readonly FieldSpec[], props: Readonly<Record<string, unknown>>): Record<string, string> {
  const raw: Record<string, string> = {};
  for (const field of fields) {
    const value = props[field.name];
    if (value === undefined) continue;
    raw[field.name] = Array.isArray(value) ? value.map(String).join(', ') : String(value);
  }
  return raw;
}
