import type { Note } from '../../../lib/calc/errors';
import type { CalculatorId } from '../../../schemas/calculator-id';

/**
 * How one input is read from the form and the query string. Every value travels as the text the person typed
 * (`raw`), so the build, the browser and a shared link all go through the same parser (`form-state.ts`).
 */
export interface FieldSpec {
  /** The library's input key; also the query parameter (plus an optional prefix). */
  name: string;
  /** Visible label, without the unit. */
  label: string;
  /** Unit shown in the label, e.g. `ms`, `s`, `members`. */
  unit?: string;
  /**
   * - `integer` / `number`: one number;
   * - `numberList`: numbers separated by commas or spaces (a single number is passed as a number unless `alwaysList`);
   * - `select`: one of `options`;
   * - `checkbox`: `true` or `false`.
   */
  kind: 'integer' | 'number' | 'numberList' | 'select' | 'checkbox';
  /** An empty optional field is left out of the library input, so the library applies its own default. */
  optional?: boolean;
  /** For `numberList`: always pass an array, even for one number (e.g. members per zone). */
  alwaysList?: boolean;
  options?: readonly { value: string; label: string }[];
  /** One line under the input: what the value means or where to read it. */
  hint?: string;
}

/** A named set of input values that a button applies in one go. */
export interface Preset {
  id: string;
  label: string;
  /** Raw values for some or all fields. */
  values: Readonly<Record<string, string>>;
}

/** Text for one table; every cell is plain text and is rendered with textContent. */
export interface TableView {
  caption: string;
  head: readonly string[];
  rows: readonly (readonly string[])[];
}

/** What a result looks like on the page: formatted text only, never raw numbers. */
export interface ResultView {
  /** Output text by output key (keys match `CalculatorDefinition.outputs`). */
  outputs: Readonly<Record<string, string>>;
  notes: readonly Note[];
  /** The program's own refusal messages (client-go, etcd) when the configuration would not start; empty if it would. */
  refusals: readonly string[];
  /** Further results with several rows (e.g. per-zone or per-member detail); may be empty. */
  table?: TableView;
}

/** One line or bar series of a chart. */
export interface ChartSeries {
  label: string;
  values: readonly number[];
}

/** Everything the chart module needs; the same numbers also appear in `table` for screen readers and print. */
export interface ChartSpec {
  kind: 'line' | 'bar';
  xTitle: string;
  yTitle: string;
  labels: readonly string[];
  series: readonly ChartSeries[];
  /** Sentence stating what the chart shows, with its key numbers. */
  ariaLabel: string;
  table: TableView;
  /** Index of the x label to highlight (the current input), if any. */
  highlightIndex?: number;
}

/**
 * One calculator as the UI sees it. `compute` calls the library and nothing else; `view` and `chart` only
 * format what the library returned. Definitions are plain modules, shared by the build and the browser.
 */
export interface CalculatorDefinition<Result = unknown> {
  id: CalculatorId;
  fields: readonly FieldSpec[];
  /** Raw default values for every field (the page's answer before anyone types). */
  defaults: Readonly<Record<string, string>>;
  outputs: readonly { key: string; label: string }[];
  presets?: readonly Preset[];
  /** Heading above `refusals`, e.g. "kube-controller-manager would refuse this". */
  refusalHeading?: string;
  /** Calls the library. `input` has been parsed from text but not validated; the library validates it. */
  compute(input: Record<string, unknown>): Result;
  view(result: Result, input: Record<string, unknown>): ResultView;
  /** Chart of the result, or undefined when no chart helps. */
  chart?(result: Result, input: Record<string, unknown>): ChartSpec | undefined;
  /**
   * Compute the chart after typing pauses instead of on every keystroke, for charts whose data is a simulation
   * too slow for one frame. The outputs still update on every keystroke.
   */
  deferChart?: boolean;
}
