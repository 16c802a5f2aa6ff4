import type { Loader, LoaderContext } from 'astro/loaders';
import { REQUIRED_FIELDS_BY_FOLDER } from '../schemas/handbook';
import { describeIssues } from '../lib/content/describe-issues';

type Folder = keyof typeof REQUIRED_FIELDS_BY_FOLDER;

/** The folder whose rules apply to a page id; a folder's own index page (id `alerts`) is exempt. */
function folderOf(id: string): Folder | undefined {
  const [first, ...rest] = id.split('/');
  if (rest.length === 0) return undefined;
  return first === 'runbooks' || first === 'alerts' ? first : undefined;
}

/**
 * Wraps a loader so that pages in `runbooks/` and `alerts/` must carry their folder's fields.
 * Starlight validates one schema for the whole `docs` collection, and a schema cannot see the file path,
 * so the folder rule is applied here, where the path is known. The error names the file and each field.
 */
export function handbookLoader(inner: Loader): Loader {
  return {
    name: 'handbook-loader',
    load: (context: LoaderContext) =>
      inner.load({
        ...context,
        parseData: async (props) => {
          const folder = folderOf(props.id);
          if (folder) {
            const result = REQUIRED_FIELDS_BY_FOLDER[folder].safeParse(props.data);
            if (!result.success) {
              const where = props.filePath ?? props.id;
              throw new Error(
                `Invalid frontmatter in ${where} (${folder} page):\n${describeIssues(result.error.issues)}`,
              );
            }
          }
          return context.parseData(props);
        },
      }),
  };
}
