import { RULE_SET, highestSeverity, type RuleSetAlert, type Severity } from './rule-set';

/**
 * Copy-ready configuration that points the `runbook_url` of every alert in the rule set at this handbook, for
 * kube-prometheus (jsonnet), the mixins built directly (jsonnet) and the kube-prometheus-stack Helm chart (values
 * YAML), plus the machine-readable index `alerts.json`. Everything is generated from the rule set and the address
 * the site was built for, so the snippets never name an alert the handbook has no page for, and never a stale host.
 *
 * Only alerts with a page get a link: the mixins also hold dozens of node and workload alerts this handbook does
 * not answer, and a blanket `runbookURLPattern` would point those at pages that do not exist.
 */

/** The public address of the site's root: `HANDBOOK_SITE` plus `HANDBOOK_BASE`, always ending in `/`. */
export function siteRootUrl(site: string, base: string): string {
  const origin = site.replace(/\/+$/, '');
  const path = `/${base.replace(/^\/+|\/+$/g, '')}/`.replace('//', '/');
  return `${origin}${path}`;
}

/** The page of one alert: `<root>alerts/<alert name in lower case>/`. */
export function alertPageUrl(root: string, alert: string): string {
  return `${root}alerts/${alert.toLowerCase()}/`;
}

/** The page of one runbook by file name: `<root>runbooks/<name>/`. */
export function runbookPageUrl(root: string, runbook: string): string {
  return `${root}runbooks/${runbook}/`;
}

function alertNames(alerts: readonly RuleSetAlert[]): string[] {
  return alerts.map((alert) => alert.alert).sort((a, b) => a.localeCompare(b, 'en'));
}

/** A jsonnet string literal (single quotes; the names and URLs here hold no quote or backslash, checked). */
function jsonnetString(text: string): string {
  if (/['\\\n]/.test(text)) throw new Error(`cannot write ${JSON.stringify(text)} as a plain jsonnet string`);
  return `'${text}'`;
}

/**
 * The shared jsonnet part: a map from alert name to handbook page, and a function that sets `runbook_url` on every
 * alert of a mixin that has a page (replacing a link the mixin set itself, as the etcd mixin does for
 * etcdDatabaseHighFragmentationRatio) and leaves every other alert alone.
 */
function jsonnetPrelude(root: string, alerts: readonly RuleSetAlert[]): string {
  const entries = alertNames(alerts)
    .map((name) => `  ${name}: ${jsonnetString(alertPageUrl(root, name))},`)
    .join('\n');
  return `// Alerts with a page in the control-plane HA handbook, and that page.
local handbookPages = {
${entries}
};

// Sets runbook_url on each alert of a mixin that has a handbook page; other alerts keep theirs.
local linkToHandbook(mixin) = mixin {
  prometheusAlerts+:: {
    groups: [
      group {
        rules: [
          if std.objectHas(rule, 'alert') && std.objectHas(handbookPages, rule.alert)
          then rule { annotations+: { runbook_url: handbookPages[rule.alert] } }
          else rule
          for rule in group.rules
        ],
      }
      for group in super.groups
    ],
  },
};
`;
}

/** kube-prometheus: the control-plane component's mixin, and the etcd mixin added the way its documentation shows. */
export function kubePrometheusJsonnet(root: string, alerts: readonly RuleSetAlert[] = RULE_SET.alerts): string {
  return `${jsonnetPrelude(root, alerts)}
local addMixin = import 'kube-prometheus/lib/mixin.libsonnet';
local etcdMixin = addMixin({
  name: 'etcd',
  mixin: linkToHandbook(import 'github.com/etcd-io/etcd/contrib/mixin/mixin.libsonnet'),
});

local kp = (import 'kube-prometheus/main.libsonnet') + {
  values+:: {
    common+: { namespace: 'monitoring' },
  },
  // The API server, scheduler and controller-manager alerts come from kubernetes-mixin through this component.
  kubernetesControlPlane+: {
    mixin:: linkToHandbook(super.mixin),
  },
};

{ 'kubernetes-prometheusRule': kp.kubernetesControlPlane.prometheusRule } +
{ 'external-mixins/etcd-mixin-prometheus-rules': etcdMixin.prometheusRules }
`;
}

/** The two mixins built on their own (with mixtool, or jsonnet and a vendor directory from jsonnet-bundler). */
export function mixinsJsonnet(root: string, alerts: readonly RuleSetAlert[] = RULE_SET.alerts): string {
  return `${jsonnetPrelude(root, alerts)}
local kubernetesMixin = linkToHandbook(
  (import 'github.com/kubernetes-monitoring/kubernetes-mixin/mixin.libsonnet') + {
    _config+:: {
      // Your selectors, e.g. kubeApiserverSelector: 'job="apiserver"'.
    },
  }
);
local etcdMixin = linkToHandbook(import 'github.com/etcd-io/etcd/contrib/mixin/mixin.libsonnet');

{
  'kubernetes-mixin-alerts.json': kubernetesMixin.prometheusAlerts,
  'etcd-mixin-alerts.json': etcdMixin.prometheusAlerts,
}
`;
}

/**
 * kube-prometheus-stack: `defaultRules.runbookUrl` is only a prefix the chart completes with `/<component>/<alert>`,
 * which does not match this handbook's addresses, so each alert's link is set through
 * `defaultRules.additionalRuleAnnotations`, which the chart merges into the rule of that name.
 */
export function helmValuesYaml(root: string, alerts: readonly RuleSetAlert[] = RULE_SET.alerts): string {
  const entries = alertNames(alerts)
    .map((name) => `    ${name}:\n      runbook_url: ${alertPageUrl(root, name)}`)
    .join('\n');
  return `# kube-prometheus-stack values: link each control-plane alert to its handbook page.
defaultRules:
  additionalRuleAnnotations:
${entries}
`;
}

export interface AlertsJsonEntry {
  alert: string;
  /** The highest severity of the alert's rules. */
  severity: Severity;
  /** The alert's page in the handbook. */
  url: string;
  /** The runbooks that fix it, most likely first, as page addresses. */
  runbooks: string[];
  summary: string;
}

export interface AlertsJson {
  /** The site root the addresses were built for (HANDBOOK_SITE + HANDBOOK_BASE). */
  site: string;
  /** Where the alert rules came from (repository, path, revision). */
  ruleSources: { repository: string; path: string; ref: string; commit: string }[];
  alerts: AlertsJsonEntry[];
}

/** What an alert page contributes to `alerts.json`: its frontmatter fields. */
export interface AlertPageFields {
  alert: string;
  alertSeverity: Severity;
  summary: string;
  runbooks: string[];
}

/**
 * The machine-readable index served at `alerts.json`: one entry per alert page, in rule-set order. An alert page
 * missing from the rule set, or the other way round, is an error: the content tests keep the two equal.
 */
export function alertsJson(root: string, pages: readonly AlertPageFields[], alerts: readonly RuleSetAlert[] = RULE_SET.alerts): AlertsJson {
  const byName = new Map(pages.map((page) => [page.alert, page]));
  const entries = alerts.map((alert): AlertsJsonEntry => {
    const page = byName.get(alert.alert);
    if (!page) throw new Error(`alerts.json: the rule set names ${alert.alert}, which has no page`);
    if (page.alertSeverity !== highestSeverity(alert)) {
      throw new Error(`alerts.json: ${alert.alert} page says ${page.alertSeverity}, its rules say ${highestSeverity(alert)}`);
    }
    return {
      alert: alert.alert,
      severity: page.alertSeverity,
      url: alertPageUrl(root, alert.alert),
      runbooks: page.runbooks.map((runbook) => runbookPageUrl(root, runbook)),
      summary: page.summary,
    };
  });
  const extra = pages.filter((page) => !alerts.some((alert) => alert.alert === page.alert));
  if (extra.length > 0) throw new Error(`alerts.json: pages without a rule: ${extra.map((page) => page.alert).join(', ')}`);
  return {
    site: root,
    ruleSources: Object.values(RULE_SET.sources).map(({ repository, path, ref, commit }) => ({ repository, path, ref, commit })),
    alerts: entries,
  };
}
