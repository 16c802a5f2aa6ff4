import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { DIST } from '../e2e/helpers/site';
import { extractCodeBlocks } from '../runbooks/lib/extract-blocks';

const ALERTS_DIR = path.resolve(import.meta.dirname, '../../src/content/alerts');
/** The build `npm test` made before this stage (`dist/`), or an engineer's own: the browser suites' choice. */
const BUILT_SITE = DIST;
const BUILT_BASE = `/${(process.env['HANDBOOK_BASE'] ?? '/').replace(/^\/+|\/+$/g, '')}/`.replace('//', '/');

interface ExpectedAlert {
  name: string;
  /** The higher severity of the upstream rule(s) with this name. */
  severity: 'critical' | 'warning';
  /** The `for:` duration of the upstream rule(s). */
  forDuration: string;
  /** A metric or function the alert's expression must show. */
  exprMarker: string;
  ruleSource: string;
}

const ETCD_MIXIN = 'etcd-io/etcd contrib/mixin';
const K8S_MIXIN = 'kubernetes-monitoring/kubernetes-mixin';

/**
 * Expected values read from the upstream rules: etcd `contrib/mixin/alerts/alerts.libsonnet` and
 * kubernetes-mixin `alerts/kube_apiserver.libsonnet`, `lib/absent_alert.libsonnet`.
 */
const EXPECTED: ExpectedAlert[] = [
  { name: 'etcdNoLeader', severity: 'critical', forDuration: '1m', exprMarker: 'etcd_server_has_leader', ruleSource: ETCD_MIXIN },
  { name: 'etcdInsufficientMembers', severity: 'critical', forDuration: '3m', exprMarker: 'up{job=~".*etcd.*"} == bool 1', ruleSource: ETCD_MIXIN },
  { name: 'etcdMembersDown', severity: 'warning', forDuration: '20m', exprMarker: 'etcd_network_peer_sent_failures_total', ruleSource: ETCD_MIXIN },
  { name: 'etcdHighFsyncDurations', severity: 'critical', forDuration: '10m', exprMarker: 'etcd_disk_wal_fsync_duration_seconds_bucket', ruleSource: ETCD_MIXIN },
  { name: 'etcdHighNumberOfLeaderChanges', severity: 'warning', forDuration: '5m', exprMarker: 'etcd_server_leader_changes_seen_total', ruleSource: ETCD_MIXIN },
  { name: 'etcdDatabaseQuotaLowSpace', severity: 'critical', forDuration: '10m', exprMarker: 'etcd_server_quota_backend_bytes', ruleSource: ETCD_MIXIN },
  { name: 'etcdMemberCommunicationSlow', severity: 'warning', forDuration: '10m', exprMarker: 'etcd_network_peer_round_trip_time_seconds_bucket', ruleSource: ETCD_MIXIN },
  { name: 'KubeAPIDown', severity: 'critical', forDuration: '15m', exprMarker: 'absent(up{job="kube-apiserver"}', ruleSource: K8S_MIXIN },
  { name: 'KubeSchedulerDown', severity: 'critical', forDuration: '15m', exprMarker: 'absent(up{job="kube-scheduler"}', ruleSource: K8S_MIXIN },
  { name: 'KubeControllerManagerDown', severity: 'critical', forDuration: '15m', exprMarker: 'absent(up{job="kube-controller-manager"}', ruleSource: K8S_MIXIN },
  { name: 'KubeClientCertificateExpiration', severity: 'critical', forDuration: '5m', exprMarker: 'apiserver_client_certificate_expiration_seconds_bucket', ruleSource: K8S_MIXIN },
];

/** The runbook URLs fixed in the team brief; alert pages may link to no other runbook. */
const RUNBOOK_URLS = new Set([
  '/runbooks/rebuild-control-plane-node/',
  '/runbooks/etcd-backup-restore/',
  '/runbooks/leader-election-tuning/',
  '/runbooks/etcd-member-replacement/',
  '/runbooks/etcd-quorum-loss/',
  '/runbooks/etcd-nospace/',
  '/runbooks/apiserver-load-balancing/',
]);

const SECTIONS = ['Meaning', 'Impact', 'Diagnosis', 'Mitigation'];

interface AlertPage {
  frontmatter: Record<string, unknown>;
  /** The page body with every fenced code block removed, so `## ` inside code cannot pass for a heading. */
  prose: string;
  source: string;
}

function readPage(file: string): AlertPage {
  const source = readFileSync(path.join(ALERTS_DIR, file), 'utf8');
  const match = /^---\n([\s\S]*?)\n---\n/.exec(source);
  if (!match?.[1]) throw new Error(`${file} has no frontmatter`);
  const frontmatter = parseYaml(match[1]) as Record<string, unknown>;
  const body = source.slice(match[0].length);
  const prose = body.replace(/^([ \t]*)(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1\2[ \t]*$/gm, '');
  return { frontmatter, prose, source };
}

/** The source of the page plus the partials it imports (`./_name.mdx`), where shared commands live. */
function withPartials(page: AlertPage): string {
  const partials = [...page.source.matchAll(/from '\.\/(_[a-z0-9-]+\.mdx)'/g)].map((m) => m[1] ?? '');
  return [page.source, ...partials.map((file) => readFileSync(path.join(ALERTS_DIR, file), 'utf8'))].join('\n');
}

describe('alert pages', () => {
  const pageFiles = readdirSync(ALERTS_DIR).filter((file) => /^[^_].*\.mdx?$/.test(file) && file !== 'index.mdx');

  it('exist for exactly the alerts the handbook answers, one file per alert', () => {
    expect(pageFiles.sort()).toEqual(EXPECTED.map((alert) => `${alert.name.toLowerCase()}.mdx`).sort());
  });

  describe.each(EXPECTED)('$name', (expected) => {
    const file = `${expected.name.toLowerCase()}.mdx`;
    const page = readPage(file);

    it('names the alert exactly, with the upstream severity and rule source', () => {
      expect(page.frontmatter['alert']).toBe(expected.name);
      expect(page.frontmatter['title']).toBe(expected.name);
      expect(page.frontmatter['alertSeverity']).toBe(expected.severity);
      expect(page.frontmatter['ruleSource']).toBe(expected.ruleSource);
    });

    it('has Meaning, Impact, Diagnosis and Mitigation as h2, in that order', () => {
      const headings = [...page.prose.matchAll(/^## (.+)$/gm)].map((m) => (m[1] ?? '').trim());
      const found = headings.filter((heading) => SECTIONS.includes(heading));
      expect(found).toEqual(SECTIONS);
    });

    it("shows the rule's expression in a PromQL block, with its for: duration", () => {
      const promql = extractCodeBlocks(page.source).filter((block) => block.lang === 'promql');
      expect(promql.length).toBeGreaterThan(0);
      expect(promql[0]?.code).toContain(expected.exprMarker);
      expect(page.prose).toContain(`for: ${expected.forDuration}`);
    });

    it('links only to runbooks from the fixed list', () => {
      const runbookLinks = [...withPartials(page).matchAll(/\/runbooks\/[^\s)"'`#]*/g)].map((m) => m[0]);
      for (const link of runbookLinks) expect(RUNBOOK_URLS, `${file} links ${link}`).toContain(link);
    });

    it('gives at least one command to copy in Diagnosis', () => {
      const diagnosis = page.source.split(/^## Diagnosis$/m)[1]?.split(/^## Mitigation$/m)[0] ?? '';
      const commands = extractCodeBlocks(diagnosis).filter((block) => ['bash', 'promql'].includes(block.lang));
      expect(commands.length).toBeGreaterThan(0);
    });
  });
});

describe('etcd alert pages', () => {
  it('export the ETCDCTL_* variables with kubeadm certificate paths before any etcdctl command', () => {
    const setup = readFileSync(path.join(ALERTS_DIR, '_etcdctl-setup.mdx'), 'utf8');
    for (const line of [
      'export ETCDCTL_ENDPOINTS=https://127.0.0.1:2379',
      'export ETCDCTL_CACERT=/etc/kubernetes/pki/etcd/ca.crt',
      'export ETCDCTL_CERT=/etc/kubernetes/pki/etcd/server.crt',
      'export ETCDCTL_KEY=/etc/kubernetes/pki/etcd/server.key',
    ]) {
      expect(setup).toContain(line);
    }
    for (const expected of EXPECTED.filter((alert) => alert.name.startsWith('etcd'))) {
      const { source } = readPage(`${expected.name.toLowerCase()}.mdx`);
      const firstEtcdctl = source.search(/^\s*etcdctl /m);
      const setupAt = source.indexOf('<EtcdctlSetup />');
      expect(setupAt, `${expected.name} includes the etcdctl setup`).toBeGreaterThan(-1);
      expect(setupAt, `${expected.name}: setup comes before the first etcdctl command`).toBeLessThan(firstEtcdctl);
    }
  });
});

describe('alert index', () => {
  const index = readFileSync(path.join(ALERTS_DIR, 'index.mdx'), 'utf8');

  it('is built from the collection, not a hand-kept list', () => {
    expect(index).toContain('<AlertIndex />');
  });

  it('warns that $labels.alertname is empty in Prometheus rule templates', () => {
    expect(index).toContain('{{ $labels.alertname | toLower }}');
    expect(index).toMatch(/expands to an empty string/);
  });
});

describe('alert index as built', () => {
  it('lists every alert page once, with its severity, critical ones first, linked under the base path', () => {
    const file = path.join(BUILT_SITE, 'alerts/index.html');
    if (!existsSync(file)) throw new Error(`${file} is missing: build the site first (npm run build)`);
    const html = readFileSync(file, 'utf8');
    const list = /<ul class="alert-index[^"]*"[^>]*>([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? '';
    const rows = [...list.matchAll(/severity-(critical|warning|info)"[\s\S]*?href="([^"]+)"/g)].map((m) => ({
      severity: m[1],
      href: m[2],
    }));
    const expectedRows = EXPECTED.map((alert) => ({
      severity: alert.severity,
      href: `${BUILT_BASE}alerts/${alert.name.toLowerCase()}/`,
    }));
    expect([...rows].sort((a, b) => (a.href ?? '').localeCompare(b.href ?? ''))).toEqual(
      expectedRows.sort((a, b) => a.href.localeCompare(b.href)),
    );
    const firstWarning = rows.findIndex((row) => row.severity === 'warning');
    const lastCritical = rows.map((row) => row.severity).lastIndexOf('critical');
    expect(lastCritical).toBeLessThan(firstWarning);
  });

  it("redirects the quota alert's former name to its page, under the base path", () => {
    const file = path.join(BUILT_SITE, 'alerts/etcdbackendquotalowspace/index.html');
    if (!existsSync(file)) throw new Error(`${file} is missing: build the site first (npm run build)`);
    const html = readFileSync(file, 'utf8');
    expect(html).toContain(`http-equiv="refresh" content="0;url=${BUILT_BASE}alerts/etcddatabasequotalowspace/"`);
  });
});
