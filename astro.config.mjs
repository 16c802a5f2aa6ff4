// @ts-check
import { defineConfig } from 'astro/config';
import starlight from '@astrojs/starlight';
import mdx from '@astrojs/mdx';
import { satteri } from '@astrojs/markdown-satteri';
import { baseLinks, prefixBase } from './src/integrations/base-links.ts';
import { reviewReport } from './src/integrations/review-report.ts';
import { serviceWorker } from './src/integrations/service-worker.ts';
import { promqlGrammar } from './src/integrations/promql-grammar.ts';

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
  markdown: {
    processor: satteri({ hastPlugins: [baseLinks(base)] }),
  },
  integrations: [
    starlight({
      title: 'Control-plane HA handbook',
      description:
        'Runbooks, alert pages and capacity calculators for highly available Kubernetes control planes: etcd, API servers, leader election.',
      lastUpdated: false,
      pagination: false,
      customCss: ['./src/styles/handbook.css', './src/styles/print.css'],
      expressiveCode: { shiki: { langs: [promqlGrammar] } },
      components: {
        PageTitle: './src/components/overrides/PageTitle.astro',
        Search: './src/components/overrides/Search.astro',
        Head: './src/components/overrides/Head.astro',
      },
      sidebar: [
        { label: 'Start here', link: '/' },
        { label: 'Alerts', items: [{ autogenerate: { directory: 'alerts' } }] },
        { label: 'Runbooks', items: [{ autogenerate: { directory: 'runbooks' } }] },
        { label: 'Calculators', items: [{ autogenerate: { directory: 'calculators' } }] },
        { label: 'Reference', items: [{ autogenerate: { directory: 'reference' } }] },
        { label: 'Print edition', link: '/print/' },
      ],
    }),
    // Static parts of each page (Expressive Code's token spans above all) compile to HTML strings instead of one
    // JSX call per element, as Starlight sets it up when it adds MDX itself; it keeps large builds fast.
    mdx({ optimize: true }),
    reviewReport(),
    // Last, so the service worker precaches the finished output, Pagefind's index included.
    serviceWorker(),
  ],
});
