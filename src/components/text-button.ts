/**
 * The small text buttons of the on-call helpers (step ticks' bar, Your cluster's bar and panel): a real `<button>`,
 * styled as a link by `.hb-text-button` in src/styles/handbook.css, with a 44 px touch target.
 */
export function textButton(root: Document, label: string, onClick: () => void): HTMLButtonElement {
  const element = root.createElement('button');
  element.type = 'button';
  element.className = 'hb-text-button';
  element.textContent = label;
  element.addEventListener('click', onClick);
  return element;
}
