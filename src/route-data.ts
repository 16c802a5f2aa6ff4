/**
 * Starlight route middleware: replaces the configured sidebar with one built from the `docs` collection
 * (see src/lib/content/navigation.ts for why autogenerate cannot be used), so a new runbook, alert,
 * calculator or reference page appears in the sidebar and the phone menu without editing any config.
 */
import { defineRouteMiddleware } from '@astrojs/starlight/route-data';
import { getCollection } from 'astro:content';
import { buildSidebar, type NavPage } from './lib/content/navigation';

let pagesPromise: Promise<NavPage[]> | undefined;

/** The collection is the same for every page of one build; read it once. */
function navPages(): Promise<NavPage[]> {
  pagesPromise ??= getCollection('docs').then((entries) =>
    entries.map((entry) => ({
      id: entry.id,
      title: entry.data.title,
      label: entry.data.sidebar.label,
      order: entry.data.sidebar.order,
      hidden: entry.data.sidebar.hidden,
      severity: entry.id.startsWith('runbooks/') ? entry.data.severity : undefined,
    })),
  );
  return pagesPromise;
}

export const onRequest = defineRouteMiddleware(async (context) => {
  const route = context.locals.starlightRoute;
  route.sidebar = buildSidebar(await navPages(), import.meta.env.BASE_URL, context.url.pathname);
});
