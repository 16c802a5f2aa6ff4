import { z } from 'astro/zod';
import { SeveritySchema } from './severity';

/**
 * Frontmatter of a page under `src/content/alerts/`: one page per Prometheus alert, named after the alert
 * lower-cased so that `runbook_url` can be built from the alert name alone.
 */
export const AlertFieldsSchema = z.object({
  /** The alert name exactly as the rule defines it, e.g. `etcdNoLeader`. */
  alert: z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/, 'an alert name is letters and digits only'),
  /** The rule's severity label; an alert with two rules (warning and critical) lists the higher one. */
  alertSeverity: SeveritySchema,
  /** One line for the alert index: what is wrong, in words an on-call engineer reads in two seconds. */
  summary: z.string().trim().min(1).max(200),
  /** Where the rule comes from, e.g. `etcd-io/etcd contrib/mixin` or `kubernetes-monitoring/kubernetes-mixin`. */
  ruleSource: z.string().trim().min(1),
  /**
   * The runbooks that fix what this alert reports, most likely first, by file name under `src/content/runbooks/`
   * (e.g. `etcd-nospace` for `/runbooks/etcd-nospace/`). The page's fix box and the alert index read this list, and
   * `alerts.json` publishes it. An empty list says no runbook fixes it (for example a monitoring-only problem);
   * a content test checks every name is a runbook page.
   */
  runbooks: z.array(z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'a runbook file name: lower-case words joined by dashes')),
});

export type AlertFields = z.infer<typeof AlertFieldsSchema>;
