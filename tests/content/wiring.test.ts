import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { DIST } from '../e2e/helpers/site';
import { RULE_SET, highestSeverity } from '../../src/lib/alerts/rule-set';
import { alertPageUrl, helmValuesYaml, kubePrometheusJsonnet, mixinsJsonnet, siteRootUrl } from '../../src/lib/alerts/wiring';

/** The address the site in `dist/` was built for: the same variables astro.config.mjs reads. */
const BUILT_ROOT = siteRootUrl(process.env['HANDBOOK_SITE'] || 'http://localhost:4321', process.env['HANDBOOK_BASE'] || '/');
const EXAMPLE_ROOT = 'https://handbook.example.com/handbook/';
const HANDBOOK_ALERTS = RULE_SET.alerts.map((alert) => alert.alert).sort();

/**
 * The jsonnet interpreter: HANDBOOK_JSONNET, else `jsonnet` on PATH (Debian's package, which
 * scripts/system-packages.sh installs). Missing, the jsonnet tests fail and say how to install it: the snippets are
 * only proven by evaluating them.
 */
function jsonnetBinary(): string | undefined {
  const candidates = [process.env['HANDBOOK_JSONNET'], 'jsonnet'].filter((name): name is string => Boolean(name));
  return candidates.find((name) => spawnSync(name, ['--version'], { encoding: 'utf8' }).status === 0);
}

/**
 * Minimal stand-ins for the libraries the snippets import, with the same shape as the real files (checked against
 * kube-prometheus 4d719f1 `main.libsonnet`, `components/k8s-control-plane.libsonnet`, `lib/mixin.libsonnet`,
 * kubernetes-mixin version-1.5.6 and the etcd mixin at v3.7.1, where the snippets also evaluate): a mixin is an
 * object with hidden `prometheusAlerts.groups`; the kube-prometheus component renders its hidden `mixin` late-bound
 * into `prometheusRule.spec.groups`; `addMixin` copies a mixin's groups into `prometheusRules.spec.groups`.
 */
const STUBS: Record<string, string> = {
  'github.com/etcd-io/etcd/contrib/mixin/mixin.libsonnet': `{
    _config+:: { etcd_selector: 'job=~".*etcd.*"' },
    prometheusAlerts+:: { groups+: [{ name: 'etcd', rules: [
      { alert: 'etcdNoLeader', expr: 'etcd_server_has_leader == 0', annotations: { summary: 'no leader' } },
      { alert: 'etcdDatabaseHighFragmentationRatio', expr: 'x', annotations: { runbook_url: 'https://etcd.io/docs/v3.5/op-guide/maintenance/#defragmentation' } },
    ] }] },
  }`,
  'github.com/kubernetes-monitoring/kubernetes-mixin/mixin.libsonnet': `{
    _config+:: { runbookURLPattern: 'https://upstream.example/%s' },
    prometheusAlerts+:: { groups+: [{ name: 'kubernetes-system-apiserver', rules: [
      { alert: 'KubeAPIDown', expr: 'absent(up{job="kube-apiserver"})', annotations: { runbook_url: 'https://upstream.example/kubeapidown' } },
      { alert: 'KubePodCrashLooping', expr: 'x', annotations: { runbook_url: 'https://upstream.example/kubepodcrashlooping' } },
    ] }, { name: 'recording', rules: [{ record: 'apiserver_request:burnrate1h', expr: 'y' }] }] },
  }`,
  'kube-prometheus/lib/mixin.libsonnet': `function(params) {
    local m = self,
    _config:: params,
    prometheusRules: { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', spec: { groups: m._config.mixin.prometheusAlerts.groups } },
  }`,
  'kube-prometheus/main.libsonnet': `{
    values:: { common: { namespace: 'default' } },
    kubernetesControlPlane: {
      local k8s = self,
      mixin:: (import 'github.com/kubernetes-monitoring/kubernetes-mixin/mixin.libsonnet'),
      prometheusRule: { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', spec: { groups: k8s.mixin.prometheusAlerts.groups } },
    },
  }`,
};

interface Rule {
  alert?: string;
  record?: string;
  annotations?: Record<string, string>;
}

function alertLinks(groups: { rules: Rule[] }[]): Record<string, string | undefined> {
  return Object.fromEntries(groups.flatMap((group) => group.rules.filter((rule) => rule.alert).map((rule) => [rule.alert, rule.annotations?.['runbook_url']])));
}

describe('runbook_url snippets', () => {
  const workDir = mkdtempSync(path.join(tmpdir(), 'handbook-jsonnet-'));
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));
  for (const [file, source] of Object.entries(STUBS)) {
    mkdirSync(path.dirname(path.join(workDir, 'vendor', file)), { recursive: true });
    writeFileSync(path.join(workDir, 'vendor', file), source);
  }

  function evaluate(snippet: string): Record<string, unknown> {
    const binary = jsonnetBinary();
    if (!binary) {
      throw new Error('No jsonnet interpreter: install Debian\'s "jsonnet" (bash scripts/system-packages.sh) or set HANDBOOK_JSONNET');
    }
    const file = path.join(workDir, 'snippet.jsonnet');
    writeFileSync(file, snippet);
    const result = spawnSync(binary, ['-J', path.join(workDir, 'vendor'), file], { encoding: 'utf8' });
    expect(result.stderr, 'jsonnet reported an error').toBe('');
    expect(result.status).toBe(0);
    return JSON.parse(result.stdout) as Record<string, unknown>;
  }

  it('kube-prometheus jsonnet evaluates; handbook alerts link here, others keep their link, the etcd mixin\'s own link is replaced', () => {
    const out = evaluate(kubePrometheusJsonnet(EXAMPLE_ROOT)) as Record<string, { spec: { groups: { rules: Rule[] }[] } }>;
    const kubernetes = alertLinks(out['kubernetes-prometheusRule']?.spec.groups ?? []);
    const etcd = alertLinks(out['external-mixins/etcd-mixin-prometheus-rules']?.spec.groups ?? []);
    expect(kubernetes).toEqual({
      KubeAPIDown: `${EXAMPLE_ROOT}alerts/kubeapidown/`,
      KubePodCrashLooping: 'https://upstream.example/kubepodcrashlooping',
    });
    expect(etcd).toEqual({
      etcdNoLeader: `${EXAMPLE_ROOT}alerts/etcdnoleader/`,
      etcdDatabaseHighFragmentationRatio: `${EXAMPLE_ROOT}alerts/etcddatabasehighfragmentationratio/`,
    });
    // Recording rules pass through untouched.
    expect(out['kubernetes-prometheusRule']?.spec.groups[1]?.rules).toEqual([{ record: 'apiserver_request:burnrate1h', expr: 'y' }]);
  });

  it('mixins jsonnet evaluates with the same links', () => {
    const out = evaluate(mixinsJsonnet(EXAMPLE_ROOT)) as Record<string, { groups: { rules: Rule[] }[] }>;
    expect(alertLinks(out['kubernetes-mixin-alerts.json']?.groups ?? [])['KubeAPIDown']).toBe(`${EXAMPLE_ROOT}alerts/kubeapidown/`);
    expect(alertLinks(out['kubernetes-mixin-alerts.json']?.groups ?? [])['KubePodCrashLooping']).toBe('https://upstream.example/kubepodcrashlooping');
    expect(alertLinks(out['etcd-mixin-alerts.json']?.groups ?? [])['etcdNoLeader']).toBe(`${EXAMPLE_ROOT}alerts/etcdnoleader/`);
  });

  it('both jsonnet snippets map exactly the rule set, each alert to its page', () => {
    for (const snippet of [kubePrometheusJsonnet(EXAMPLE_ROOT), mixinsJsonnet(EXAMPLE_ROOT)]) {
      const map = evaluate(`${snippet.split('\n// Sets runbook_url')[0]}\nhandbookPages`) as Record<string, string>;
      expect(Object.keys(map).sort()).toEqual(HANDBOOK_ALERTS);
      for (const [alert, url] of Object.entries(map)) expect(url).toBe(alertPageUrl(EXAMPLE_ROOT, alert));
    }
  });

  it('the Helm values parse as YAML and set runbook_url for exactly the rule set', () => {
    const values = parseYaml(helmValuesYaml(EXAMPLE_ROOT)) as { defaultRules: { additionalRuleAnnotations: Record<string, { runbook_url: string }> } };
    const annotations = values.defaultRules.additionalRuleAnnotations;
    expect(Object.keys(annotations).sort()).toEqual(HANDBOOK_ALERTS);
    for (const [alert, { runbook_url: url }] of Object.entries(annotations)) expect(url).toBe(alertPageUrl(EXAMPLE_ROOT, alert));
  });
});

describe('wiring as built', () => {
  const indexFile = path.join(DIST, 'alerts/index.html');
  const jsonFile = path.join(DIST, 'alerts.json');

  /** The file a page address of this site is served from, or undefined for another host. */
  function builtFile(url: string): string | undefined {
    if (!url.startsWith(BUILT_ROOT)) return undefined;
    return path.join(DIST, url.slice(BUILT_ROOT.length), 'index.html');
  }

  /** The code of each copy button on the page (Expressive Code keeps it in data-code, lines joined by U+007F). */
  function copyableCode(html: string): string[] {
    return [...html.matchAll(/data-code="([^"]*)"/g)].map((m) =>
      (m[1] ?? '').replace(/\u007f/g, '\n').replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16))).replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'),
    );
  }

  it('the alert index shows the three snippets for the address the site was built for', () => {
    if (!existsSync(indexFile)) throw new Error(`${indexFile} is missing: build the site first (npm run build)`);
    const code = copyableCode(readFileSync(indexFile, 'utf8')).map((block) => block.trim());
    expect(code).toContain(kubePrometheusJsonnet(BUILT_ROOT).trim());
    expect(code).toContain(mixinsJsonnet(BUILT_ROOT).trim());
    expect(code).toContain(helmValuesYaml(BUILT_ROOT).trim());
  });

  it('every address in the snippets is a page of the built site', () => {
    const urls = [...helmValuesYaml(BUILT_ROOT).matchAll(/runbook_url: (\S+)/g)].map((m) => m[1] ?? '');
    expect(urls).toHaveLength(HANDBOOK_ALERTS.length);
    for (const url of urls) {
      const file = builtFile(url);
      expect(file, `${url} is under ${BUILT_ROOT}`).toBeDefined();
      expect(existsSync(file ?? ''), `${url} exists in the built site`).toBe(true);
    }
  });

  it('alerts.json lists every alert of the rule set with its page, severity and runbooks, all built', () => {
    if (!existsSync(jsonFile)) throw new Error(`${jsonFile} is missing: build the site first (npm run build)`);
    const json = JSON.parse(readFileSync(jsonFile, 'utf8')) as {
      site: string;
      alerts: { alert: string; severity: string; url: string; runbooks: string[] }[];
    };
    expect(json.site).toBe(BUILT_ROOT);
    expect(json.alerts.map((entry) => entry.alert)).toEqual(RULE_SET.alerts.map((alert) => alert.alert));
    for (const entry of json.alerts) {
      const alert = RULE_SET.alerts.find((candidate) => candidate.alert === entry.alert);
      expect(entry.severity).toBe(alert ? highestSeverity(alert) : undefined);
      expect(entry.url).toBe(alertPageUrl(BUILT_ROOT, entry.alert));
      for (const url of [entry.url, ...entry.runbooks]) expect(existsSync(builtFile(url) ?? ''), `${url} exists in the built site`).toBe(true);
    }
    expect(json.alerts.some((entry) => entry.runbooks.length > 0)).toBe(true);
  });
});
