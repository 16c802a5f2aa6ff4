/**
 * Runs one scenario of a runbook against the sandbox: the page's setup block replaced by sandbox values, every
 * `:run` block verbatim in one bash session, every `:manual` block replaced by its harness action. The first
 * failure stops the scenario with an error naming the block, its MDX line and the failing command.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { misspeltEtcdctlCommands } from './etcdctl-commands';
import { waitUntilMemberStarted } from './actions-etcd-ops';
import { BashSession } from './session';
import { exportedNames, loadRunbook, type HarnessAction, type VerifiedBlock } from './runbook';
import type { EtcdSandbox } from './sandbox';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
const DEFAULT_BLOCK_TIMEOUT_MS = 60_000;
const OUTPUT_LINES_SHOWN = 12;

/**
 * Values the sandbox gives the variables a "Set up your shell" block may export. Names listed in
 * NODE_LOCAL_VARIABLES change with the block's `node="<n>"`; the rest are the same on every node.
 */
export function sandboxVariables(sandbox: EtcdSandbox, nodeIndex = 1): Record<string, string> {
  const node = sandbox.node(nodeIndex);
  const values: Record<string, string> = {
    ETCDCTL_API: '3',
    ETCDCTL_ENDPOINTS: sandbox.clientUrls.join(','),
    ETCDCTL_CACERT: sandbox.pki.caCert,
    ETCDCTL_CERT: sandbox.pki.healthcheckClientCert,
    ETCDCTL_KEY: sandbox.pki.healthcheckClientKey,
    PKI_DIR: sandbox.pki.dir,
    INITIAL_CLUSTER: sandbox.initialCluster,
    RESTORE_CLUSTER_TOKEN: 'etcd-cluster-restored',
    BACKUP_DIR: sandbox.backupDir,
    SNAPSHOT_FILE: path.join(sandbox.backupDir, 'etcd-snapshot-sandbox.db'),
    BACKUP_KEY_FILE: path.join(sandbox.root, 'etcd-backup.key'),
    // Off-node copies (scp) are not run in the sandbox; the value only has to exist.
    BACKUP_REMOTE: `${path.join(sandbox.root, 'offsite')}/`,
    NODE_NAME: node.name,
    DATA_DIR: node.dataDir,
    RESTORED_DATA_DIR: node.restoredDataDir,
    MANIFEST_DIR: node.manifestDir,
    MANIFEST_HOLD_DIR: path.join(node.root, 'etc/kubernetes/manifests-stopped'),
  };
  for (const each of sandbox.nodes) {
    values[`CP${each.index}_NAME`] = each.name;
    values[`CP${each.index}_CLIENT_URL`] = each.clientUrl;
    values[`CP${each.index}_PEER_URL`] = each.peerUrl;
  }
  return values;
}

export const NODE_LOCAL_VARIABLES = ['NODE_NAME', 'DATA_DIR', 'RESTORED_DATA_DIR', 'MANIFEST_DIR', 'MANIFEST_HOLD_DIR'] as const;

export interface ScenarioContext {
  sandbox: EtcdSandbox;
  block: VerifiedBlock;
  /** Reads a shell variable from the scenario's bash session. */
  readVariable: (name: string) => Promise<string>;
  log: (line: string) => void;
}

export interface ScenarioOptions {
  /** Path of the MDX file, absolute or relative to the repository root. */
  runbook: string;
  scenario: string;
  sandbox: EtcdSandbox;
  /** MDX text to use instead of the file's (a deliberately broken copy, a fixture). */
  source?: string;
  /** Values added to, or replacing, `sandboxVariables()` for this scenario. */
  variables?: Record<string, string>;
  /** Called after each block (and after each manual block's action) succeeded: the test's own moves. */
  afterBlock?: (context: ScenarioContext) => Promise<void> | void;
  blockTimeoutMs?: number;
}

export interface ScenarioReport {
  file: string;
  blocksRun: number;
  manualActions: HarnessAction[];
  durationMs: number;
  /** Every variable the setup block exported, with its value at the end of the scenario. */
  variables: Record<string, string>;
  /** Output of each `run` block, by block title, for tests that check what the page's own checks printed. */
  outputs: Record<string, string>;
}

export class ScenarioError extends Error {
  override name = 'ScenarioError';
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

function indent(text: string): string {
  const lines = text.trimEnd().split('\n').filter((line) => line.trim() !== '');
  const shown = lines.slice(0, OUTPUT_LINES_SHOWN).map((line) => `      ${line}`);
  if (lines.length > OUTPUT_LINES_SHOWN) shown.push(`      … ${lines.length - OUTPUT_LINES_SHOWN} more lines`);
  return shown.join('\n');
}

async function performAction(action: HarnessAction, block: VerifiedBlock, sandbox: EtcdSandbox, session: BashSession): Promise<string> {
  const node = sandbox.node(block.node);
  switch (action) {
    case 'stop-member':
      await sandbox.stopMember(node.index);
      return `stopped ${node.name} (SIGTERM)`;
    case 'kill-member':
      await sandbox.killMember(node.index);
      return `killed ${node.name} (SIGKILL)`;
    case 'start-member': {
      // What `etcdctl member add` prints and a page exports for the new member; absent for a plain restart.
      const initialCluster = await session.readVariable('ETCD_INITIAL_CLUSTER');
      const state = await session.readVariable('ETCD_INITIAL_CLUSTER_STATE');
      const name = await session.readVariable('ETCD_NAME');
      sandbox.startMember(node.index, {
        dataDir: node.dataDir,
        ...(initialCluster ? { initialCluster } : {}),
        ...(state === 'existing' || state === 'new' ? { initialClusterState: state } : {}),
        ...(name ? { name } : {}),
      });
      const proof = await waitUntilMemberStarted(sandbox, node.index);
      return `started ${node.name} on ${path.relative(sandbox.root, node.dataDir)}${initialCluster ? ` with --initial-cluster=${initialCluster} --initial-cluster-state=${state || 'new'}` : ''}; ${proof === 'healthy' ? 'it answers endpoint health' : 'the cluster lists it as a started learner'}`;
    }
    case 'stop-all-members':
      await sandbox.stopAll();
      return `stopped ${sandbox.nodes.map((each) => each.name).join(', ')} (SIGTERM)`;
    case 'start-all-members':
      for (const each of sandbox.nodes) if (!sandbox.isRunning(each.index)) sandbox.startMember(each.index);
      await sandbox.waitHealthy();
      return 'started every stopped member on its current data directory; all answer endpoint health';
    case 'start-restored-members': {
      for (const each of sandbox.nodes) {
        if (sandbox.isRunning(each.index)) throw new ScenarioError(`${each.name} is still running; the page must stop every member before it starts restored ones`);
        sandbox.startMember(each.index, { dataDir: each.restoredDataDir });
      }
      await sandbox.waitHealthy();
      return `started ${sandbox.nodes.map((each) => each.name).join(', ')} on their RESTORED_DATA_DIR; all answer endpoint health`;
    }
  }
}

/**
 * The harness runs sandbox values in place of the page's setup block, so the page's own block is checked apart:
 * alone, in an empty environment, it must run under `set -euo pipefail` and give every name it exports a
 * non-empty value. A broken quote or a `$NAME` used before it is set would otherwise reach readers unnoticed.
 */
function checkPageSetup(file: string, setup: VerifiedBlock, names: string[]): void {
  const report = names.map((name) => `printf '%s=%s\\n' ${name} "\${${name}:-}"`).join('\n');
  const result = spawnSync('bash', ['--noprofile', '--norc', '-c', `set -euo pipefail\n${setup.code}\n${report}`], {
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
    timeout: 10_000,
  });
  if (result.status !== 0) {
    throw new ScenarioError(`${file}:${setup.line}: the page's own setup block fails on its own: ${result.stderr.trim() || `exit ${result.status}`}`);
  }
  const empty = names.filter((name) => !new RegExp(`^${name}=.+$`, 'm').test(result.stdout));
  if (empty.length > 0) throw new ScenarioError(`${file}:${setup.line}: the page's own setup block leaves ${empty.join(', ')} empty`);
}

/** Every shell block of a scenario must parse (`bash -n`), the manual ones too: readers paste them. */
function checkSyntax(file: string, blocks: VerifiedBlock[]): void {
  for (const block of blocks) {
    const result = spawnSync('bash', ['-n'], { input: block.code, encoding: 'utf8' });
    if (result.status !== 0) throw new ScenarioError(`${file}:${block.line} (block "${block.title}") is not valid bash: ${result.stderr.trim()}`);
  }
}

/** Runs the scenario; resolves with a report, or rejects with a ScenarioError that names the failing block. */
export async function runScenario(options: ScenarioOptions): Promise<ScenarioReport> {
  const started = Date.now();
  const file = path.resolve(REPO_ROOT, options.runbook);
  const source = options.source ?? readFileSync(file, 'utf8');
  const runbook = loadRunbook(path.relative(REPO_ROOT, file), source);
  const blocks = runbook.blocks.filter((block) => block.scenario === options.scenario);
  if (blocks.length === 0) throw new ScenarioError(`${runbook.file} has no block marked verify="${options.scenario}:..."`);
  const setup = blocks[0];
  if (!setup || setup.kind !== 'setup') throw new ScenarioError(`${runbook.file}: scenario "${options.scenario}" must start with its setup block`);

  // Checked before anything runs: etcdctl would accept a misspelt prefix (see etcdctl-commands.ts).
  const misspelt = blocks
    .filter((block) => block.kind === 'run')
    .flatMap((block) => misspeltEtcdctlCommands(block.code).map((problem) => `${runbook.file}:${block.line + problem.line} (block "${block.title}"): ${problem.message}`));
  if (misspelt.length > 0) throw new ScenarioError(`Blocks name etcdctl commands that do not exist:\n${misspelt.join('\n')}`);

  const { sandbox } = options;
  const valuesFor = (nodeIndex: number) => ({ ...sandboxVariables(sandbox, nodeIndex), ...options.variables });
  const names = exportedNames(setup.code);
  if (names.length === 0) throw new ScenarioError(`${runbook.file}:${setup.line}: the setup block exports no variables`);
  const missing = names.filter((name) => valuesFor(1)[name] === undefined);
  if (missing.length > 0) {
    throw new ScenarioError(
      `${runbook.file}:${setup.line}: the setup block exports ${missing.join(', ')}, which the sandbox does not provide; ` +
        'add them to sandboxVariables() or the scenario test\'s variables',
    );
  }
  checkSyntax(runbook.file, blocks);
  checkPageSetup(runbook.file, setup, names);
  const exportsFor = (nodeIndex: number, only?: readonly string[]) =>
    names
      .filter((name) => only === undefined || only.includes(name))
      .map((name) => `export ${name}=${shellQuote(valuesFor(nodeIndex)[name] ?? '')}`)
      .join('\n');

  const log = (line: string) => console.log(line);
  const workDir = mkdtempSync(path.join(sandbox.root, `session-${options.scenario}-`));
  const session = new BashSession(workDir, { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: workDir, LANG: 'C.UTF-8', TZ: 'UTC' });
  const manualActions: HarnessAction[] = [];
  const outputs: Record<string, string> = {};
  let currentNode = 1;
  log(`scenario ${options.scenario} from ${runbook.file} (${blocks.length} blocks)`);
  try {
    for (const [position, block] of blocks.entries()) {
      const label = `#${position + 1} ${block.kind} "${block.title}" (${runbook.file}:${block.line}, ${sandbox.node(block.node).name})`;
      if (block.kind === 'manual') {
        const action = block.action;
        if (!action) throw new ScenarioError(`${label}: no harness action`);
        let done: string;
        try {
          done = await performAction(action, block, sandbox, session);
        } catch (error) {
          throw new ScenarioError(`${label}: harness action ${action} failed: ${error instanceof Error ? error.message : String(error)}`);
        }
        manualActions.push(action);
        log(`  ⚙ ${label}: not run; harness ${action}: ${done}`);
      } else {
        if (block.node !== currentNode && block.kind === 'run') {
          const switched = await session.run(exportsFor(block.node, NODE_LOCAL_VARIABLES), 5_000);
          if (!switched.ok) throw new ScenarioError(`${label}: could not switch the session to node ${block.node}`);
          currentNode = block.node;
        }
        const code = block.kind === 'setup' ? exportsFor(block.node) : block.code;
        const outcome = await session.run(code, options.blockTimeoutMs ?? DEFAULT_BLOCK_TIMEOUT_MS);
        if (!outcome.ok) {
          const where = outcome.failedLine !== undefined ? `${runbook.file}:${block.line + outcome.failedLine}` : `${runbook.file}:${block.line}`;
          const reason = outcome.timedOut
            ? `did not finish within ${(options.blockTimeoutMs ?? DEFAULT_BLOCK_TIMEOUT_MS) / 1000} s`
            : `failed with exit code ${outcome.exitCode ?? 'unknown'}${outcome.failedCommand ? ` at ${where}: ${outcome.failedCommand}` : ''}`;
          throw new ScenarioError(`Block ${label} ${reason}\n--- output ---\n${outcome.output.trimEnd() || '(none)'}`);
        }
        const note = block.kind === 'setup' ? `replaced by sandbox values for ${names.join(', ')}` : `ok in ${(outcome.durationMs / 1000).toFixed(1)} s`;
        log(`  ✓ ${label}: ${note}`);
        if (block.kind === 'run') outputs[block.title] = outcome.output;
        if (block.kind === 'run' && outcome.output.trim() !== '') log(indent(outcome.output));
      }
      await options.afterBlock?.({ sandbox, block, readVariable: (name) => session.readVariable(name), log });
    }
    const variables: Record<string, string> = {};
    for (const name of names) variables[name] = await session.readVariable(name);
    return { file: runbook.file, blocksRun: blocks.length, manualActions, durationMs: Date.now() - started, variables, outputs };
  } finally {
    await session.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}
