/**
 * The only calculator code a page runs on load. The server-rendered result already answers the question, so the
 * code that makes a calculator live (the library, zod, the custom element) is fetched only when a calculator comes
 * near the viewport or one of its inputs gets focus. A runbook with a calculator far down the page therefore
 * loads almost no JavaScript until the reader gets there.
 */
export function enhanceWhenNear(calculatorId: string, load: () => Promise<void>): void {
  const elements = [...document.querySelectorAll<HTMLElement>(`[data-calculator="${calculatorId}"]`)];
  if (elements.length === 0) return;
  let started = false;
  let observer: IntersectionObserver | undefined;
  const start = () => {
    if (started) return;
    started = true;
    observer?.disconnect();
    // If the code cannot be fetched (offline, blocked), the built result stays on the page as it is.
    load().catch(() => undefined);
  };
  if (typeof IntersectionObserver === 'undefined') {
    start();
    return;
  }
  observer = new IntersectionObserver((entries) => entries.some((entry) => entry.isIntersecting) && start(), { rootMargin: '600px 0px' });
  for (const element of elements) {
    observer.observe(element);
    element.addEventListener('focusin', start, { once: true });
  }
}
