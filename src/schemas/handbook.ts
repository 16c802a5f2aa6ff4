import { z } from 'astro/zod';
import { AlertFieldsSchema } from './alert';
import { CalculatorIdSchema } from './calculator-id';
import { RunbookFieldsSchema } from './runbook';

/**
 * Fields the handbook adds to Starlight's frontmatter for every page. All of them are optional here because
 * the `docs` collection holds several kinds of page; `content.config.ts` makes the runbook and alert fields
 * required for pages in those folders.
 */
export const HandbookFieldsSchema = z.object({
  ...RunbookFieldsSchema.partial().shape,
  ...AlertFieldsSchema.partial().shape,
  /** On a calculator page: which calculator it presents. */
  calculator: CalculatorIdSchema.optional(),
});

/** The folders of `src/content` whose pages must carry a kind-specific set of fields. */
export const REQUIRED_FIELDS_BY_FOLDER = {
  runbooks: RunbookFieldsSchema,
  alerts: AlertFieldsSchema,
} as const;
