import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { DIST } from '../e2e/helpers/site';
import { extractCodeBlocks } from '../runbooks/lib/extract-blocks';
import { RULE_SET, highestSeverity, sourceLabel } from '../../src/lib/alerts/rule-set';

const ALERTS_DIR = path.resolve(import.meta.dirname, '../../src/content/alerts');
/** The build `npm test` made before this stage (`dist/`), or an engineer's own: the browser suites' choice. */
const BUILT_SITE = DIST;
const BUILT_BASE = `/${(process.env['HANDBOOK_BASE'] ?? '/').replace(/^\/+|\/+$/g, '')}/`.replace('//', '/');

/**
 * The expected alerts come from the rule set rendered from the upstream mixins (`src/data/control-plane-alerts.json`):
 * one page per alert name, with the rule's severity, source, every expression (thresholds included) and `for:`.
 */
const EXPECTED = RULE_SET.alerts;

/** Runbook pages that exist: alert pages may link to these and name them in `runbooks`. */
const RUNBOOKS_DIR = path.resolve(import.meta.dirname, '../../src/content/runbooks');
const RUNBOOK_NAMES = new Set(
  readdirSync(RUNBOOKS_DIR)
    .filter((file) => /^[^_].*\.mdx?$/.test(file))
    .map((file) => file.replace(/\.mdx?$/, '')),
);

/** Whitespace carries no meaning in PromQL; everything else (metric names, selectors, thresholds) must match. */
const promqlKey = (expr: string) => expr.replace(/\s+/g, '');

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

/** The sources of the partials (`import Name from './_file.mdx'`) whose `<Name />` appears in `section`. */
function partialsUsedIn(source: string, section: string): string[] {
  return [...source.matchAll(/^import (\w+) from '\.\/(_[a-z0-9-]+\.mdx)';$/gm)]
    .filter((m) => section.includes(`<${m[1] ?? ''} />`))
    .map((m) => readFileSync(path.join(ALERTS_DIR, m[2] ?? ''), 'utf8'));
}

describe('alert pages', () => {
  const pageFiles = readdirSync(ALERTS_DIR).filter((file) => /^[^_].*\.mdx?$/.test(file) && file !== 'index.mdx');

  it('exist for exactly the alerts in the rule set, one file per alert (a missing or renamed alert fails)', () => {
    expect(pageFiles.sort()).toEqual(EXPECTED.map((alert) => `${alert.alert.toLowerCase()}.mdx`).sort());
  });

  it('the rule set covers the control-plane groups of both mixins', () => {
    const groups = new Set(EXPECTED.map((alert) => alert.group));
    for (const group of ['etcd', 'kube-apiserver-slos', 'kubernetes-system-apiserver', 'kubernetes-system-controller-manager', 'kubernetes-system-scheduler']) {
      expect(groups).toContain(group);
    }
  });

  describe.each(EXPECTED)('$alert', (expected) => {
    const file = `${expected.alert.toLowerCase()}.mdx`;
    // A missing page must fail its own tests (and the list above), not stop the whole file from loading.
    const page = existsSync(path.join(ALERTS_DIR, file)) ? readPage(file) : { frontmatter: {}, prose: '', source: '' };

    it('names the alert exactly, with the upstream severity and rule source', () => {
      expect(page.frontmatter['alert']).toBe(expected.alert);
      expect(page.frontmatter['title']).toBe(expected.alert);
      expect(page.frontmatter['alertSeverity']).toBe(highestSeverity(expected));
      expect(page.frontmatter['ruleSource']).toBe(sourceLabel(expected));
    });

    it('names the runbooks that fix it, each an existing runbook page, and links each one', () => {
      const fix = page.frontmatter['fix'] as { runbooks?: { runbook: string }[] } | undefined;
      expect(Array.isArray(fix?.runbooks), `${file} has a fix.runbooks list`).toBe(true);
      for (const name of (fix?.runbooks ?? []).map((entry) => entry.runbook)) {
        expect(RUNBOOK_NAMES, `${file} names runbook ${name}`).toContain(name);
        expect(page.source).toContain(`/runbooks/${name}/`);
      }
    });

    it('puts the known false positives first, before Meaning', () => {
      const headings = [...page.prose.matchAll(/^## (.+)$/gm)].map((m) => (m[1] ?? '').trim());
      expect(headings[0]).toBe('Known false positives');
    });

    it('has Meaning, Impact, Diagnosis and Mitigation as h2, in that order', () => {
      const headings = [...page.prose.matchAll(/^## (.+)$/gm)].map((m) => (m[1] ?? '').trim());
      const found = headings.filter((heading) => SECTIONS.includes(heading));
      expect(found).toEqual(SECTIONS);
    });

    it("shows every rule's current expression (thresholds included) in a PromQL block, with its for: duration", () => {
      const promql = extractCodeBlocks(page.source)
        .filter((block) => block.lang === 'promql')
        .map((block) => promqlKey(block.code));
      for (const rule of expected.rules) {
        expect(promql, `${file} shows the ${rule.severity} rule of ${expected.alert} as upstream renders it:\n${rule.expr}`).toContain(promqlKey(rule.expr));
        expect(page.prose).toContain(`for: ${rule.for}`);
      }
    });

    it('links only to runbook pages that exist', () => {
      const runbookLinks = [...withPartials(page).matchAll(/\/runbooks\/([^\s)"'`#/]*)\/?/g)].map((m) => m[1] ?? '');
      for (const link of runbookLinks) expect(RUNBOOK_NAMES, `${file} links /runbooks/${link}/`).toContain(link);
    });

    it('gives at least one command to copy in Diagnosis', () => {
      const section = page.source.split(/^## Diagnosis$/m)[1]?.split(/^## Mitigation$/m)[0] ?? '';
      // A partial used in the section (`<AggregatedApi />`) is part of it: its commands count.
      const diagnosis = [section, ...partialsUsedIn(page.source, section)].join('\n');
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
    for (const expected of EXPECTED.filter((alert) => alert.alert.startsWith('etcd'))) {
      const { source } = readPage(`${expected.alert.toLowerCase()}.mdx`);
      const firstEtcdctl = source.search(/^\s*etcdctl /m);
      const setupAt = source.indexOf('<EtcdctlSetup />');
      expect(setupAt, `${expected.alert} includes the etcdctl setup`).toBeGreaterThan(-1);
      expect(setupAt, `${expected.alert}: setup comes before the first etcdctl command`).toBeLessThan(firstEtcdctl);
    }
  });
});

describe('etcd commands on alert pages', () => {
  const files = readdirSync(ALERTS_DIR).filter((file) => /\.mdx?$/.test(file));

  it('never set ETCDCTL_API (etcdctl 3.4 and later speak v3 only) and never use etcdctl for offline snapshot work', () => {
    for (const file of files) {
      const source = readFileSync(path.join(ALERTS_DIR, file), 'utf8');
      expect(source, file).not.toContain('ETCDCTL_API');
      // etcd 3.6 removed `etcdctl snapshot status|restore` and `etcdctl defrag --data-dir`; etcdutl does these.
      expect(source, file).not.toMatch(/etcdctl\s+snapshot\s+(status|restore)|etcdctl\s+defrag\s+--data-dir/);
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
      severity: highestSeverity(alert),
      href: `${BUILT_BASE}alerts/${alert.alert.toLowerCase()}/`,
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
