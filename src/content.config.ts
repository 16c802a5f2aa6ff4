import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { docsSchema } from '@astrojs/starlight/schema';
import { HandbookFieldsSchema } from './schemas/handbook';
import { handbookLoader } from './integrations/handbook-loader';

/**
 * The handbook keeps its pages in `src/content/{runbooks,calculators,reference,alerts}` rather than
 * Starlight's default `src/content/docs`, so the folders people edit match the URLs they share.
 * Files whose name starts with `_` (templates, partials) are not pages.
 */
const pages = glob({
  base: './src/content',
  pattern: ['index.mdx', '{runbooks,calculators,reference,alerts}/**/[^_]*.{md,mdx}'],
});

export const collections = {
  docs: defineCollection({
    loader: handbookLoader(pages),
    schema: docsSchema({ extend: HandbookFieldsSchema }),
  }),
};
