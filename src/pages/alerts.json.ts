import type { APIRoute } from 'astro';
import { getCollection } from 'astro:content';
import { AlertFieldsSchema } from '../schemas/alert';
import { alertsJson, siteRootUrl } from '../lib/alerts/wiring';

/**
 * `alerts.json`: every alert the handbook answers, with its page, severity and the runbooks that fix it, at the
 * address the site was built for (HANDBOOK_SITE + HANDBOOK_BASE). For tools that build `runbook_url` annotations
 * or chat-ops links without scraping HTML.
 */
export const GET: APIRoute = async () => {
  const entries = await getCollection('docs', (entry) => entry.id.startsWith('alerts/'));
  const pages = entries.map((entry) => AlertFieldsSchema.parse(entry.data));
  const root = siteRootUrl(import.meta.env.SITE ?? '', import.meta.env.BASE_URL);
  return new Response(`${JSON.stringify(alertsJson(root, pages), null, 2)}\n`, {
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
  });
};
