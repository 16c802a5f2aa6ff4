/**
 * Client side of StepProgress.astro: a tick on each top-level step of the page's Starlight `<Steps>` lists,
 * labelled with the step's title and stamped with the time it was ticked; a progress bar ("3 of 10 · reset ·
 * copy incident log") that stays at the bottom of the screen while ticks exist; ticks older than a day ask
 * whether to clear them. Ticks are kept in localStorage under one key per page path. No framework code.
 */
import { textButton } from './text-button';

/** localStorage key for a page's ticks. */
export function storageKey(pathname: string): string {
  return `handbook-steps:${pathname}`;
}

/** Stored per page: when each step ("<list>.<step>", 1-based) was ticked, and when stale ticks were kept. */
export interface StoredTicks {
  ticks: Record<string, string>;
  keptAt?: string | undefined;
}

export const STALE_AFTER_MS = 24 * 60 * 60 * 1000;

export function readTicks(storage: Storage, key: string): StoredTicks {
  try {
    const stored: unknown = JSON.parse(storage.getItem(key) ?? 'null');
    // Before times were kept, the value was a list of step ids; their time is unknown, so treat them as old.
    if (Array.isArray(stored)) {
      return { ticks: Object.fromEntries(stored.filter((id): id is string => typeof id === 'string').map((id) => [id, new Date(0).toISOString()])) };
    }
    if (stored && typeof stored === 'object' && 'ticks' in stored && stored.ticks && typeof stored.ticks === 'object') {
      const ticks = Object.fromEntries(
        Object.entries(stored.ticks).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && !Number.isNaN(Date.parse(entry[1]))),
      );
      const keptAt = 'keptAt' in stored && typeof stored.keptAt === 'string' ? stored.keptAt : undefined;
      return { ticks, keptAt };
    }
  } catch {
    // A corrupt entry must not break the page; start again.
  }
  return { ticks: {} };
}

function writeTicks(storage: Storage, key: string, stored: StoredTicks): void {
  try {
    if (Object.keys(stored.ticks).length === 0) storage.removeItem(key);
    else storage.setItem(key, JSON.stringify(stored));
  } catch {
    // Private browsing or a full quota: ticks then last until the page is left, which is still useful.
  }
}

/** True when some tick is older than a day and the reader has not said to keep them since. */
export function hasStaleTicks(stored: StoredTicks, nowMs: number): boolean {
  const oldest = Math.min(...Object.values(stored.ticks).map((time) => Date.parse(time)));
  if (!Number.isFinite(oldest) || nowMs - oldest <= STALE_AFTER_MS) return false;
  return !stored.keptAt || Date.parse(stored.keptAt) < oldest || nowMs - Date.parse(stored.keptAt) > STALE_AFTER_MS;
}

/** `2026-12-01 14:05 UTC`: one clock for everyone in the incident channel. */
export function formatUtc(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

export interface LoggedStep {
  section: string;
  step: number;
  title: string;
  at: string;
}

/** The incident log as Markdown: the page, then every ticked step with its time, oldest first. */
export function incidentLog(pageTitle: string, url: string, steps: readonly LoggedStep[], nowIso: string): string {
  const lines = [`**${pageTitle}**: ${url}`, `Steps ticked (log copied ${formatUtc(nowIso)}):`, ''];
  const sorted = [...steps].sort((a, b) => a.at.localeCompare(b.at));
  for (const step of sorted) {
    const where = step.section ? `${step.section}, step ${step.step}` : `Step ${step.step}`;
    lines.push(`- ${formatUtc(step.at)}: ${where}: ${step.title}`);
  }
  if (sorted.length === 0) lines.push('- (no steps ticked)');
  return lines.join('\n');
}

/** A step's title: its leading bold text, else the start of its first paragraph. */
function stepTitle(item: HTMLLIElement): string {
  const first = item.querySelector(':scope > p');
  const bold = first?.querySelector(':scope > strong:first-child');
  const text = (bold?.textContent ?? first?.textContent ?? item.textContent ?? '').replace(/\s+/g, ' ').trim();
  // The label shows one line (CSS ellipsis); the accessible name and the incident log keep the whole title.
  return text.replace(/[.:]$/, '');
}

/** The h2 above a list, so the log says "Restore the whole cluster, step 3". */
function sectionOf(list: Element): string {
  let node: Element | null = list;
  while (node && !node.parentElement?.classList.contains('sl-markdown-content')) node = node.parentElement;
  for (let sibling = node?.previousElementSibling; sibling; sibling = sibling.previousElementSibling) {
    const heading = sibling.matches('h2') ? sibling : sibling.querySelector(':scope > summary > h2');
    if (heading) return (heading.textContent ?? '').trim();
  }
  return '';
}

function timeLabel(iso: string): string {
  const date = new Date(iso);
  return date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

export function mountStepProgress(root: Document, storage: Storage, pathname: string, now: () => Date = () => new Date()): void {
  const key = storageKey(pathname);
  let stored = readTicks(storage, key);
  const lists = [...root.querySelectorAll<HTMLOListElement>('.sl-markdown-content ol.sl-steps')];
  const content = root.querySelector('.sl-markdown-content');
  if (lists.length === 0 || !content) return;
  const steps: { id: string; box: HTMLInputElement; time: HTMLTimeElement; item: HTMLLIElement; logged: Omit<LoggedStep, 'at'> }[] = [];

  const bar = root.createElement('div');
  bar.className = 'handbook-step-bar not-content';
  bar.setAttribute('role', 'region');
  bar.setAttribute('aria-label', 'Step progress');
  const status = root.createElement('span');
  status.setAttribute('role', 'status');
  const reset = textButton(root, 'reset', () => {
    stored = { ticks: {} };
    save();
  });
  const copy = textButton(root, 'copy incident log', () => {
    const logged = steps.flatMap((step) => (stored.ticks[step.id] ? [{ ...step.logged, at: stored.ticks[step.id] ?? '' }] : []));
    const title = root.querySelector('h1')?.textContent?.trim() ?? root.title;
    const text = incidentLog(title, root.location?.href ?? pathname, logged, now().toISOString());
    const done = (message: string) => {
      copy.textContent = message;
      setTimeout(() => (copy.textContent = 'copy incident log'), 2000);
    };
    navigator.clipboard.writeText(text).then(
      () => done('copied'),
      () => {
        // No clipboard (insecure origin, denied): show the text selected, ready for a manual copy.
        const area = root.createElement('textarea');
        area.value = text;
        area.readOnly = true;
        area.setAttribute('aria-label', 'Incident log');
        area.rows = Math.min(12, text.split('\n').length + 1);
        bar.append(area);
        area.select();
        done('select and copy');
      },
    );
  });
  const stale = root.createElement('p');
  stale.className = 'handbook-step-stale';
  bar.append(stale, status, reset, copy);
  content.append(bar);

  const update = () => {
    const done = steps.filter((step) => stored.ticks[step.id]).length;
    for (const step of steps) {
      const at = stored.ticks[step.id];
      step.box.checked = Boolean(at);
      step.item.classList.toggle('handbook-step-done', Boolean(at));
      step.time.textContent = at ? timeLabel(at) : '';
      if (at) step.time.dateTime = at;
      else step.time.removeAttribute('datetime');
    }
    status.textContent = `${done} of ${steps.length} steps done`;
    bar.hidden = done === 0;
    const isStale = hasStaleTicks(stored, now().getTime());
    stale.hidden = !isStale;
    if (isStale) {
      const oldest = Object.values(stored.ticks).sort()[0] ?? '';
      stale.replaceChildren(
        `Ticks from an earlier session (oldest ${Date.parse(oldest) > 0 ? formatUtc(oldest) : 'of unknown time'}). Clear them?`,
        ' ',
        textButton(root, 'clear', () => {
          stored = { ticks: {} };
          save();
        }),
        textButton(root, 'keep', () => {
          stored = { ...stored, keptAt: now().toISOString() };
          save();
        }),
      );
    }
  };
  const save = () => {
    writeTicks(storage, key, stored);
    update();
  };

  lists.forEach((list, listIndex) => {
    const section = sectionOf(list);
    [...list.querySelectorAll<HTMLLIElement>(':scope > li')].forEach((item, itemIndex) => {
      const id = `${listIndex + 1}.${itemIndex + 1}`;
      const title = stepTitle(item);
      const label = root.createElement('label');
      label.className = 'handbook-step-check';
      const box = root.createElement('input');
      box.type = 'checkbox';
      box.dataset['step'] = id;
      const text = root.createElement('span');
      text.className = 'handbook-step-check-title';
      text.textContent = title;
      const time = root.createElement('time');
      label.append(box, text, time);
      item.prepend(label);
      box.addEventListener('change', () => {
        const ticks = { ...stored.ticks };
        if (box.checked) ticks[id] = now().toISOString();
        else delete ticks[id];
        stored = { ...stored, ticks };
        save();
      });
      steps.push({ id, box, time, item, logged: { section, step: itemIndex + 1, title } });
    });
  });
  update();
}

