// @ts-check
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'astro/config';
import starlight from '@astrojs/starlight';
import mdx from '@astrojs/mdx';
import { satteri } from '@astrojs/markdown-satteri';
import { baseLinks, prefixBase } from './src/integrations/base-links.ts';
import { reviewReport } from './src/integrations/review-report.ts';
import { serviceWorker } from './src/integrations/service-worker.ts';
import { foldRunbookIntro } from './src/integrations/fold-intro.ts';
import { wideTableNote } from './src/integrations/table-scroll.ts';

/**
 * Where the handbook is published. A team serving it under a sub-path sets HANDBOOK_BASE=/handbook;
 * HANDBOOK_SITE is the public origin, used for the sitemap and canonical links.
 */
const site = process.env.HANDBOOK_SITE || 'http://localhost:4321';
const base = process.env.HANDBOOK_BASE || '/';

export default defineConfig({
  site,
  base,
  trailingSlash: 'always',
  // Older etcd mixins (and OpenShift) name the quota alert etcdBackendQuotaLowSpace; a runbook_url built from that
  // name should still reach the page. Redirect targets do not get the base path added, hence prefixBase.
  redirects: {
    '/alerts/etcdbackendquotalowspace/': prefixBase('/alerts/etcddatabasequotalowspace/', base),
  },
  vite: {
    build: {
      rollupOptions: {
        onwarn(warning, warn) {
          // Astro marks every content module with the directive "use astro:head-inject" and handles it itself;
          // the bundler's note that it "may not be preserved" is about Astro's internals, not about this site,
          // and would print 29 times per build.
          if (warning.code === 'MODULE_LEVEL_DIRECTIVE' && warning.message.includes('astro:head-inject')) return;
          warn(warning);
        },
      },
    },
  },
  markdown: {
    processor: satteri({
      hastPlugins: [
        baseLinks(base),
        foldRunbookIntro(fileURLToPath(new URL('./src/content/runbooks/', import.meta.url))),
        wideTableNote(),
      ],
    }),
  },
  integrations: [
    starlight({
      title: 'Control-plane HA handbook',
      description:
        'Runbooks, alert pages and capacity calculators for highly available Kubernetes control planes: etcd, API servers, leader election.',
      lastUpdated: false,
      pagination: false,
      customCss: ['./src/styles/handbook.css', './src/styles/print.css'],
      components: {
        PageTitle: './src/components/overrides/PageTitle.astro',
        Search: './src/components/overrides/Search.astro',
        Head: './src/components/overrides/Head.astro',
      },
      // The sidebar is built from the content collection by src/route-data.ts (autogenerate cannot see the
      // handbook's folder layout; the reason is in src/lib/content/navigation.ts). This entry is what a page
      // without the middleware would show.
      sidebar: [{ label: 'Start here', link: '/' }],
      routeMiddleware: './src/route-data.ts',
    }),
    // Static parts of each page (Expressive Code's token spans above all) compile to HTML strings instead of one
    // JSX call per element, as Starlight sets it up when it adds MDX itself; it keeps large builds fast.
    mdx({ optimize: true }),
    reviewReport(),
    // Last, so the service worker precaches the finished output, Pagefind's index included.
    serviceWorker(),
  ],
});
