/**
 * The leader-election tuning runbook (leader-election-tuning.mdx) run end to end on the kubeadm lab: the page's
 * blocks read the Leases, back up the manifests, check the rules, set the three flags on cp-1, cp-2 and cp-3 in turn
 * (the kubelet stand-in restarts the static pods), see the Leases carry the new duration, record the flags in
 * kubeadm-config (v1beta4) and check that kubeadm would keep them, then roll everything back. A second test gives
 * client-go values it refuses and checks the components refuse them the way the page says; a third runs a copy of
 * the page whose flag-setting sed does not match, which must fail. Runs first in kubeadm.test.ts and leaves the
 * original flags, manifests and kubeadm-config behind, even when a test fails.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { labVersion } from '../../../lab/bin-path.mjs';
import { KUBEADM_ETCD_MINOR, KUBERNETES_MINOR, type KubeLab } from '../../lab/kube.ts';
import { BlockFailure, PageRunner, scenarioBlocks, type BlockRun, type PageBlock } from '../../lab/kube-runbook.ts';
import { REPO_ROOT } from '../../lab/versions.ts';
import { extractCodeBlocks } from '../lib/extract-blocks.ts';
import { recordRun } from '../lib/claims.ts';
import { type KubeSuiteContext, recordKubePage, seconds, sleep } from './shared.ts';

/** The page and the scenario its `verify="leader-election:…"` blocks belong to. */
export const LEADER = { runbook: 'src/content/runbooks/leader-election-tuning.mdx', scenario: 'leader-election' } as const;
const LEADER_PAGE = path.join(REPO_ROOT, LEADER.runbook);
const COMPONENTS = ['kube-controller-manager', 'kube-scheduler'] as const;
type Component = (typeof COMPONENTS)[number];
const NODES = [1, 2, 3] as const;
/** Steps 1 to 4, which the page says to repeat on every control-plane node, one node at a time (its step 5). */
const PER_NODE_STEPS = ['Who leads now', 'Back up the manifests', 'Check the rules', 'Set the flags', 'Check the restart'];
/** kubeadm's and client-go's defaults (component-base config/v1alpha1/defaults.go): what the cluster starts with. */
const DEFAULT_LEASE_DURATION_SECONDS = 15;

interface LeaseState {
  holder: string;
  leaseDurationSeconds: number;
  renewTime: string;
  transitions: number;
}

function block(blocks: PageBlock[], title: string): PageBlock {
  const found = blocks.find((candidate) => candidate.title === title);
  if (found === undefined) throw new Error(`${LEADER.runbook}: no verify="${LEADER.scenario}:run" block titled "${title}"`);
  return found;
}

async function leases(kubeLab: KubeLab): Promise<Record<Component, LeaseState>> {
  const result = await kubeLab.kubectl(1, '-n kube-system get lease kube-controller-manager kube-scheduler -o json');
  if (result.code !== 0) throw new Error(`reading the Leases: ${result.stderr}`);
  const items = (JSON.parse(result.stdout) as { items: { metadata: { name: string }; spec: { holderIdentity?: string; leaseDurationSeconds?: number; renewTime?: string; leaseTransitions?: number } }[] }).items;
  const state = {} as Record<Component, LeaseState>;
  for (const item of items) {
    state[item.metadata.name as Component] = { holder: item.spec.holderIdentity ?? '', leaseDurationSeconds: item.spec.leaseDurationSeconds ?? 0, renewTime: item.spec.renewTime ?? '', transitions: item.spec.leaseTransitions ?? 0 };
  }
  return state;
}

const describeLeases = (state: Record<Component, LeaseState>) =>
  COMPONENTS.map((name) => `${name} holder ${state[name].holder} leaseDurationSeconds ${state[name].leaseDurationSeconds} renewed ${state[name].renewTime} transitions ${state[name].transitions}`).join('; ');

/**
 * Waits until both Leases carry `leaseDurationSeconds` and were renewed within the last 10 s (the lab's nodes share
 * the host's clock): a leader with those settings holds each.
 */
async function waitLeases(kubeLab: KubeLab, leaseDurationSeconds: number, timeoutMs: number): Promise<Record<Component, LeaseState>> {
  const deadline = Date.now() + timeoutMs;
  let last: Record<Component, LeaseState> | undefined;
  while (Date.now() < deadline) {
    last = await leases(kubeLab).catch(() => undefined);
    if (last !== undefined && COMPONENTS.every((name) => last?.[name].leaseDurationSeconds === leaseDurationSeconds && Date.now() - Date.parse(last[name].renewTime) < 10_000)) return last;
    await sleep(2000);
  }
  throw new Error(`Leases not renewed with leaseDurationSeconds ${leaseDurationSeconds} within ${timeoutMs} ms: ${last === undefined ? 'unreadable' : describeLeases(last)}`);
}

interface StandinContainer {
  name: string;
  state: 'running' | 'exited';
  pid: number;
  startedAt: string;
  exitCode?: number | null;
  logPath: string;
}

/** The stand-in's containers of one component on a node, newest first (its state file, read from the host). */
function containers(kubeLab: KubeLab, node: number, component: Component): StandinContainer[] {
  const state = JSON.parse(readFileSync(kubeLab.lab.hostPath(node, '/var/lib/kubelet/standin/state.json'), 'utf8')) as { containers: StandinContainer[] };
  return state.containers.filter((container) => container.name === component).sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt));
}

/** The command line of the component's running process on a node, read from /proc (not from the page or the API). */
function runningArgs(kubeLab: KubeLab, node: number, component: Component): string[] {
  const running = containers(kubeLab, node, component).find((container) => container.state === 'running');
  if (running === undefined) throw new Error(`cp-${node}: no running ${component} container`);
  return readFileSync(`/proc/${running.pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
}

const leaderFlags = (args: string[]) => args.filter((arg) => arg.startsWith('--leader-elect')).sort();

const manifestPath = (kubeLab: KubeLab, node: number, component: Component) => kubeLab.lab.hostPath(node, `/etc/kubernetes/manifests/${component}.yaml`);

async function clusterConfiguration(kubeLab: KubeLab): Promise<string> {
  const result = await kubeLab.kubectl(1, `-n kube-system get configmap kubeadm-config -o jsonpath='{.data.ClusterConfiguration}'`);
  if (result.code !== 0) throw new Error(`reading kubeadm-config: ${result.stderr}`);
  return result.stdout;
}

async function putClusterConfiguration(kubeLab: KubeLab, text: string): Promise<void> {
  const patch = JSON.stringify({ data: { ClusterConfiguration: text } });
  const result = await kubeLab.lab.run(1, 'kubectl --kubeconfig=/etc/kubernetes/admin.conf -n kube-system patch configmap kubeadm-config --type merge -p "$(cat)"', { input: patch, timeoutMs: 60_000 });
  if (result.code !== 0) throw new Error(`patching kubeadm-config: ${result.stderr}`);
}

/**
 * What the person does by hand in step 7 (`kubectl edit configmap kubeadm-config`): put the page's v1beta4
 * `extraArgs` into the stored ClusterConfiguration, keeping any entries already there under other names.
 */
function withPageExtraArgs(stored: string, pageYaml: string): string {
  const config = parseYaml(stored) as Record<string, unknown>;
  const page = parseYaml(pageYaml) as Record<string, { extraArgs: { name: string; value: string }[] }>;
  for (const key of ['controllerManager', 'scheduler']) {
    const wanted = page[key]?.extraArgs;
    if (!Array.isArray(wanted) || wanted.length !== 3) throw new Error(`the page's v1beta4 block has no three ${key}.extraArgs`);
    const section = (config[key] ?? {}) as { extraArgs?: { name: string; value: string }[] };
    const kept = (section.extraArgs ?? []).filter((arg) => !wanted.some((entry) => entry.name === arg.name));
    config[key] = { ...section, extraArgs: [...kept, ...wanted] };
  }
  return stringifyYaml(config);
}

interface Originals {
  manifests: Map<string, string>;
  clusterConfiguration: string;
}

async function readOriginals(kubeLab: KubeLab): Promise<Originals> {
  const manifests = new Map<string, string>();
  for (const node of NODES) for (const component of COMPONENTS) manifests.set(manifestPath(kubeLab, node, component), readFileSync(manifestPath(kubeLab, node, component), 'utf8'));
  return { manifests, clusterConfiguration: await clusterConfiguration(kubeLab) };
}

/**
 * The safety net after a failed run: every manifest and kubeadm-config back as they were before the suite (files
 * already equal are not touched, so nothing restarts needlessly), then both Leases held and renewed with the
 * default duration, so the next suite starts on a healthy control plane. Returns what it had to put back.
 */
async function restoreOriginals(kubeLab: KubeLab, originals: Originals): Promise<string[]> {
  const restored: string[] = [];
  for (const [file, text] of originals.manifests) {
    if (readFileSync(file, 'utf8') !== text) {
      writeFileSync(file, text);
      restored.push(file);
    }
  }
  if ((await clusterConfiguration(kubeLab)) !== originals.clusterConfiguration) {
    await putClusterConfiguration(kubeLab, originals.clusterConfiguration);
    restored.push('kubeadm-config');
  }
  await waitLeases(kubeLab, DEFAULT_LEASE_DURATION_SECONDS, 180_000);
  return restored;
}

/** Fails unless the block fails; returns the block's whole output (the failure's message keeps only its tail). */
async function expectBlockFailure(runner: PageRunner, pageBlock: PageBlock): Promise<string> {
  const outcome = await runner.runBlock(pageBlock).then((run: BlockRun) => run, (error: unknown) => error);
  if (!(outcome instanceof BlockFailure)) {
    throw new Error(`block "${pageBlock.title}" on cp-${pageBlock.node} was expected to fail and did not${outcome instanceof Error ? `: ${outcome.message}` : `; its output:\n${(outcome as BlockRun).output}`}`);
  }
  return runner.runs.at(-1)?.output ?? '';
}

export function leaderElectionSuite({ lab, print }: KubeSuiteContext): void {
  let suiteStartedAt = 0;
  beforeAll(() => {
    suiteStartedAt = Date.now();
  });
  afterAll(() => {
    // The lead budgets CI with this figure; it excludes the shared bring-up.
    print(`leader-election suite: ${seconds(Date.now() - suiteStartedAt)}`);
  });

  test('leader-election-tuning.mdx end to end on cp-1..cp-3: new flags in every process, both Leases at the new duration, kubeadm-config keeps them, roll back restores every manifest', async ({ task }) => {
    const kubeLab = lab();
    const suiteStarted = Date.now();
    const source = readFileSync(LEADER_PAGE, 'utf8');
    const blocks = scenarioBlocks(source, LEADER.scenario);
    const configBlock = extractCodeBlocks(source).find((candidate) => candidate.meta['verify'] === `${LEADER.scenario}:config`);
    if (configBlock === undefined) throw new Error(`${LEADER.runbook}: no verify="${LEADER.scenario}:config" block (the v1beta4 extraArgs)`);
    const originals = await readOriginals(kubeLab);
    for (const node of NODES) {
      for (const component of COMPONENTS) {
        expect(leaderFlags(runningArgs(kubeLab, node, component)), `cp-${node} ${component} before the page`).toEqual(['--leader-elect=true']);
      }
    }
    const before = await waitLeases(kubeLab, DEFAULT_LEASE_DURATION_SECONDS, 60_000);
    print(`before: ${describeLeases(before)}`);
    const runner = new PageRunner(kubeLab, blocks);
    const ran = async (pageBlock: PageBlock, node: number): Promise<BlockRun> => {
      const run = await runner.runBlock({ ...pageBlock, node });
      print(`  ran "${pageBlock.title}" (line ${pageBlock.line}) on cp-${node} in ${seconds(run.ms)}`);
      return run;
    };
    let rolledBack = false;
    // Outcome lines for the runbook report printed at the end of the runbooks stage.
    const outcomes: string[] = [];
    try {
      // The setup block runs first in each node's terminal (the runner does it); its values are the page's example.
      const setup = blocks.find((candidate) => candidate.kind === 'setup') as PageBlock;
      const example = (name: string) => Number(new RegExp(`^export ${name}=(\\d+)$`, 'm').exec(setup.code)?.[1]);
      const leaseDurationSeconds = example('LEASE_DURATION_SECONDS');
      const renewDeadlineSeconds = example('RENEW_DEADLINE_SECONDS');
      const retryPeriodSeconds = example('RETRY_PERIOD_SECONDS');
      const newFlags = [`--leader-elect-lease-duration=${leaseDurationSeconds}s`, `--leader-elect-renew-deadline=${renewDeadlineSeconds}s`, `--leader-elect-retry-period=${retryPeriodSeconds}s`, '--leader-elect=true'].sort();
      print(`the page's values: lease ${leaseDurationSeconds} s, renew deadline ${renewDeadlineSeconds} s, retry period ${retryPeriodSeconds} s`);
      expect([leaseDurationSeconds, renewDeadlineSeconds, retryPeriodSeconds].every(Number.isInteger)).toBe(true);
      expect(leaseDurationSeconds).not.toBe(DEFAULT_LEASE_DURATION_SECONDS);

      // Steps 1 to 4 on each node in turn (step 5), each node checked from its processes before the next.
      const setStarted = Date.now();
      for (const node of NODES) {
        for (const title of PER_NODE_STEPS) {
          const run = await ran(block(blocks, title), node);
          if (title === 'Who leads now') expect(run.output).toMatch(/^kube-controller-manager\s+cp-\d_[0-9a-f-]+\s+\d+\s/m);
          if (title === 'Check the rules') expect(run.output).toContain(`ok: margin LD-RD-RP = ${leaseDurationSeconds - renewDeadlineSeconds - retryPeriodSeconds} s`);
          if (title === 'Set the flags') expect(run.output.match(/: 4 --leader-elect flags/g)).toHaveLength(2);
          if (title === 'Check the restart' && node === 1) print(`  its output on cp-1:\n${run.output.trimEnd().split('\n').map((line) => `    ${line}`).join('\n')}`);
          if (title === 'Check the restart') expect(run.output.match(/Attempting to acquire leader lease|Successfully acquired lease/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
        }
        expect(await runner.variable(node, 'NODE_NAME')).toBe(`cp-${node}`);
        for (const component of COMPONENTS) expect(leaderFlags(runningArgs(kubeLab, node, component)), `cp-${node} ${component} after the page`).toEqual(newFlags);
        print(`cp-${node}: both processes run with ${newFlags.join(' ')}`);
      }
      print(`flags set on three nodes in ${seconds(Date.now() - setStarted)}`);

      // Step 6: the Leases now carry the new duration, and the test sees it too.
      const leaseRun = await ran(block(blocks, 'The new lease'), 1);
      expect(leaseRun.output).toMatch(new RegExp(`^kube-scheduler\\s+cp-\\d_\\S+\\s+${leaseDurationSeconds}\\s`, 'm'));
      const after = await waitLeases(kubeLab, leaseDurationSeconds, 30_000);
      print(`after: ${describeLeases(after)}`);
      outcomes.push(`flags set on cp-1, cp-2, cp-3 one after the other; Leases after: ${describeLeases(after)}`);

      // Step 7: before the ConfigMap edit, kubeadm would undo the flags; after it, it keeps them.
      const version = await ran(block(blocks, 'Which API version?'), 1);
      expect(version.output.trim()).toBe('apiVersion: kubeadm.k8s.io/v1beta4');
      const keep = block(blocks, 'Would kubeadm keep them?');
      const undo = await expectBlockFailure(runner, { ...keep, node: 1 });
      print(`  "${keep.title}" before the kubeadm-config edit fails as the page says: ${undo.split('\n').filter((line) => line.includes('STOP') || line.includes('leader-elect-')).join(' | ')}`);
      expect(undo).toContain(`-    - --leader-elect-lease-duration=${leaseDurationSeconds}s`);
      const edited = withPageExtraArgs(originals.clusterConfiguration, configBlock.code);
      await putClusterConfiguration(kubeLab, edited);
      print(`  kubeadm-config: the page's v1beta4 extraArgs put into ClusterConfiguration (the person's kubectl edit)`);
      const kept = await ran(keep, 1);
      expect(kept.output).toContain('ok: kubeadm writes the same --leader-elect flags');
      expect(kept.output).toContain(`value: ${leaseDurationSeconds}s`);

      // Roll back, node by node, then step 4's check again; then kubeadm-config without the entries.
      const rollbackStarted = Date.now();
      for (const node of NODES) {
        await ran(block(blocks, 'Restore the manifests'), node);
        await ran(block(blocks, 'Check the restart'), node);
        for (const component of COMPONENTS) expect(leaderFlags(runningArgs(kubeLab, node, component)), `cp-${node} ${component} after the roll back`).toEqual(['--leader-elect=true']);
      }
      await putClusterConfiguration(kubeLab, originals.clusterConfiguration);
      expect((await ran(keep, 1)).output).toContain('ok: kubeadm writes the same --leader-elect flags');
      rolledBack = true;
      for (const [file, text] of originals.manifests) expect(readFileSync(file, 'utf8'), file).toBe(text);
      expect(await clusterConfiguration(kubeLab)).toBe(originals.clusterConfiguration);
      const restoredLeases = await waitLeases(kubeLab, DEFAULT_LEASE_DURATION_SECONDS, 120_000);
      print(`rolled back in ${seconds(Date.now() - rollbackStarted)}: every manifest and kubeadm-config as before; ${describeLeases(restoredLeases)}`);
      outcomes.push(`rolled back: every manifest and kubeadm-config byte-identical to before; ${describeLeases(restoredLeases)}`);
      // The page claims what this test ran: the Kubernetes release and the etcd release kubeadm's lab runs with it.
      recordRun(task, { scenario: LEADER.scenario, kubernetes: labVersion('kubernetes', KUBERNETES_MINOR), etcd: labVersion('etcd', KUBEADM_ETCD_MINOR) });
    } finally {
      const restored = await restoreOriginals(kubeLab, originals);
      if (!rolledBack || restored.length > 0) print(`safety net restored: ${restored.join(', ') || 'nothing'}`);
      print(`leader-election end to end: ${seconds(Date.now() - suiteStarted)}`);
      recordKubePage({ runbook: LEADER.runbook, scenario: LEADER.scenario, ranLines: runner.runs.map((run) => run.line).filter((line) => line > 0), outcomes, durationMs: Date.now() - suiteStarted, failed: !rolledBack });
    }
  }, 900_000);

  test('values client-go refuses (renew deadline 10 s, retry period 9 s): step 2 rejects them, and applied anyway both components exit with client-go\'s message and step 4 says STOP', async () => {
    const kubeLab = lab();
    const started = Date.now();
    const blocks = scenarioBlocks(readFileSync(LEADER_PAGE, 'utf8'), LEADER.scenario);
    const originals = await readOriginals(kubeLab);
    const runner = new PageRunner(kubeLab, blocks);
    const node = 3;
    try {
      // 10 > 1.2 × 9 is false: client-go's second rule; the first (15 > 10) holds, so only this rule decides.
      await runner.runBlock({ title: 'the values typed in', line: 0, node, kind: 'run', code: 'export LEASE_DURATION_SECONDS=15 RENEW_DEADLINE_SECONDS=10 RETRY_PERIOD_SECONDS=9' });
      const rules = await expectBlockFailure(runner, { ...block(blocks, 'Check the rules'), node });
      expect(rules).toContain('REJECT: renew deadline must be greater than 1.2 x retry period');
      print(`step 2 with 15/10/9 s: ${rules.split('\n').find((line) => line.startsWith('REJECT')) ?? ''}`);
      await runner.runBlock({ ...block(blocks, 'Back up the manifests'), node });
      await runner.runBlock({ ...block(blocks, 'Set the flags'), node });
      const applied = Date.now();
      const check = await expectBlockFailure(runner, { ...block(blocks, 'Check the restart'), node });
      print(`step 4 on cp-${node} after ${seconds(Date.now() - applied)}:\n${check.split('\n').filter((line) => /panic|leader elector|STOP/.test(line)).map((line) => `    ${line}`).join('\n')}`);
      // client-go's own message (tools/leaderelection/leaderelection.go, NewLeaderElector), as each binary reports it.
      expect(check).toContain('panic: renewDeadline must be greater than retryPeriod*JitterFactor');
      expect(check).toContain("couldn't create leader elector: renewDeadline must be greater than retryPeriod*JitterFactor");
      expect(check).toContain('STOP: kube-controller-manager kube-scheduler did not start leader election with these flags');
      for (const component of COMPONENTS) {
        const latest = containers(kubeLab, node, component)[0];
        const log = latest === undefined ? '' : readFileSync(kubeLab.lab.hostPath(node, latest.logPath), 'utf8');
        print(`cp-${node} ${component}: newest container ${latest?.state ?? 'none'}, exit code ${String(latest?.exitCode)}`);
        expect(latest?.state).toBe('exited');
        expect(latest?.exitCode).not.toBe(0);
        expect(log).toContain('renewDeadline must be greater than retryPeriod*JitterFactor');
      }
      // The page's way back: restore the manifests, then step 4 again.
      await runner.runBlock({ ...block(blocks, 'Restore the manifests'), node });
      const recovered = await runner.runBlock({ ...block(blocks, 'Check the restart'), node });
      expect(recovered.output).not.toContain('panic');
      for (const component of COMPONENTS) expect(leaderFlags(runningArgs(kubeLab, node, component))).toEqual(['--leader-elect=true']);
      for (const [file, text] of originals.manifests) expect(readFileSync(file, 'utf8'), file).toBe(text);
      print(`cp-${node} rolled back by the page; both components run with the original flags`);
    } finally {
      const restored = await restoreOriginals(kubeLab, originals);
      if (restored.length > 0) print(`safety net restored: ${restored.join(', ')}`);
      print(`refused values: ${seconds(Date.now() - started)}`);
    }
  }, 600_000);

  /**
   * Runs a broken copy of the page on cp-2 (the per-node steps, then the Lease check, then `afterwards` if given)
   * and puts every manifest back whatever happens: the error the run ended with (undefined when it passed, which a
   * test must reject) and the last block's output.
   */
  async function runBrokenCopy(kubeLab: KubeLab, broken: string, afterwards?: () => void): Promise<{ failure: unknown; output: string }> {
    const originals = await readOriginals(kubeLab);
    const blocks = scenarioBlocks(broken, LEADER.scenario);
    const runner = new PageRunner(kubeLab, blocks);
    let failure: unknown;
    try {
      for (const title of PER_NODE_STEPS) await runner.runBlock({ ...block(blocks, title), node: 2 });
      await runner.runBlock(block(blocks, 'The new lease'));
      afterwards?.();
    } catch (error) {
      failure = error;
    } finally {
      const restored = await restoreOriginals(kubeLab, originals);
      if (restored.length > 0) print(`safety net restored: ${restored.map((file) => `${file.split('/nodes/')[1]?.split('/')[0] ?? '?'}:${path.basename(file)}`).join(', ')}`);
    }
    for (const [file, text] of originals.manifests) expect(readFileSync(file, 'utf8'), file).toBe(text);
    return { failure, output: runner.runs.at(-1)?.output ?? '' };
  }

  /** One line for the log: which block stopped the broken copy, and with what. */
  function describeFailure(failure: unknown, output: string, pattern: RegExp): string {
    if (failure instanceof BlockFailure) return `block "${failure.block.title}" failed: ${output.split('\n').filter((line) => pattern.test(line)).join(' | ')}`;
    if (failure instanceof Error) return `check failed: ${failure.message.split('\n')[0]}`;
    return 'PASSED (wrong)';
  }

  test('a copy of the page whose sed does not set --leader-elect-lease-duration fails the run', async () => {
    const kubeLab = lab();
    const started = Date.now();
    const source = readFileSync(LEADER_PAGE, 'utf8');
    // The insertion sed anchors on "- --leader-elect=true$"; a misspelt anchor matches no line, so nothing is set.
    const anchor = '- --leader-elect=true\\$|&';
    expect(source.split(anchor)).toHaveLength(2);
    const { failure, output } = await runBrokenCopy(kubeLab, source.replace(anchor, '- --leader-elect=ture\\$|&'), () => {
      for (const component of COMPONENTS) expect(leaderFlags(runningArgs(kubeLab, 2, component)).some((flag) => flag.startsWith('--leader-elect-lease-duration='))).toBe(true);
    });
    print(`broken copy: ${describeFailure(failure, output, /^STOP/)} (${seconds(Date.now() - started)})`);
    expect(failure).toBeDefined();
  }, 600_000);

  test('a copy of the page that misspells --leader-elect-lease-duration in its sed fails the run', async () => {
    const kubeLab = lab();
    const started = Date.now();
    const source = readFileSync(LEADER_PAGE, 'utf8');
    // The three flags still count 4, so the anchor guard passes; the components refuse the unknown flag at start.
    const flag = '- --leader-elect-lease-duration=${LEASE_DURATION_SECONDS}s';
    expect(source.split(flag)).toHaveLength(2);
    const { failure, output } = await runBrokenCopy(kubeLab, source.replace(flag, '- --leader-elect-lease-duraton=${LEASE_DURATION_SECONDS}s'));
    print(`misspelt flag: ${describeFailure(failure, output, /^Error:|^STOP/)} (${seconds(Date.now() - started)})`);
    expect(failure).toBeInstanceOf(BlockFailure);
    expect((failure as BlockFailure).block.title).toBe('Check the restart');
    expect(output).toContain('Error: unknown flag: --leader-elect-lease-duraton');
  }, 600_000);
}
