/**
 * The harness's own tests: it refuses pages whose verification claim is hollow, it catches misspelt etcdctl
 * commands, it fails a run at the broken block and names its MDX line, it keeps one shell session per node (the
 * page's own setup block on each), and every page claims exactly the etcd minors the scenario tests run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readLabVersions } from '../../lab/bin-path.mjs';
import { KUBEADM_ETCD_MINOR } from '../lab/kube';
import { readClaims } from './lib/claims';
import { labEtcdctlCommands, misspeltEtcdctlCommands } from './lib/etcdctl-commands';
import { matrix, scenarioLab, startLab, type Lab } from './lib/lab';
import { exportedNames, loadRunbook, RunbookError } from './lib/runbook';
import { REPO_ROOT, runScenario, ScenarioError, type ScenarioLab } from './lib/scenario';

const FIXTURES = path.join(import.meta.dirname, 'fixtures');
const RUNBOOK_DIR = path.join(REPO_ROOT, 'src/content/runbooks');

function page(frontmatter: string, body: string): string {
  return `---\ntitle: Inline fixture\ndescription: x\n${frontmatter}\n---\n\n${body}\n`;
}

const SETUP = '```bash verify="demo:setup"\nexport ETCDCTL_ENDPOINTS=https://10.0.0.11:2379\n```';

describe('runbook claims', () => {
  test('a page that claims verification but marks no block is refused', () => {
    const file = path.join(FIXTURES, 'claims-without-blocks.mdx');
    expect(() => loadRunbook(file)).toThrow(RunbookError);
    expect(() => loadRunbook(file)).toThrow(/claims verification for scenario "backup-restore" but no block carries verify="backup-restore:/);
  });

  test('the page rule applies: an unmarked shell block or an unknown attribute is refused by the harness too', () => {
    const claim = "verified: { etcd: ['3.6'], scenarios: [demo] }";
    const run = '```bash verify="demo:run"\netcdctl member list\n```';
    expect(() => loadRunbook('x.mdx', page(claim, `${SETUP}\n\n${run}\n\n\`\`\`bash\netcdctl endpoint status\n\`\`\``))).toThrow(/a bash block without verify=/);
    expect(() => loadRunbook('x.mdx', page(claim, `${SETUP}\n\n\`\`\`bash verify="demo:run" nodes="2"\netcdctl member list\n\`\`\``))).toThrow(/nodes/);
  });

  test('a scenario needs exactly one setup block, first, and at least one run block', () => {
    const claim = "verified: { etcd: ['3.6'], scenarios: [demo] }";
    expect(() => loadRunbook('x.mdx', page(claim, SETUP))).toThrow(/no verify="demo:run" block/);
    const run = '```bash verify="demo:run"\netcdctl member list\n```';
    expect(() => loadRunbook('x.mdx', page(claim, `${run}\n\n${SETUP}`))).toThrow(/must be its setup block/);
    expect(() => loadRunbook('x.mdx', page(claim, `${SETUP}\n\n${SETUP}\n\n${run}`))).toThrow(/exactly one verify="demo:setup" block, found 2/);
    expect(loadRunbook('x.mdx', page(claim, `${SETUP}\n\n${run}`)).blocks.map((block) => block.kind)).toEqual(['setup', 'run']);
  });

  test('blocks for a scenario the frontmatter does not claim are refused', () => {
    expect(() => loadRunbook('x.mdx', page('', SETUP))).toThrow(/scenario\(s\) demo that the frontmatter's verified.scenarios does not list/);
  });

  test('manual blocks need a known harness action; other kinds may not have one', () => {
    const claim = "verified: { etcd: ['3.6'], scenarios: [demo] }";
    const run = '```bash verify="demo:run"\netcdctl member list\n```';
    const badAction = '```bash verify="demo:manual" harness="reboot-node"\nsystemctl reboot\n```';
    expect(() => loadRunbook('x.mdx', page(claim, `${SETUP}\n\n${run}\n\n${badAction}`))).toThrow(/x.mdx:\d+: a manual block needs harness="<action>"/);
    const actionOnRun = '```bash verify="demo:run" harness="stop-member"\netcdctl member list\n```';
    expect(() => loadRunbook('x.mdx', page(claim, `${SETUP}\n\n${actionOnRun}`))).toThrow(/belongs on manual blocks only/);
    const yaml = '```yaml verify="demo:run"\nkind: Pod\n```';
    expect(() => loadRunbook('x.mdx', page(claim, `${SETUP}\n\n${yaml}`))).toThrow(/must be a bash block, not "yaml"/);
  });

  test('node= takes one node or a list; etcd= takes minors the frontmatter claims', () => {
    const claim = "verified: { etcd: ['3.5', '3.6'], scenarios: [demo] }";
    const block = (meta: string) => `\`\`\`bash verify="demo:run" ${meta}\netcdctl member list\n\`\`\``;
    const parsed = loadRunbook('x.mdx', page(claim, `${SETUP}\n\n${block('node="1,3" etcd="3.6"')}`)).blocks[1];
    expect(parsed?.nodes).toEqual([1, 3]);
    expect(parsed?.etcdMinors).toEqual(['3.6']);
    expect(() => loadRunbook('x.mdx', page(claim, `${SETUP}\n\n${block('node="4"')}`))).toThrow(/node="4" must be 1, 2 or 3/);
    expect(() => loadRunbook('x.mdx', page(claim, `${SETUP}\n\n${block('node="2,2"')}`))).toThrow(/node="2,2"/);
    expect(() => loadRunbook('x.mdx', page(claim, `${SETUP}\n\n${block('etcd="3.7"')}`))).toThrow(/etcd="3\.7" names 3\.7, which verified\.etcd does not claim/);
    expect(() => loadRunbook('x.mdx', page(claim, `${SETUP}\n\n${block('etcd="3.6.16"')}`))).toThrow(/must list etcd minors/);
  });

  test('exportedNames reads every NAME= after export, several per line', () => {
    expect(exportedNames('export A=1\n# export COMMENTED=1\nexport B="x y" C=$A\nD=4\n  export E=/a/b')).toEqual(['A', 'B', 'C', 'E']);
  });

  test('every runbook in src/content/runbooks keeps its verification claim, and a test runs each claimed scenario', () => {
    const testSources = readdirSync(import.meta.dirname, { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.ts'))
      .map((name) => readFileSync(path.join(import.meta.dirname, name), 'utf8'))
      .join('\n');
    // A test runs a scenario when it passes `scenario: '<name>'` to runScenario or reads its `'<name>:config'` block.
    const runByATest = (scenario: string) => new RegExp(`scenario:\\s*['"]${scenario}['"]|['"]${scenario}:config['"]`).test(testSources);
    const checked: string[] = [];
    for (const name of readdirSync(RUNBOOK_DIR).filter((file) => file.endsWith('.mdx') && !file.startsWith('_'))) {
      const runbook = loadRunbook(path.join(RUNBOOK_DIR, name));
      for (const scenario of new Set(runbook.blocks.map((block) => block.scenario))) {
        expect(runByATest(scenario), `${name} marks blocks for scenario "${scenario}" but nothing under tests/runbooks runs it`).toBe(true);
        checked.push(`${name}: ${scenario}`);
      }
    }
    console.log(`verified scenarios found in runbooks, each run by a test: ${checked.join('; ') || 'none'}`);
  });

  test('every verified runbook claims exactly the etcd minors of lab/versions.json, which each scenario test runs (kubeadm-lab pages: the etcd kubeadm runs)', () => {
    const minors = JSON.parse(readFileSync(path.join(REPO_ROOT, 'lab/versions.json'), 'utf8')) as { etcd: Record<string, string>; kubernetes: Record<string, string> };
    const kubeadmPages = new Set(readClaims(RUNBOOK_DIR).filter((claim) => (claim.kubernetesMinors ?? []).length > 0).map((claim) => path.basename(claim.file)));
    for (const name of readdirSync(RUNBOOK_DIR).filter((file) => file.endsWith('.mdx') && !file.startsWith('_'))) {
      const runbook = loadRunbook(path.join(RUNBOOK_DIR, name));
      if (!runbook.claimsVerification || runbook.claimedEtcd.length === 0) continue;
      const expected = kubeadmPages.has(name) ? [KUBEADM_ETCD_MINOR] : Object.keys(minors.etcd).sort();
      expect([...runbook.claimedEtcd].sort(), `${name}: verified.etcd`).toEqual(expected);
    }
    for (const name of kubeadmPages) expect(readClaims(RUNBOOK_DIR).find((claim) => claim.file.endsWith(name))?.kubernetesMinors, `${name}: verified.kubernetes`).toEqual(Object.keys(minors.kubernetes).sort());
  });
});

describe.each(Object.entries(readLabVersions().etcd))('etcdctl command spelling, etcd %s (%s)', (minor, version) => {
  const commands = () => labEtcdctlCommands(minor);

  test('prefixes that etcdctl would silently expand are caught', () => {
    const problems = misspeltEtcdctlCommands('ETCDCTL_ENDPOINTS="$CP1_CLIENT_URL" etcdctl snapshot sav "$SNAPSHOT_FILE"\netcdctl compact 5', commands());
    expect(problems.map((problem) => problem.line)).toEqual([1, 2]);
    expect(problems[0]?.message).toBe(`"etcdctl snapshot sav" is not a command of etcdctl ${version}; etcdctl would silently run "snapshot save" (prefix matching), so spell it out`);
    expect(problems[1]?.message).toMatch(/would silently run "compaction"/);
  });

  test('a misspelt subcommand is caught', () => {
    expect(misspeltEtcdctlCommands('etcdctl snapshot svae s.db', commands())[0]?.message).toBe(`"etcdctl snapshot svae" is not a command of etcdctl ${version}`);
  });

  test('correct commands pass, with global flags before them and continuation lines', () => {
    const code = [
      'etcdctl --write-out=table snapshot save "$SNAPSHOT_FILE"',
      'etcdctl -w table endpoint status --cluster',
      'etcdctl member add "$CP1_NAME" \\',
      '  --peer-urls "$CP1_PEER_URL"',
      'REV=$(etcdctl endpoint status -w json | head -1)',
      'etcdctl get /a --prefix | wc -l',
    ].join('\n');
    expect(misspeltEtcdctlCommands(code, commands())).toEqual([]);
  });

  // etcdctl 3.6 dropped `snapshot status` (etcdutl has it); the backup page's 3.5 tab may use it, later tabs may not.
  test(`"etcdctl snapshot status" is ${minor === '3.5' ? 'accepted' : 'refused'}, as etcdctl ${version} itself has it or not`, () => {
    const problems = misspeltEtcdctlCommands('etcdctl -w table snapshot status "$SNAPSHOT_FILE"', commands());
    const expected = minor === '3.5' ? [] : [`"etcdctl snapshot status" is not a command of etcdctl ${version}`];
    expect(problems.map((problem) => problem.message)).toEqual(expected);
  });
});

describe('the harness on the lab', () => {
  const release = matrix()[0];
  let lab: Lab | undefined;
  let labView: ScenarioLab | undefined;
  beforeAll(async () => {
    if (!release) throw new Error('lab/versions.json lists no etcd release');
    lab = await startLab(release);
    labView = scenarioLab(lab);
  });
  afterAll(async () => {
    await lab?.close();
  });

  test("the page's own setup block runs on the node and must set every name it exports; every block must parse", async () => {
    const claim = `verified: { etcd: ['${release?.minor}'], scenarios: [demo] }`;
    const run = '```bash verify="demo:run"\netcdctl member list\n```';
    const withSetup = (code: string) => page(claim, `\`\`\`bash verify="demo:setup"\n${code}\n\`\`\`\n\n${run}`);
    const attempt = (source: string) => runScenario({ runbook: 'demo.mdx', scenario: 'demo', lab: labView!, source }).catch((caught: unknown) => caught);
    expect(String(await attempt(withSetup('export ETCDCTL_ENDPOINTS="https://10.0.0.11:2379')))).toMatch(/demo\.mdx:\d+ \(block .*\) is not valid bash: .*unexpected EOF/);
    expect(String(await attempt(withSetup('export DATA_DIR="$ETCD_ROOT/etcd"')))).toMatch(/\(demo\.mdx:\d+, cp-1\) failed[\s\S]*ETCD_ROOT: unbound variable/);
    expect(String(await attempt(withSetup('export ETCDCTL_ENDPOINTS=https://10.0.0.11:2379 DATA_DIR=')))).toMatch(/leaves DATA_DIR empty/);
  });

  test('a session per node: the setup block runs on each, variables stay on their node, files move only when copied, a failure names block and line', async () => {
    const seen: string[] = [];
    const error: unknown = await runScenario({
      runbook: path.join(FIXTURES, 'session.mdx'),
      scenario: 'harness-self-check',
      lab: labView!,
      afterBlock: async ({ block, node, readVariable }) => {
        if (block.title === 'Stop the second member') seen.push(`etcd on cp-${node} after the manifest move: ${lab?.runningPod(node, 'etcd') ? 'running' : 'stopped'}`);
        if (block.title === 'On the third node') {
          seen.push(`on cp-${node}: GREETING ${(await readVariable('GREETING')) || 'unset'}, DATA_DIR ${await readVariable('DATA_DIR')}, GREETING on cp-1 ${await readVariable('GREETING', 1)}`);
        }
      },
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ScenarioError);
    const message = (error as Error).message;
    const source = readFileSync(path.join(FIXTURES, 'session.mdx'), 'utf8').split('\n');
    const failingLine = source.findIndex((line) => line.includes('no-such-snapshot.db')) + 1;
    expect(message).toContain('"A command that fails on its third line"');
    expect(message).toContain(`session.mdx:${failingLine}: etcdutl snapshot status "$DATA_DIR/no-such-snapshot.db"`);
    expect(message).toContain('first line');
    expect(message).not.toContain('never printed');
    expect(seen).toEqual(['etcd on cp-2 after the manifest move: stopped', 'on cp-3: GREETING unset, DATA_DIR /var/lib/etcd, GREETING on cp-1 written by block 2']);
    // cp-3 has the file cp-1 copied to it, and not cp-1's own file: each node has its own /var/backups.
    expect(readFileSync(lab!.hostPath(3, '/var/backups/from-cp-1.txt'), 'utf8').trim()).toBe('written by block 2');
    expect(readdirSync(lab!.hostPath(3, '/var/backups'))).not.toContain('greeting.txt');
    const ranLines = (error as ScenarioError).ranLines;
    const lineOf = (title: string) => source.findIndex((line) => line.includes(`title="${title}"`)) + 1;
    expect(ranLines).toContain(lineOf('On the third node'));
    expect(ranLines.includes(lineOf('Only on 3.5'))).toBe(release?.minor === '3.5');
    console.log(`session checks: ${seen.join('; ')}; failure reported at session.mdx:${failingLine}`);
  });
});
