/**
 * Resolves a runbook's quick path against the page's headings: each route becomes a link with the heading's own
 * text, and a route to a heading that does not exist is an error naming it (a renamed heading must not leave a
 * dead jump link). Without a `quickPath` in the frontmatter, one is derived from the headings: set up, the first
 * section after it, and the escalation criteria.
 */
export interface Heading {
  depth: number;
  slug: string;
  text: string;
}

export interface QuickPathInput {
  routes: readonly { situation: string; go: string; note?: string | undefined }[];
  stop: string;
}

export interface QuickRoute {
  situation: string;
  /** `#slug` for a heading on the page, or a root-relative path. */
  href: string;
  label: string;
  note?: string | undefined;
  external: boolean;
}

export interface ResolvedQuickPath {
  routes: QuickRoute[];
  stop?: string | undefined;
  /** `#stop-and-escalate-if`, when the page has that section. */
  stopHref?: string | undefined;
  /** The sections before "Set up your shell", folded on the page (see fold-intro.ts). */
  folded: Heading[];
}

export const SETUP_HEADING = /^set up your shell$/i;
const STOP_HEADING = /^stop and escalate/i;

export function resolveQuickPath(page: string, headings: readonly Heading[], quickPath: QuickPathInput | undefined): ResolvedQuickPath {
  const h2 = headings.filter((heading) => heading.depth === 2);
  const setupIndex = h2.findIndex((heading) => SETUP_HEADING.test(heading.text));
  const stopHeading = h2.find((heading) => STOP_HEADING.test(heading.text));
  const folded = setupIndex > 0 ? h2.slice(0, setupIndex) : [];

  const routes: QuickRoute[] = [];
  if (quickPath) {
    for (const route of quickPath.routes) {
      if (route.go.startsWith('/')) {
        routes.push({ situation: route.situation, href: route.go, label: route.go, note: route.note, external: true });
        continue;
      }
      const target = headings.find((heading) => heading.slug === route.go);
      if (!target) {
        throw new Error(
          `${page}: quickPath route "${route.situation}" goes to #${route.go}, but the page has no heading with that id ` +
            `(ids: ${headings.map((heading) => heading.slug).join(', ')})`,
        );
      }
      routes.push({ situation: route.situation, href: `#${target.slug}`, label: target.text, note: route.note, external: false });
    }
  } else if (setupIndex >= 0) {
    const first = h2[setupIndex + 1];
    if (first && first !== stopHeading) {
      routes.push({ situation: 'The procedure', href: `#${first.slug}`, label: first.text, external: false });
    }
  }
  return { routes, stop: quickPath?.stop, stopHref: stopHeading ? `#${stopHeading.slug}` : undefined, folded };
}

/** Splits `text with \`code\`` into plain and code parts, for rendering frontmatter strings. */
export function codeSpans(text: string): { code: boolean; text: string }[] {
  return text.split('`').map((part, index) => ({ code: index % 2 === 1, text: part })).filter((part) => part.text !== '');
}
