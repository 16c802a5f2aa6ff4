import type { CalcIssue } from '../../../lib/calc/errors';
import { noteAction } from '../../../lib/calc/actions';
import { LazyChart } from './chart-loader';
import { describeIssue, evaluate, fieldForIssue, fieldVisible, presetMatches } from './form-state';
import { readQuery, writeQuery } from './query-state';
import type { CalculatorDefinition, ChartSpec, CodeView, ResultView, TableView } from './types';

/**
 * Makes a server-rendered calculator (CalculatorShell.astro) live: every keystroke re-runs the library through
 * the definition, updates the outputs, the notes, the tables and the chart, and mirrors the inputs into the query
 * string. All text reaches the page through textContent or form-control values, never as HTML.
 */
export function defineCalculatorElement<Result>(definition: CalculatorDefinition<Result>): void {
  const tag = `hb-calc-${definition.id}`;
  if (customElements.get(tag)) return;
  customElements.define(
    tag,
    class extends CalculatorElement<Result> {
      protected readonly definition = definition;
    },
  );
}

/** Pause in typing after which a deferred chart is recomputed. */
const CHART_DELAY_MS = 150;
/**
 * Pause in typing after which the answer is announced to screen readers. Typing "1000" passes through "1", "10"
 * and "100"; announcing (or keeping live) what those intermediate values mean would mislead.
 */
const ANNOUNCE_DELAY_MS = 900;
/** Query parameter (after the prefix) that carries the pinned inputs, itself a query string. */
const PIN_PARAM = 'pin';
/** Width below which the details start folded, so the answer and the inputs share the screen. */
const PHONE_QUERY = '(max-width: 50rem)';

abstract class CalculatorElement<Result> extends HTMLElement {
  protected abstract readonly definition: CalculatorDefinition<Result>;
  private form!: HTMLFormElement;
  private queryPrefix = '';
  private chart: LazyChart | undefined;
  private started = false;
  private chartTimer: ReturnType<typeof setTimeout> | undefined;
  private announceTimer: ReturnType<typeof setTimeout> | undefined;
  /** Raw inputs of the pinned result, or undefined when nothing is pinned. */
  private pinned: Record<string, string> | undefined;
  private lastView: ResultView | undefined;
  /** Checkbox values from a link that are neither true nor false; reported as bad input until the box is used. */
  private readonly invalidCheckboxes = new Map<string, string>();

  connectedCallback(): void {
    if (this.started) return;
    this.started = true;
    const form = this.querySelector<HTMLFormElement>('form.hb-calc-form');
    if (!form) return;
    this.form = form;
    this.queryPrefix = this.paramPrefix();

    const fromQuery = readQuery(
      location.search,
      this.sharedFieldNames(),
      this.queryPrefix,
    );
    for (const [name, value] of Object.entries(fromQuery)) this.setRaw(name, value);
    const pinText = readQuery(location.search, [PIN_PARAM], this.queryPrefix)[PIN_PARAM];
    if (pinText !== undefined) this.pinned = readQuery(pinText, this.sharedFieldNames(), '');

    const details = this.querySelector<HTMLDetailsElement>('[data-details]');
    if (details && typeof matchMedia === 'function' && matchMedia(PHONE_QUERY).matches) details.open = false;

    const canvas = this.querySelector<HTMLCanvasElement>('[data-chart-canvas]');
    const figure = this.querySelector<HTMLElement>('[data-chart]');
    if (canvas && figure) this.chart = new LazyChart(figure, canvas);

    form.addEventListener('submit', (event) => event.preventDefault());
    form.addEventListener('input', (event) => {
      if (event.target instanceof HTMLInputElement) this.invalidCheckboxes.delete(event.target.name);
      this.recompute(true);
    });
    form.addEventListener('change', (event) => {
      // Text inputs already recomputed on `input`; selects and checkboxes are handled here too for older engines.
      if (event.target instanceof HTMLInputElement && event.target.type === 'text') return;
      if (event.target instanceof HTMLInputElement) this.invalidCheckboxes.delete(event.target.name);
      this.recompute(true);
    });

    this.querySelector<HTMLElement>('[data-presets]')?.removeAttribute('hidden');
    this.querySelectorAll<HTMLButtonElement>('[data-preset]').forEach((button) => {
      button.addEventListener('click', () => this.applyPreset(button.dataset['preset'] ?? ''));
    });

    const share = this.querySelector<HTMLElement>('[data-share]');
    share?.removeAttribute('hidden');
    this.querySelector<HTMLButtonElement>('[data-copy-link]')?.addEventListener('click', () => void this.copyLink());
    this.querySelector<HTMLButtonElement>('[data-pin]')?.addEventListener('click', () => this.pin());
    this.querySelector<HTMLButtonElement>('[data-unpin]')?.addEventListener('click', () => this.unpin());
    this.addEventListener('click', (event) => {
      const button = event.target instanceof Element ? event.target.closest<HTMLButtonElement>('[data-copy-code]') : null;
      if (button) void this.copyCode(button);
    });
    this.querySelectorAll<HTMLButtonElement>('[data-copy-code]').forEach((button) => (button.hidden = false));

    // The chart's data table sits in a closed <details>; open it for print so paper gets the numbers.
    addEventListener('beforeprint', () => this.querySelectorAll('details').forEach((details) => (details.open = true)));

    // Someone may have typed before this code arrived: then the inputs differ from the built values, and the
    // URL is brought up to date as well.
    this.recompute(Object.keys(fromQuery).length > 0 || this.typedBeforeStart());
    this.seedChartFromInitialValues();
    this.toggleAttribute('data-enhanced', true);
  }

  private typedBeforeStart(): boolean {
    const initial = this.initialValues();
    const current = this.readRaw();
    return Object.keys(current).some((name) => (initial[name] ?? current[name]) !== current[name]);
  }

  /** The raw values the page was built with (from the server-rendered `data-initial`). */
  private initialValues(): Record<string, string> {
    try {
      return JSON.parse(this.dataset['initial'] ?? '{}') as Record<string, string>;
    } catch {
      return {};
    }
  }

  /**
   * When a shared link holds bad input, the page keeps showing the server-rendered result (marked stale); the
   * chart must then show that same result, so it is computed from the values the page was built with.
   */
  private seedChartFromInitialValues(): void {
    if (!this.hasAttribute('data-stale') || !this.chart || !this.definition.chart) return;
    const evaluation = evaluate(this.definition, this.initialValues());
    if (evaluation.ok && evaluation.chart) this.chart.show(evaluation.chart);
  }

  /** Parameter prefix: explicit on the element, else the calculator id when several calculators share the page. */
  private paramPrefix(): string {
    const explicit = this.dataset['paramPrefix'];
    if (explicit) return explicit;
    return document.querySelectorAll('[data-calculator]').length > 1 ? `${this.definition.id}-` : '';
  }

  /** Fields a shared link carries: all but the private ones (pasted command output stays in this tab). */
  private sharedFieldNames(): string[] {
    return this.definition.fields.filter((field) => !field.private).map((field) => field.name);
  }

  private control(name: string): HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement | null {
    const element = this.form.elements.namedItem(name);
    return element instanceof HTMLInputElement || element instanceof HTMLSelectElement || element instanceof HTMLTextAreaElement
      ? element
      : null;
  }

  private setRaw(name: string, value: string): void {
    const control = this.control(name);
    if (!control) return;
    if (control instanceof HTMLInputElement && control.type === 'checkbox') {
      control.checked = value === 'true';
      if (value === 'true' || value === 'false') this.invalidCheckboxes.delete(name);
      else this.invalidCheckboxes.set(name, value);
    } else if (control instanceof HTMLSelectElement && ![...control.options].some((option) => option.value === value)) {
      // An unknown option from a link: select nothing, so the field reports itself as required.
      control.selectedIndex = -1;
    } else control.value = value;
  }

  private readRaw(): Record<string, string> {
    const raw: Record<string, string> = {};
    for (const field of this.definition.fields) {
      const control = this.control(field.name);
      if (!control) continue;
      if (control instanceof HTMLInputElement && control.type === 'checkbox') {
        raw[field.name] = this.invalidCheckboxes.get(field.name) ?? String(control.checked);
      } else raw[field.name] = control.value;
    }
    return raw;
  }

  private applyPreset(presetId: string): void {
    const preset = this.definition.presets?.find((candidate) => candidate.id === presetId);
    if (!preset) return;
    for (const [name, value] of Object.entries(preset.values)) this.setRaw(name, value);
    this.recompute(true);
  }

  /** Each preset whose values equal the current inputs is shown as selected, however they got there. */
  private markPresets(raw: Readonly<Record<string, string>>): void {
    this.querySelectorAll<HTMLButtonElement>('[data-preset]').forEach((button) => {
      const preset = this.definition.presets?.find((candidate) => candidate.id === button.dataset['preset']);
      button.setAttribute('aria-pressed', String(preset !== undefined && presetMatches(preset.values, raw)));
    });
  }

  /** Hides the fields the chosen mode does not use; the parser ignores them too. */
  private showFields(raw: Readonly<Record<string, string>>): void {
    for (const field of this.definition.fields) {
      const box = this.querySelector<HTMLElement>(`[data-field="${field.name}"]`);
      if (box) box.hidden = !fieldVisible(field, raw);
    }
  }

  private pin(): void {
    const raw = this.readRaw();
    this.pinned = Object.fromEntries(Object.entries(raw).filter(([name]) => this.sharedFieldNames().includes(name)));
    this.recompute(true);
    this.querySelector<HTMLElement>('[data-compare]')?.scrollIntoView({ block: 'nearest' });
  }

  private unpin(): void {
    this.pinned = undefined;
    this.recompute(true);
  }

  /** The pinned result beside the current one: inputs first, then every output, as text. */
  private showCompare(current: Readonly<Record<string, string>>, currentView: ResultView | undefined): void {
    const box = this.querySelector<HTMLElement>('[data-compare]');
    const pinButton = this.querySelector<HTMLButtonElement>('[data-pin]');
    if (!box) return;
    box.hidden = this.pinned === undefined;
    if (pinButton) pinButton.textContent = this.pinned ? 'Pin the current result instead' : 'Pin this result to compare';
    if (!this.pinned) return;
    const pinnedRaw = { ...this.definition.defaults, ...this.pinned };
    const pinnedEvaluation = evaluate(this.definition, pinnedRaw, false);
    const pinnedView = pinnedEvaluation.ok ? pinnedEvaluation.view : undefined;
    const text = this.querySelector<HTMLElement>('[data-compare-pinned]');
    if (text) text.textContent = pinnedView ? `Pinned: ${pinnedView.headline}` : 'The pinned inputs are not valid.';
    const rows: string[][] = [];
    for (const field of this.definition.fields) {
      if (field.private || !(fieldVisible(field, pinnedRaw) || fieldVisible(field, current))) continue;
      const pinnedValue = fieldVisible(field, pinnedRaw) ? pinnedRaw[field.name] ?? '' : '—';
      const currentValue = fieldVisible(field, current) ? current[field.name] ?? '' : '—';
      rows.push([field.label, this.optionLabel(field.name, pinnedValue), this.optionLabel(field.name, currentValue)]);
    }
    for (const output of this.definition.outputs) {
      rows.push([output.label, pinnedView?.outputs[output.key] ?? '—', currentView?.outputs[output.key] ?? '—']);
    }
    const table = this.querySelector<HTMLTableElement>('[data-compare-table]');
    if (table) fillTable(table, { caption: 'Pinned and current inputs and results', head: ['What', 'Pinned', 'Current'], rows });
  }

  /** A select's visible label for a value, so the comparison reads "Stacked…" rather than "stacked". */
  private optionLabel(name: string, value: string): string {
    const field = this.definition.fields.find((candidate) => candidate.name === name);
    return field?.options?.find((option) => option.value === value)?.label ?? value;
  }

  /** Tells screen readers the answer once typing pauses, never the answer for an intermediate value. */
  private announce(text: string): void {
    clearTimeout(this.announceTimer);
    const status = this.querySelector<HTMLElement>('[data-announce]');
    if (!status) return;
    this.announceTimer = setTimeout(() => {
      if (status.textContent !== text) status.textContent = text;
    }, ANNOUNCE_DELAY_MS);
  }

  /** Runs the calculation for the current inputs and shows either the result or the problems. */
  recompute(updateUrl: boolean): void {
    const startedAt = performance.now();
    const raw = this.readRaw();
    this.showFields(raw);
    this.markPresets(raw);
    const deferChart = this.definition.deferChart === true;
    const evaluation = evaluate(this.definition, raw, !deferChart);
    this.showIssues(evaluation.ok ? [] : evaluation.issues);
    clearTimeout(this.chartTimer);
    if (evaluation.ok) {
      this.lastView = evaluation.view;
      this.showView(evaluation.view);
      this.announce(evaluation.view.headline);
      if (evaluation.chart) this.showChart(evaluation.chart);
      else if (deferChart) {
        const { result, input } = evaluation;
        this.chartTimer = setTimeout(() => {
          const chartStartedAt = performance.now();
          // The same input already passed compute(), so the chart's own checks cannot fail differently.
          const spec = this.definition.chart?.(result, input);
          if (spec) this.showChart(spec);
          performance.measure('hb-calc:chart', { start: chartStartedAt });
        }, CHART_DELAY_MS);
      }
    }
    else this.announce(evaluation.issues.map((issue) => describeIssue(this.definition.fields, issue)).join(' '));
    this.setStale(!evaluation.ok);
    this.showCompare(raw, evaluation.ok ? evaluation.view : this.lastView);
    if (updateUrl) {
      const shared = this.sharedFieldNames();
      let search = writeQuery(location.search, shared, raw, this.queryPrefix);
      const pinText = this.pinned ? writeQuery('', shared, this.pinned, '').replace(/^\?/, '') : undefined;
      search = writeQuery(search, [PIN_PARAM], { [PIN_PARAM]: pinText }, this.queryPrefix);
      history.replaceState(history.state, '', `${location.pathname}${search}${location.hash}`);
    }
    // User Timing entries let the browser tests (and DevTools) read how long each recompute took.
    performance.measure('hb-calc:recompute', { start: startedAt });
  }

  private showIssues(issues: readonly CalcIssue[]): void {
    const byField = new Map<string, string[]>();
    const general: string[] = [];
    for (const issue of issues) {
      const field = fieldForIssue(this.definition.fields, issue);
      const text = describeIssue(this.definition.fields, issue);
      if (field) byField.set(field.name, [...(byField.get(field.name) ?? []), text]);
      else general.push(text);
    }
    for (const field of this.definition.fields) {
      const messages = byField.get(field.name) ?? [];
      const box = this.querySelector<HTMLElement>(`[data-error-for="${field.name}"]`);
      if (box) box.textContent = messages.join(' ');
      // How a value was read describes the last valid input; with an error on the field it would contradict it.
      if (messages.length > 0) {
        const reading = this.querySelector<HTMLElement>(`[data-reading-for="${field.name}"]`);
        if (reading) reading.textContent = '';
      }
      const control = this.control(field.name);
      if (messages.length > 0) control?.setAttribute('aria-invalid', 'true');
      else control?.removeAttribute('aria-invalid');
    }
    const formError = this.querySelector<HTMLElement>('[data-form-error]');
    if (formError) formError.textContent = general.join(' ');
  }

  private setStale(stale: boolean): void {
    const label = this.querySelector<HTMLElement>('[data-stale-label]');
    if (label) label.hidden = !stale;
    this.toggleAttribute('data-stale', stale);
    this.querySelectorAll<HTMLOutputElement>('output[data-out]').forEach((output) => {
      if (stale && label) output.setAttribute('aria-describedby', label.id);
      else output.removeAttribute('aria-describedby');
    });
  }

  private showView(view: ResultView): void {
    const headline = this.querySelector<HTMLElement>('[data-headline]');
    if (headline && headline.textContent !== view.headline) headline.textContent = view.headline;
    this.toggleAttribute('data-refused', view.refusals.length > 0);
    this.querySelectorAll<HTMLElement>('[data-reading-for]').forEach((reading) => {
      const text = view.readings?.[reading.dataset['readingFor'] ?? ''] ?? '';
      if (reading.textContent !== text) reading.textContent = text;
    });
    const codeList = this.querySelector<HTMLElement>('[data-code-list]');
    if (codeList) showCode(codeList, view.code ?? []);
    this.querySelectorAll<HTMLOutputElement>('output[data-out]').forEach((output) => {
      const text = view.outputs[output.dataset['out'] ?? ''] ?? '';
      if (output.textContent !== text) output.textContent = text;
    });

    const refusal = this.querySelector<HTMLElement>('[data-refusal]');
    const refusalList = this.querySelector<HTMLElement>('[data-refusal-list]');
    if (refusal && refusalList) {
      refusal.hidden = view.refusals.length === 0;
      // role=alert only while there is something to refuse, so screen readers announce it once when it appears.
      if (view.refusals.length > 0) refusal.setAttribute('role', 'alert');
      else refusal.removeAttribute('role');
      replaceItems(refusalList, view.refusals.map((message) => ({ text: message })));
    }

    const notes = this.querySelector<HTMLElement>('[data-notes]');
    if (notes) {
      const base = this.dataset['base'] ?? '';
      replaceItems(
        notes,
        view.notes.map((note) => {
          const action = noteAction(note.code);
          return {
            strong: `${note.severity}:`,
            text: ` ${note.message}`,
            data: { severity: note.severity, code: note.code },
            ...(action ? { link: { href: `${base}${action.href}`, text: action.label } } : {}),
          };
        }),
      );
    }

    const tableBox = this.querySelector<HTMLElement>('[data-result-table-box]');
    const table = this.querySelector<HTMLTableElement>('[data-result-table]');
    if (tableBox && table) {
      tableBox.hidden = !view.table || view.table.rows.length === 0;
      if (view.table) fillTable(table, view.table);
    }
  }

  private showChart(spec: ChartSpec): void {
    const canvas = this.querySelector<HTMLCanvasElement>('[data-chart-canvas]');
    canvas?.setAttribute('aria-label', spec.ariaLabel);
    const caption = this.querySelector<HTMLElement>('[data-chart-caption]');
    if (caption) {
      caption.textContent = spec.caption ?? '';
      caption.hidden = !spec.caption;
    }
    const table = this.querySelector<HTMLTableElement>('[data-chart-table]');
    if (table) fillTable(table, spec.table);
    this.chart?.show(spec);
  }

  private async copyCode(button: HTMLButtonElement): Promise<void> {
    const text = button.closest('figure')?.querySelector('code')?.textContent ?? '';
    let copied = false;
    try {
      await navigator.clipboard.writeText(text);
      copied = true;
    } catch {
      copied = copyWithSelection(text);
    }
    button.textContent = copied ? 'Copied' : 'Select and copy';
    setTimeout(() => (button.textContent = 'Copy'), 2000);
  }

  private async copyLink(): Promise<void> {
    const status = this.querySelector<HTMLElement>('[data-copy-status]');
    const url = location.href;
    let copied = false;
    try {
      await navigator.clipboard.writeText(url);
      copied = true;
    } catch {
      copied = copyWithSelection(url);
    }
    if (status) {
      // Clear first so the same message is announced again on a second click.
      status.textContent = '';
      status.textContent = copied ? 'Link copied' : `Copy this link: ${url}`;
    }
  }
}

interface Item {
  text: string;
  strong?: string;
  data?: Record<string, string>;
  /** A link after the text (a root-relative URL with the base already added). */
  link?: { href: string; text: string };
}

/** Rebuilds the code blocks (caption, monospace text, copy button) from text. */
function showCode(list: HTMLElement, blocks: readonly CodeView[]): void {
  const current = [...list.querySelectorAll('code')].map((code) => code.textContent).join('\u0000');
  if (current === blocks.map((block) => block.text).join('\u0000')) return;
  list.replaceChildren(
    ...blocks.map((block) => {
      const figure = document.createElement('figure');
      figure.className = 'hb-calc-code-block';
      const caption = document.createElement('figcaption');
      caption.textContent = block.caption;
      const pre = document.createElement('pre');
      pre.tabIndex = 0;
      const code = document.createElement('code');
      code.textContent = block.text;
      pre.append(code);
      const button = document.createElement('button');
      button.type = 'button';
      button.dataset['copyCode'] = '';
      button.textContent = 'Copy';
      figure.append(caption, pre, button);
      return figure;
    }),
  );
}

/** Replaces a list's items, built from text only. */
function replaceItems(list: HTMLElement, items: readonly Item[]): void {
  const children = items.map((item) => {
    const li = document.createElement('li');
    if (item.strong) {
      const strong = document.createElement('strong');
      strong.textContent = item.strong;
      li.append(strong);
    }
    li.append(document.createTextNode(item.text));
    if (item.link) {
      const anchor = document.createElement('a');
      anchor.href = item.link.href;
      anchor.dataset['action'] = '';
      anchor.textContent = item.link.text;
      li.append(' ', anchor);
    }
    for (const [key, value] of Object.entries(item.data ?? {})) li.dataset[key] = value;
    return li;
  });
  list.replaceChildren(...children);
}

/** Rewrites a table's caption, header and body from text. */
function fillTable(table: HTMLTableElement, view: TableView): void {
  const caption = table.caption ?? table.createCaption();
  caption.textContent = view.caption;
  const head = table.tHead ?? table.createTHead();
  const headRow = document.createElement('tr');
  for (const cell of view.head) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = cell;
    headRow.append(th);
  }
  head.replaceChildren(headRow);
  const body = table.tBodies[0] ?? table.createTBody();
  body.replaceChildren(
    ...view.rows.map((row) => {
      const tr = document.createElement('tr');
      for (const cell of row) {
        const td = document.createElement('td');
        td.textContent = cell;
        tr.append(td);
      }
      return tr;
    }),
  );
}

/** Clipboard fallback for browsers without the async clipboard API (or without permission to use it). */
function copyWithSelection(text: string): boolean {
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.append(area);
  area.select();
  let copied = false;
  try {
    copied = document.execCommand('copy');
  } catch {
    copied = false;
  }
  area.remove();
  return copied;
}
