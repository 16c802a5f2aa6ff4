import { getCollection } from 'astro:content';
import { RunbookFieldsSchema } from '../../schemas/runbook';
import type { RunbookSummary } from './alert-fix';

let summaries: Promise<RunbookSummary[]> | undefined;

/** Every published runbook, read once per build. */
export function runbookSummaries(): Promise<RunbookSummary[]> {
  summaries ??= getCollection('docs', (entry) => entry.id.startsWith('runbooks/')).then((entries) =>
    entries.map((entry) => {
      const fields = RunbookFieldsSchema.parse(entry.data);
      return {
        slug: entry.id.slice('runbooks/'.length),
        title: entry.data.title,
        description: entry.data.description,
        alerts: fields.alerts,
        estimatedMinutes: fields.estimatedMinutes,
      };
    }),
  );
  return summaries;
}
