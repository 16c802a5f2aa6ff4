import type { CalcIssue } from '../../../lib/calc/errors';
import { LazyChart } from './chart-loader';
import { describeIssue, evaluate, fieldForIssue } from './form-state';
import { readQuery, writeQuery } from './query-state';
import type { CalculatorDefinition, ChartSpec, ResultView, TableView } from './types';

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

abstract class CalculatorElement<Result> extends HTMLElement {
  protected abstract readonly definition: CalculatorDefinition<Result>;
  private form!: HTMLFormElement;
  private queryPrefix = '';
  private chart: LazyChart | undefined;
  private started = false;
  private chartTimer: ReturnType<typeof setTimeout> | undefined;
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
      this.definition.fields.map((field) => field.name),
      this.queryPrefix,
    );
    for (const [name, value] of Object.entries(fromQuery)) this.setRaw(name, value);

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

  private control(name: string): HTMLInputElement | HTMLSelectElement | null {
    const element = this.form.elements.namedItem(name);
    return element instanceof HTMLInputElement || element instanceof HTMLSelectElement ? element : null;
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
    this.querySelectorAll<HTMLButtonElement>('[data-preset]').forEach((button) =>
      button.setAttribute('aria-pressed', String(button.dataset['preset'] === presetId)),
    );
    this.recompute(true);
  }

  /** Runs the calculation for the current inputs and shows either the result or the problems. */
  recompute(updateUrl: boolean): void {
    const startedAt = performance.now();
    const raw = this.readRaw();
    const deferChart = this.definition.deferChart === true;
    const evaluation = evaluate(this.definition, raw, !deferChart);
    this.showIssues(evaluation.ok ? [] : evaluation.issues);
    clearTimeout(this.chartTimer);
    if (evaluation.ok) {
      this.showView(evaluation.view);
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
    this.setStale(!evaluation.ok);
    if (updateUrl) {
      const search = writeQuery(
        location.search,
        this.definition.fields.map((field) => field.name),
        raw,
        this.queryPrefix,
      );
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
      replaceItems(
        notes,
        view.notes.map((note) => ({ strong: `${note.severity}:`, text: ` ${note.message}`, data: { severity: note.severity, code: note.code } })),
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
    const table = this.querySelector<HTMLTableElement>('[data-chart-table]');
    if (table) fillTable(table, spec.table);
    this.chart?.show(spec);
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
