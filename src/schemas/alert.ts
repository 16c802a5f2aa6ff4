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
   * The runbooks that fix it, shown in a box under the title. Runbooks whose own `alerts` list names this alert
   * are added by the build, so only the choice between them is written here.
   */
  fix: z.strictObject({
    /** The one question whose answer picks the runbook, e.g. `Are fewer than a majority of members running?`. */
    question: z.string().trim().min(1).max(160),
    /**
     * Each runbook (its file name without `.mdx`) and the answer or situation that sends the reader there, most likely
     * first. `alerts.json` publishes them too. An empty list says that no runbook of this handbook fixes it (for
     * example an aggregated API, which its own service owns); the box then points to the page's Mitigation.
     */
    runbooks: z
      .array(
        z.strictObject({
          runbook: z.string().regex(/^[a-z0-9-]+$/, 'the runbook file name without .mdx, e.g. etcd-quorum-loss'),
          when: z.string().trim().min(1).max(160),
        }),
      ),
  }),
});

export type AlertFields = z.infer<typeof AlertFieldsSchema>;
