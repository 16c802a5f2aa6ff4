import type { APIRoute } from 'astro';
import { getCollection } from 'astro:content';
import { AlertFieldsSchema } from '../schemas/alert';
import { alertsJson, siteRootUrl } from '../lib/alerts/wiring';
import { alertFixChoices } from '../lib/content/alert-fix';
import { runbookSummaries } from '../lib/content/runbooks';

/**
 * `alerts.json`: every alert the handbook answers, with its page, severity and the runbooks that fix it, at the
 * address the site was built for (HANDBOOK_SITE + HANDBOOK_BASE). For tools that build `runbook_url` annotations
 * or chat-ops links without scraping HTML.
 */
export const GET: APIRoute = async () => {
  const entries = await getCollection('docs', (entry) => entry.id.startsWith('alerts/'));
  const summaries = await runbookSummaries();
  // The same runbooks the page's fix box names: its own `fix` list plus runbooks whose `alerts` name it.
  const pages = entries.map((entry) => {
    const alert = AlertFieldsSchema.parse(entry.data);
    return { ...alert, runbooks: alertFixChoices(alert.alert, alert.fix.runbooks, summaries).map((choice) => choice.slug) };
  });
  const root = siteRootUrl(import.meta.env.SITE ?? '', import.meta.env.BASE_URL);
  return new Response(`${JSON.stringify(alertsJson(root, pages), null, 2)}\n`, {
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
  });
};
