import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { docsSchema, i18nSchema } from '@astrojs/starlight/schema';
import { i18nLoader } from '@astrojs/starlight/loaders';
import { HandbookFieldsSchema } from './schemas/handbook';
import { handbookLoader } from './integrations/handbook-loader';

/**
 * The handbook keeps its pages in `src/content/{runbooks,calculators,reference,alerts}` rather than
 * Starlight's default `src/content/docs`, so the folders people edit match the URLs they share.
 * Files whose name starts with `_` (templates, partials) are not pages. `404.mdx` is a draft: Starlight's 404
 * route reads it, no page of its own is built.
 */
const pages = glob({
  base: './src/content',
  pattern: ['index.mdx', '404.mdx', '{runbooks,calculators,reference,alerts}/**/[^_]*.{md,mdx}'],
});

export const collections = {
  docs: defineCollection({
    loader: handbookLoader(pages),
    schema: docsSchema({ extend: HandbookFieldsSchema }),
  }),
  // Starlight reads UI-string overrides from here (src/content/i18n/en.json); declared so it does not warn
  // that the collection is missing.
  i18n: defineCollection({ loader: i18nLoader(), schema: i18nSchema() }),
};
