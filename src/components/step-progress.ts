/**
 * Client side of StepProgress.astro: per-step "done" checkboxes on Starlight `<Steps>` lists, remembered in
 * localStorage under one key per page path. Kept free of framework code so it stays a few hundred bytes.
 */

/** localStorage key for a page's ticks; the value is a JSON array of step ids ("<list>.<step>", 1-based). */
export function storageKey(pathname: string): string {
  return `handbook-steps:${pathname}`;
}

function readTicks(storage: Storage, key: string): Set<string> {
  try {
    const stored: unknown = JSON.parse(storage.getItem(key) ?? '[]');
    return new Set(Array.isArray(stored) ? stored.filter((id): id is string => typeof id === 'string') : []);
  } catch {
    // A corrupt entry must not break the page; start again.
    return new Set();
  }
}

function writeTicks(storage: Storage, key: string, ticks: Set<string>): void {
  try {
    if (ticks.size === 0) storage.removeItem(key);
    else storage.setItem(key, JSON.stringify([...ticks]));
  } catch {
    // Private browsing or a full quota: ticks then last until the page is left, which is still useful.
  }
}

export function mountStepProgress(root: Document, storage: Storage, pathname: string): void {
  const key = storageKey(pathname);
  const ticks = readTicks(storage, key);
  const lists = [...root.querySelectorAll<HTMLOListElement>('.sl-markdown-content ol.sl-steps')];
  const boxes: HTMLInputElement[] = [];
  const statuses: HTMLElement[] = [];

  const updateStatuses = () => {
    lists.forEach((list, listIndex) => {
      const steps = list.querySelectorAll(':scope > li').length;
      const done = boxes.filter((box) => box.dataset['step']?.startsWith(`${listIndex + 1}.`) && box.checked).length;
      const status = statuses[listIndex];
      if (status) status.textContent = `${done} of ${steps} steps done`;
    });
  };

  lists.forEach((list, listIndex) => {
    const items = [...list.querySelectorAll<HTMLLIElement>(':scope > li')];
    items.forEach((item, itemIndex) => {
      const id = `${listIndex + 1}.${itemIndex + 1}`;
      const label = root.createElement('label');
      label.className = 'handbook-step-check';
      const box = root.createElement('input');
      box.type = 'checkbox';
      box.dataset['step'] = id;
      box.checked = ticks.has(id);
      const text = root.createElement('span');
      text.textContent = `Step ${itemIndex + 1} done`;
      label.append(box, text);
      item.prepend(label);
      item.classList.toggle('handbook-step-done', box.checked);
      box.addEventListener('change', () => {
        if (box.checked) ticks.add(id);
        else ticks.delete(id);
        item.classList.toggle('handbook-step-done', box.checked);
        writeTicks(storage, key, ticks);
        updateStatuses();
      });
      boxes.push(box);
    });

    const controls = root.createElement('div');
    controls.className = 'handbook-step-progress-controls';
    const status = root.createElement('span');
    status.setAttribute('role', 'status');
    const reset = root.createElement('button');
    reset.type = 'button';
    reset.textContent = 'Reset all ticks on this page';
    reset.addEventListener('click', () => {
      ticks.clear();
      writeTicks(storage, key, ticks);
      for (const box of boxes) {
        box.checked = false;
        box.closest('li')?.classList.remove('handbook-step-done');
      }
      updateStatuses();
    });
    controls.append(reset, status);
    list.after(controls);
    statuses.push(status);
  });
  updateStatuses();
}
