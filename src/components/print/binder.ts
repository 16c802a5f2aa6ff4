/**
 * Client side of the print edition (src/pages/print/): builds a binder or a runbook checklist in the browser
 * from the handbook's own built pages, so the build renders every page once, no page grows with the handbook,
 * and the print edition works offline from whatever the service worker holds (the same pages a reader opens).
 *
 * Each entry becomes an `<article>` whose ids carry the entry's prefix (`runbooks-etcd-nospace--step-3`), so ids
 * never repeat across entries and every link that pointed into the page points into its own entry. Headings
 * move one level down so the entry title sits above its sections; tabbed variants print one after another, each
 * under its tab label; links to other pages print as absolute addresses under the site URL.
 */

export interface PrintEntry {
  /** Content id, e.g. `runbooks/etcd-backup-restore`. */
  id: string;
  title: string;
  /** Path of the page below the origin, base included, e.g. `/handbook/runbooks/etcd-backup-restore/`. */
  path: string;
}

/** Attributes whose value is a space-separated list of ids in the same document. */
const ID_REFERENCES = ['for', 'aria-labelledby', 'aria-describedby', 'aria-controls', 'aria-owns', 'aria-details', 'headers', 'list', 'form'];

export function entryPrefix(entryId: string): string {
  return entryId.replace(/[^a-zA-Z0-9_-]+/g, '-');
}

/** Fetches a built page and returns its document, or an error sentence a reader can act on. */
export async function loadPage(entry: PrintEntry): Promise<Document | string> {
  try {
    const response = await fetch(entry.path, { credentials: 'same-origin' });
    if (!response.ok) return `${entry.title}: the page answered ${response.status}.`;
    return new DOMParser().parseFromString(await response.text(), 'text/html');
  } catch {
    return `${entry.title} is not saved for offline reading on this device; open ${entry.path} once while online.`;
  }
}

/** Removes what cannot work on paper or in a copied fragment: scripts, anchor icons, tick boxes, screen-only bits. */
function strip(root: Element): void {
  for (const element of root.querySelectorAll('script, template, noscript, style, .sl-anchor-link, .handbook-step-check, .handbook-step-progress-controls, .no-print, .expressive-code .copy')) {
    element.remove();
  }
}

/**
 * Replaces each Starlight `<Tabs>` by its panels one after another, each headed by its tab label ("etcd 3.6"):
 * on paper every variant prints and the reader must see which is which.
 */
export function flattenTabs(root: Element): void {
  const document = root.ownerDocument;
  for (const tabs of [...root.querySelectorAll('starlight-tabs')]) {
    const labels = new Map<string, string>();
    for (const tab of tabs.querySelectorAll('[role="tab"]')) labels.set(tab.id, tab.textContent?.trim() ?? '');
    const group = document.createElement('div');
    group.className = 'print-tabs';
    for (const panel of tabs.querySelectorAll(':scope > [role="tabpanel"]')) {
      const label = labels.get(panel.getAttribute('aria-labelledby') ?? '') ?? '';
      const variant = document.createElement('div');
      variant.className = 'print-tab';
      variant.setAttribute('role', 'group');
      const caption = document.createElement('p');
      caption.className = 'print-tab-label';
      caption.textContent = label;
      variant.setAttribute('aria-label', label);
      variant.append(caption, ...panel.childNodes);
      group.append(variant);
    }
    tabs.replaceWith(group);
  }
}

/** h2 → h3 … h5 → h6, so an entry's sections sit one level below its title. */
export function demoteHeadings(root: Element): void {
  const document = root.ownerDocument;
  for (const heading of [...root.querySelectorAll('h2, h3, h4, h5')]) {
    const level = Number(heading.tagName.slice(1));
    const demoted = document.createElement(`h${level + 1}`);
    for (const attribute of heading.attributes) demoted.setAttribute(attribute.name, attribute.value);
    demoted.append(...heading.childNodes);
    heading.replaceWith(demoted);
  }
}

/**
 * Makes the ids of `root` unique to its entry and points links at the entry: `#x` and links to the entry's own
 * page become `#<prefix>--x` (or the entry's start when the target is gone, such as `#_top`); other links on the
 * site become absolute URLs under `siteRoot`, the address the handbook is published at.
 */
export function scopeLinks(root: Element, prefix: string, pageUrl: URL, siteRoot: URL, localBase: URL): void {
  const ids = new Set<string>();
  for (const element of root.querySelectorAll('[id]')) {
    ids.add(element.id);
    element.id = `${prefix}--${element.id}`;
  }
  for (const attribute of ID_REFERENCES) {
    for (const element of root.querySelectorAll(`[${attribute}]`)) {
      const value = element.getAttribute(attribute) ?? '';
      element.setAttribute(
        attribute,
        value
          .split(/\s+/)
          .filter(Boolean)
          .map((id) => (ids.has(id) ? `${prefix}--${id}` : id))
          .join(' '),
      );
    }
  }
  for (const anchor of root.querySelectorAll<HTMLAnchorElement>('a[href]')) {
    const href = anchor.getAttribute('href') ?? '';
    let target: URL;
    try {
      target = new URL(href, pageUrl);
    } catch {
      continue;
    }
    if (target.origin !== pageUrl.origin) continue;
    if (target.pathname === pageUrl.pathname) {
      const fragment = decodeURIComponent(target.hash.slice(1));
      anchor.setAttribute('href', ids.has(fragment) ? `#${prefix}--${fragment}` : `#${prefix}`);
      continue;
    }
    if (!target.pathname.startsWith(localBase.pathname)) continue;
    const relative = target.pathname.slice(localBase.pathname.length) + target.search + target.hash;
    anchor.setAttribute('href', new URL(relative, siteRoot).href);
  }
}

/** Site URL + base (the published address); a relative path is resolved against it. */
export function siteRootUrl(siteRoot: string): URL {
  return new URL(siteRoot.endsWith('/') ? siteRoot : `${siteRoot}/`);
}

/** The base path on the server the page came from (`/` or `/handbook/`), always with its final slash. */
export function localBaseUrl(base: string): URL {
  return new URL(base.endsWith('/') ? base : `${base}/`, location.origin);
}

/** The content of a fetched page, ready to print inside a binder: an `<article>` with the entry's prefix. */
export function binderEntry(page: Document, entry: PrintEntry, target: Document, siteRoot: URL, localBase: URL): HTMLElement {
  const prefix = entryPrefix(entry.id);
  const pageUrl = new URL(entry.path, location.href);
  const article = target.createElement('article');
  article.id = prefix;
  article.className = 'print-edition-entry';
  article.setAttribute('aria-labelledby', `${prefix}--title`);

  const title = target.createElement('h2');
  title.id = `${prefix}--title`;
  title.textContent = page.querySelector('h1#_top')?.textContent?.trim() || entry.title;
  const source = target.createElement('p');
  source.className = 'print-edition-source';
  const online = target.createElement('a');
  online.href = new URL(entry.path.slice(localBase.pathname.length), siteRoot).href;
  online.textContent = online.href;
  online.className = 'print-edition-source-link';
  source.append('Online: ', online);

  const body = target.createElement('div');
  body.className = 'sl-markdown-content';
  const meta = page.querySelector('.runbook-meta');
  const content = page.querySelector('main .sl-markdown-content');
  if (meta) body.append(target.importNode(meta, true));
  if (content) body.append(...[...content.childNodes].map((node) => target.importNode(node, true)));
  strip(body);
  flattenTabs(body);
  demoteHeadings(body);
  scopeLinks(body, prefix, pageUrl, siteRoot, localBase);
  article.append(title, source, body);
  return article;
}

/** Whether a step's child is a code block (Expressive Code frame, a bare `<pre>`, or tabbed variants of code). */
function isCode(element: Element): boolean {
  return element.matches('.expressive-code, pre, .print-tabs');
}

/** The part of one step that belongs on a checklist: its lead, commands, the checks after them, stop warnings. */
function checklistStep(step: Element, target: Document): HTMLLIElement {
  const item = target.createElement('li');
  const children = [...step.children];
  const lead = children[0];
  const hasCode = children.some((child) => isCode(child) || child.querySelector('.expressive-code') !== null);
  if (lead?.tagName === 'P') {
    // A step with commands keeps its bold lead; a step without any (a decision, a wait) keeps its whole text.
    const strong = hasCode ? lead.querySelector(':scope > strong:first-child') : null;
    const paragraph = target.createElement('p');
    paragraph.append(...(strong ? [strong.cloneNode(true)] : [...lead.childNodes].map((node) => node.cloneNode(true))));
    item.append(paragraph);
  }
  let afterCode = false;
  for (const child of children.slice(lead?.tagName === 'P' ? 1 : 0)) {
    if (isCode(child)) {
      item.append(child.cloneNode(true));
      afterCode = true;
    } else if (child.matches('.starlight-aside--caution, .starlight-aside--danger')) {
      item.append(child.cloneNode(true));
    } else if (afterCode && child.tagName === 'P') {
      // The sentence after a command says what to expect: that is the check.
      item.append(child.cloneNode(true));
      afterCode = false;
    } else if (child.matches('details') && child.querySelector('.expressive-code')) {
      // A fallback path ("if this fails"): its summary, then its commands and checks, printed open.
      const fallback = target.createElement('details');
      fallback.open = true;
      const summary = child.querySelector(':scope > summary');
      if (summary) fallback.append(summary.cloneNode(true));
      fallback.append(...checklistStep(child, target).childNodes);
      item.append(fallback);
      afterCode = false;
    } else if (child.matches('ol, ul') && child.querySelector('.expressive-code')) {
      const list = target.createElement(child.tagName.toLowerCase());
      for (const nested of child.querySelectorAll(':scope > li')) list.append(checklistStep(nested, target));
      item.append(list);
      afterCode = false;
    } else {
      afterCode = false;
    }
  }
  return item;
}

/**
 * What a checklist keeps of one block of a section: a `<Steps>` list as steps, tabbed variants that hold steps
 * variant by variant under their labels, commands and subheadings as they are, anything else only in a section
 * kept whole.
 */
function checklistBlock(node: Element, whole: boolean, target: Document): Element | undefined {
  if (node.matches('ol.sl-steps')) {
    const list = target.createElement('ol');
    list.setAttribute('role', 'list');
    list.className = 'sl-steps';
    for (const step of node.querySelectorAll(':scope > li')) list.append(checklistStep(step, target));
    return list;
  }
  if (node.matches('.print-tabs') && node.querySelector('ol.sl-steps')) {
    const group = target.createElement('div');
    group.className = 'print-tabs';
    for (const variant of node.querySelectorAll(':scope > .print-tab')) {
      const kept = target.createElement('div');
      kept.className = 'print-tab';
      kept.setAttribute('role', 'group');
      kept.setAttribute('aria-label', variant.getAttribute('aria-label') ?? '');
      for (const child of variant.children) {
        const block = child.matches('.print-tab-label') ? child.cloneNode(true) : checklistBlock(child, whole, target);
        if (block) kept.append(block);
      }
      group.append(kept);
    }
    return group;
  }
  if (whole || isCode(node) || node.matches('h3, h4')) return node;
  return undefined;
}

/** Sections a checklist keeps besides the steps: the shell set-up (its commands), when to stop, and the way back (whole). */
const KEPT_SECTIONS = /^(set up|stop and escalate|roll back)/i;

/**
 * A runbook's printable checklist: the shell set-up, every step of every procedure with its commands and the
 * check that follows each command, when to stop and escalate, and how to roll back. Explanations, background
 * and sources stay on the page.
 */
export function checklist(page: Document, entry: PrintEntry, target: Document, siteRoot: URL, localBase: URL): HTMLElement {
  const prefix = entryPrefix(entry.id);
  const wrapper = target.createElement('div');
  wrapper.className = 'sl-markdown-content print-checklist';
  const content = page.querySelector('main .sl-markdown-content');
  if (!content) return wrapper;
  const copy = target.importNode(content, true);
  strip(copy);
  flattenTabs(copy);

  let section: { heading: Element; nodes: Element[] } | undefined;
  const sections: { heading: Element; nodes: Element[] }[] = [];
  for (const child of [...copy.children]) {
    if (child.tagName === 'H2') {
      section = { heading: child, nodes: [] };
      sections.push(section);
    } else section?.nodes.push(child);
  }
  for (const { heading, nodes } of sections) {
    const hasSteps = nodes.some((node) => node.matches('ol.sl-steps') || node.querySelector('ol.sl-steps') !== null);
    const kept = KEPT_SECTIONS.test(heading.textContent?.trim() ?? '');
    if (!hasSteps && !kept) continue;
    const whole = kept && !/^set up/i.test(heading.textContent?.trim() ?? '');
    wrapper.append(heading);
    for (const node of nodes) {
      const block = checklistBlock(node, whole, target);
      if (block) wrapper.append(block);
    }
  }
  demoteHeadings(wrapper);
  scopeLinks(wrapper, prefix, new URL(entry.path, location.href), siteRoot, localBase);
  return wrapper;
}

/** Copies the stylesheets a fetched page links (Expressive Code's, for one) that this page lacks. */
export function adoptStylesheets(page: Document, target: Document): void {
  const present = new Set([...target.querySelectorAll<HTMLLinkElement>('link[rel="stylesheet"]')].map((link) => link.getAttribute('href')));
  for (const link of page.querySelectorAll<HTMLLinkElement>('link[rel="stylesheet"]')) {
    const href = link.getAttribute('href');
    if (!href || present.has(href)) continue;
    present.add(href);
    target.head.append(target.importNode(link, true));
  }
}
