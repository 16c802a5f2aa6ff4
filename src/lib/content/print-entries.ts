/**
 * The pages a print edition lists: every page of one section of the docs collection (`runbooks`, `alerts`) except
 * the section's index, which is a list of links, not a procedure; sorted by title. Shared by the binder chooser
 * (/print/) and the checklist page (/print/checklist/) so both list the same pages in the same order.
 */
import { withBase } from './url';

export interface PrintEntry {
  /** Collection id, e.g. `runbooks/etcd-nospace`. */
  id: string;
  /** The id without its section, e.g. `etcd-nospace`: what the print pages put in their query string. */
  slug: string;
  title: string;
  /** The page's address below the base path. */
  path: string;
}

export function printEntries(docs: ReadonlyArray<{ id: string; data: { title: string } }>, section: string, base: string): PrintEntry[] {
  return docs
    .filter((entry) => entry.id.startsWith(`${section}/`) && entry.id !== `${section}/index`)
    .sort((a, b) => a.data.title.localeCompare(b.data.title))
    .map((entry) => ({ id: entry.id, slug: entry.id.slice(section.length + 1), title: entry.data.title, path: withBase(base, `/${entry.id}/`) }));
}
