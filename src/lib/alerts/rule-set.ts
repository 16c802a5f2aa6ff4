import { z } from 'zod';
import ruleSetJson from '../../data/control-plane-alerts.json';

/**
 * The control-plane alert rules the handbook answers, as rendered from the upstream mixins
 * (`src/data/control-plane-alerts.json`). Alert pages, the alert index, `alerts.json` and the content tests all
 * read the set from here, so one file decides which alerts exist and what their rules say.
 */

const SeveritySchema = z.enum(['critical', 'warning', 'info']);

const RuleSchema = z.strictObject({
  severity: SeveritySchema,
  /** The rule's `for:` duration, e.g. `10m`. */
  for: z.string().regex(/^\d+[smhd]$/),
  /** The PromQL expression exactly as the mixin renders it with its default configuration. */
  expr: z.string().min(1),
  summary: z.string().min(1),
  /** A `runbook_url` the mixin itself sets on the rule (only etcdDatabaseHighFragmentationRatio has one). */
  upstreamRunbookUrl: z.url().optional(),
  /** Labels besides severity (KubeAPIErrorBudgetBurn's `long` and `short` windows). */
  labels: z.record(z.string(), z.string()).optional(),
});

const SourceSchema = z.strictObject({
  /** How alert pages name the source in their `ruleSource` field. */
  label: z.string().min(1),
  repository: z.string().regex(/^[\w.-]+\/[\w.-]+$/),
  path: z.string().min(1),
  ref: z.string().min(1),
  commit: z.string().regex(/^[0-9a-f]{7,40}$/),
  sameAt: z.array(z.string()),
  renderedWith: z.string().min(1),
});

const AlertSchema = z.strictObject({
  alert: z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/),
  source: z.string().min(1),
  /** The rule group the mixin puts the alert in (the kube-prometheus-stack chart switches rules on and off by group). */
  group: z.string().min(1),
  rules: z.array(RuleSchema).min(1),
});

const RuleSetSchema = z
  .strictObject({
    $comment: z.string(),
    retrieved: z.iso.date(),
    sources: z.record(z.string(), SourceSchema),
    excluded: z.string(),
    alerts: z.array(AlertSchema).min(1),
  })
  .superRefine((set, context) => {
    const seen = new Set<string>();
    for (const [index, alert] of set.alerts.entries()) {
      if (seen.has(alert.alert)) context.addIssue({ code: 'custom', path: ['alerts', index, 'alert'], message: `${alert.alert} is listed twice` });
      seen.add(alert.alert);
      if (!(alert.source in set.sources)) context.addIssue({ code: 'custom', path: ['alerts', index, 'source'], message: `unknown source ${alert.source}` });
    }
  });

export type AlertRule = z.infer<typeof RuleSchema>;
export type RuleSetAlert = z.infer<typeof AlertSchema>;
export type RuleSet = z.infer<typeof RuleSetSchema>;
export type Severity = z.infer<typeof SeveritySchema>;

export const RULE_SET: RuleSet = RuleSetSchema.parse(ruleSetJson);

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

/** The highest severity among an alert's rules: what its page's `alertSeverity` must say. */
export function highestSeverity(alert: RuleSetAlert): Severity {
  return alert.rules.map((rule) => rule.severity).sort((a, b) => SEVERITY_RANK[a] - SEVERITY_RANK[b])[0] as Severity;
}

/** The `ruleSource` text an alert page carries for this alert. */
export function sourceLabel(alert: RuleSetAlert): string {
  return RULE_SET.sources[alert.source]?.label ?? alert.source;
}
