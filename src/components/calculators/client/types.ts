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
   * - `checkbox`: `true` or `false`;
   * - `text` / `textarea`: the text itself, for the library to read (`99.9 %`, `1.2 GiB`, pasted JSON).
   */
  kind: 'integer' | 'number' | 'numberList' | 'select' | 'checkbox' | 'text' | 'textarea';
  /** Shown (and passed to the library) only while another field has one of these values, e.g. a mode select. */
  showWhen?: { field: string; values: readonly string[] };
  /** Never written into the page's URL (pasted command output stays in the browser tab). */
  private?: boolean;
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

/** Text to copy, shown as a monospace block with a copy button. */
export interface CodeView {
  caption: string;
  text: string;
}

/** What a result looks like on the page: formatted text only, never raw numbers. */
export interface ResultView {
  /** The answer in one plain sentence, from the library; shown first. */
  headline: string;
  /** How the library read a typed value, by field name (`Read "99.9" as 99.9 % (0.999).`). */
  readings?: Readonly<Record<string, string>>;
  /** Commands or configuration to copy (e.g. suggested etcd flags and where they go). */
  code?: readonly CodeView[];
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
  /** Index of the x label to highlight (the current input), if any; it is drawn in another colour and labelled. */
  highlightIndex?: number;
  /** The x values are counts (members): whole-number labels only. */
  integerX?: boolean;
  /** Upper end of the value axis, when the data are capped there. The value axis always starts at zero. */
  yMax?: number;
  /** The y values are counts: whole-number ticks only. */
  integerY?: boolean;
  /** One sentence under the chart: why an axis does not start at zero, what is capped, how noisy a simulation is. */
  caption?: string;
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
