/**
 * Client side of YourCluster.astro: keeps the reader's cluster values in localStorage (never in a URL, never
 * sent anywhere), fills every "Set up your shell" block on the page with them (what is shown and what the copy
 * button copies), and marks the examples still to change. The filling itself is the pure fill.ts.
 */
import { CLUSTER_FIELDS, type ClusterValues } from '../lib/your-cluster/fields';
import { fillLine } from '../lib/your-cluster/fill';
import { textButton } from './text-button';

export const STORAGE_KEY = 'handbook-your-cluster';
const SETUP_TITLE = 'Set up your shell';

function readStored(storage: Storage): ClusterValues {
  try {
    const parsed: unknown = JSON.parse(storage.getItem(STORAGE_KEY) ?? '{}');
    if (!parsed || typeof parsed !== 'object') return {};
    return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  } catch {
    return {};
  }
}

interface SetupBlock {
  lines: HTMLElement[];
  originalHtml: string[];
  originalCode: string;
  copy: HTMLElement | null;
  bar: HTMLElement;
}

function findSetupBlocks(root: Document): SetupBlock[] {
  return [...root.querySelectorAll<HTMLElement>('.expressive-code')]
    .filter((block) => block.querySelector('figcaption .title')?.textContent?.trim() === SETUP_TITLE)
    .map((block) => {
      const lines = [...block.querySelectorAll<HTMLElement>('pre .ec-line .code')];
      const copy = block.querySelector<HTMLElement>('.copy button');
      const bar = root.createElement('div');
      bar.className = 'hb-cluster-bar not-content';
      block.before(bar);
      return {
        lines,
        originalHtml: lines.map((line) => line.innerHTML),
        // The copy button's source is the exact code; lines are joined with U+007F there.
        originalCode: copy?.dataset['code']?.replace(/\u007f/g, '\n') ?? lines.map((line) => line.textContent ?? '').join('\n'),
        copy,
        bar,
      };
    });
}

export function mountYourCluster(root: Document, storage: Storage, panel: HTMLElement): void {
  const defaults = JSON.parse(panel.dataset['defaults'] ?? '{}') as ClusterValues;
  const form = panel.querySelector('form');
  const blocks = findSetupBlocks(root);
  if (!form || blocks.length === 0) return;
  let stored = readStored(storage);

  const current = (): ClusterValues => {
    const values: ClusterValues = {};
    for (const field of CLUSTER_FIELDS) {
      const value = stored[field.id] || defaults[field.id];
      if (value) values[field.id] = value;
    }
    return values;
  };

  const render = () => {
    const values = current();
    const own = Object.values(stored).some((value) => value);
    for (const block of blocks) {
      const code = block.originalCode.split('\n');
      const filled: string[] = [];
      code.forEach((line, index) => {
        const segments = fillLine(line, CLUSTER_FIELDS, values);
        filled.push(segments.map((segment) => segment.text).join(''));
        const target = block.lines[index];
        if (!target) return;
        if (!segments.some((segment) => segment.kind !== 'plain')) {
          target.innerHTML = block.originalHtml[index] ?? '';
          return;
        }
        target.replaceChildren(
          ...segments.map((segment) => {
            if (segment.kind === 'plain') return root.createTextNode(segment.text);
            const mark = root.createElement('mark');
            mark.className = segment.kind === 'value' ? 'hb-value' : 'hb-example';
            if (segment.kind === 'example') mark.title = 'Example value: enter yours under "Your cluster"';
            mark.textContent = segment.text;
            return mark;
          }),
        );
      });
      if (block.copy) block.copy.dataset['code'] = filled.join('\n').replace(/\n/g, '\u007f');
      const status = root.createElement('span');
      status.textContent = own ? 'Your cluster: using your values' : 'Your cluster: marked values are examples';
      const edit = textButton(root, own ? 'edit' : 'enter yours', () => {
        block.bar.after(panel);
        panel.hidden = false;
        form.querySelector('input')?.focus();
      });
      const clear = textButton(root, 'clear', () => {
        stored = {};
        try {
          storage.removeItem(STORAGE_KEY);
        } catch {
          // Storage unavailable: the values only lived in this page anyway.
        }
        for (const input of form.querySelectorAll('input')) input.value = '';
        render();
      });
      block.bar.replaceChildren(status, ' · ', edit, ...(own ? [' · ', clear] : []));
    }
  };

  for (const input of form.querySelectorAll<HTMLInputElement>('input[name]')) {
    input.value = stored[input.name] ?? '';
    input.addEventListener('input', () => {
      stored = { ...stored, [input.name]: input.value };
      try {
        storage.setItem(STORAGE_KEY, JSON.stringify(stored));
      } catch {
        // Private mode or a full quota: the values still fill this page.
      }
      render();
    });
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    panel.hidden = true;
  });
  render();
}

