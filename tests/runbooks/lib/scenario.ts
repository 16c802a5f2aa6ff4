/**
 * Runs one scenario of a runbook on the lab's three namespaced control-plane nodes, the way an engineer follows
 * the page: one bash session per node (a terminal on that machine), the page's own "Set up your shell" block run
 * as written when a node's session opens (its example values are the lab's addresses and kubeadm's paths), every
 * `run` block verbatim on each node its `node="…"` names, blocks with `etcd="…"` only on those minors. Nothing
 * is substituted: a hand-off between nodes happens only if the page copies the file (`scp`, `ssh`), which the
 * lab's shims turn into real copies between the nodes' file systems. The first failure stops the scenario with an
 * error naming the block, its MDX line, the node and the failing command.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { misspeltEtcdctlCommands, etcdctlCommandsOf } from './etcdctl-commands';
import { BashSession } from './session';
import { exportedNames, loadRunbook, type VerifiedBlock } from './runbook';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
export const SHIM_DIR = path.join(import.meta.dirname, 'shims');
/** Generous: the pages' own waits go up to two minutes (a promote loop up to five). */
const DEFAULT_BLOCK_TIMEOUT_MS = 360_000;
const OUTPUT_LINES_SHOWN = 12;

/**
 * What the runner needs from a lab: nodes it can enter, the etcd release they run, and the backup host the pages
 * copy to. `tests/runbooks/lib/lab.ts` adapts the lab runtime (`tests/lab/`) to this.
 */
export interface ScenarioNode {
  index: number;
  name: string;
  address: string;
  /** The node's own files (its /etc/kubernetes, /var/lib, /var/backups, /tmp …) as seen from the host. */
  root: string;
  /** Inode of the node's mount namespace: how the ssh shim finds a process inside the node. */
  mountNsInode: number;
  /** Argument vector prefix that runs a program inside the node (`nsenter --target <pid> … --`). */
  enter: string[];
  /** PATH inside the node: the etcd release's binaries and the lab's crictl/systemctl shims. */
  path: string;
}

export interface ScenarioLab {
  etcdMinor: string;
  etcdVersion: string;
  /** Folder with this release's etcdctl, for the spelling check. */
  etcdBinDir: string;
  nodes: ScenarioNode[];
  /** Host folder standing for `backup.example.internal` (created by the runner if missing). */
  backupHostDir: string;
}

export interface BlockContext {
  lab: ScenarioLab;
  block: VerifiedBlock;
  /** The node this run of the block was on. */
  node: number;
  /** Reads a shell variable from a node's session (default: the node the block ran on). */
  readVariable: (name: string, node?: number) => Promise<string>;
  log: (line: string) => void;
}

export interface ScenarioOptions {
  /** Path of the MDX file, absolute or relative to the repository root. */
  runbook: string;
  scenario: string;
  lab: ScenarioLab;
  /** MDX text to use instead of the file's (a deliberately broken copy, a fixture). */
  source?: string;
  /** Called after each block succeeded on a node: the test's own moves (a node losing power, writing data). */
  afterBlock?: (context: BlockContext) => Promise<void> | void;
  /** Called before each block runs on a node. */
  beforeBlock?: (context: BlockContext) => Promise<void> | void;
  blockTimeoutMs?: number;
}

export interface ScenarioReport {
  file: string;
  /** Distinct blocks that ran verbatim (setup blocks included), by MDX line. */
  ranLines: number[];
  /** Runs of blocks on nodes (a block on three nodes counts three times). */
  blockRuns: number;
  /** Blocks of the scenario left out because their `etcd="…"` excludes this minor. */
  otherVersionBlocks: number;
  durationMs: number;
  /** Every variable the setup block exported, read back from node 1's session at the end. */
  variables: Record<string, string>;
  /** Output of each run, by block title (with ` @cp-N` for blocks on several nodes). */
  outputs: Record<string, string>;
}

export class ScenarioError extends Error {
  override name = 'ScenarioError';
  /** Blocks that ran verbatim before the failure, for the report. */
  ranLines: number[] = [];
}

function indent(text: string): string {
  const lines = text.trimEnd().split('\n').filter((line) => line.trim() !== '');
  const shown = lines.slice(0, OUTPUT_LINES_SHOWN).map((line) => `      ${line}`);
  if (lines.length > OUTPUT_LINES_SHOWN) shown.push(`      … ${lines.length - OUTPUT_LINES_SHOWN} more lines`);
  return shown.join('\n');
}

/** Every block of a scenario must parse (`bash -n`): readers paste them. */
function checkSyntax(file: string, blocks: VerifiedBlock[]): void {
  for (const block of blocks) {
    if (block.kind === 'config') continue;
    const result = spawnSync('bash', ['-n'], { input: block.code, encoding: 'utf8' });
    if (result.status !== 0) throw new ScenarioError(`${file}:${block.line} (block "${block.title}") is not valid bash: ${result.stderr.trim()}`);
  }
}

/** Hosts the ssh/scp shims resolve (node names and addresses): `<host>=<mount ns inode>:<node root>`. */
function hostsVariable(lab: ScenarioLab): string {
  return lab.nodes.flatMap((node) => [node.name, node.address].map((host) => `${host}=${node.mountNsInode}:${node.root}`)).join(' ');
}

/** The session environment of a node: a root login's basics, the lab's PATH, the shims' host table. */
export function nodeEnvironment(lab: ScenarioLab, node: ScenarioNode): NodeJS.ProcessEnv {
  return {
    PATH: `${SHIM_DIR}:${node.path}`,
    HOME: '/root',
    USER: 'root',
    LANG: 'C.UTF-8',
    TZ: 'UTC',
    HANDBOOK_LAB_HOSTS: hostsVariable(lab),
    HANDBOOK_LAB_BACKUP_HOSTS: `backup.example.internal=${lab.backupHostDir}`,
  };
}

/** Opens a bash session inside a node; its block files live in the node's own /tmp. */
export function openNodeSession(lab: ScenarioLab, node: ScenarioNode, label: string): { session: BashSession; cleanup: () => void } {
  const inside = `/tmp/handbook-session-${label}-${process.pid}-${Date.now()}`;
  const seen = path.join(node.root, inside);
  mkdirSync(seen, { recursive: true });
  const session = new BashSession(seen, nodeEnvironment(lab, node), { prefix: node.enter, workDirInside: inside });
  return {
    session,
    cleanup: () => rmSync(seen, { recursive: true, force: true }),
  };
}

/** Runs the scenario; resolves with a report, or rejects with a ScenarioError that names the failing block. */
export async function runScenario(options: ScenarioOptions): Promise<ScenarioReport> {
  const started = Date.now();
  const { lab } = options;
  const file = path.resolve(REPO_ROOT, options.runbook);
  const source = options.source ?? readFileSync(file, 'utf8');
  const runbook = loadRunbook(path.relative(REPO_ROOT, file), source);
  if (!runbook.claimedEtcd.includes(lab.etcdMinor)) {
    throw new ScenarioError(`${runbook.file} does not claim etcd ${lab.etcdMinor} (verified.etcd: ${runbook.claimedEtcd.join(', ') || 'none'})`);
  }
  const all = runbook.blocks.filter((block) => block.scenario === options.scenario);
  if (all.length === 0) throw new ScenarioError(`${runbook.file} has no block marked verify="${options.scenario}:..."`);
  const blocks = all.filter((block) => block.etcdMinors === undefined || block.etcdMinors.includes(lab.etcdMinor));
  const setup = blocks[0];
  if (!setup || setup.kind !== 'setup') throw new ScenarioError(`${runbook.file}: scenario "${options.scenario}" must start with its setup block`);
  if (blocks.some((block) => block.kind === 'manual')) {
    const manual = blocks.find((block) => block.kind === 'manual');
    throw new ScenarioError(`${runbook.file}:${manual?.line}: manual blocks are not run on the lab; write the step as a run block (the lab has the node, its manifests and kubelet)`);
  }

  // Checked before anything runs, against this release's etcdctl: a command it lacks prints help and exits 0.
  const commands = etcdctlCommandsOf(path.join(lab.etcdBinDir, 'etcdctl'));
  const misspelt = blocks
    .filter((block) => block.kind === 'run' || block.kind === 'setup')
    .flatMap((block) => misspeltEtcdctlCommands(block.code, commands).map((problem) => `${runbook.file}:${block.line + problem.line} (block "${block.title}"): ${problem.message}`));
  if (misspelt.length > 0) throw new ScenarioError(`Blocks name etcdctl commands that etcdctl ${commands.version} does not have:\n${misspelt.join('\n')}`);
  checkSyntax(runbook.file, blocks);
  const names = exportedNames(setup.code);
  if (names.length === 0) throw new ScenarioError(`${runbook.file}:${setup.line}: the setup block exports no variables`);

  mkdirSync(lab.backupHostDir, { recursive: true });
  const log = (line: string) => console.log(line);
  const sessions = new Map<number, { session: BashSession; cleanup: () => void }>();
  const ranLines = new Set<number>();
  const outputs: Record<string, string> = {};
  let blockRuns = 0;
  const timeoutMs = options.blockTimeoutMs ?? DEFAULT_BLOCK_TIMEOUT_MS;

  const nodeOf = (index: number): ScenarioNode => {
    const node = lab.nodes.find((each) => each.index === index);
    if (!node) throw new ScenarioError(`the lab has no node ${index}`);
    return node;
  };
  const fail = (message: string): never => {
    const error = new ScenarioError(message);
    error.ranLines = [...ranLines];
    throw error;
  };
  const runOn = async (block: VerifiedBlock, index: number, label: string): Promise<string> => {
    const session = sessions.get(index)?.session;
    if (!session) return fail(`${label}: no session on node ${index}`);
    const outcome = await session.run(block.code, timeoutMs);
    if (!outcome.ok) {
      const where = outcome.failedLine !== undefined ? `${runbook.file}:${block.line + outcome.failedLine}` : `${runbook.file}:${block.line}`;
      const reason = outcome.timedOut
        ? `did not finish within ${timeoutMs / 1000} s`
        : `failed with exit code ${outcome.exitCode ?? 'unknown'}${outcome.failedCommand ? ` at ${where}: ${outcome.failedCommand}` : ''}`;
      return fail(`Block ${label} ${reason}\n--- output ---\n${outcome.output.trimEnd() || '(none)'}`);
    }
    return outcome.output;
  };
  const ensureSession = async (index: number): Promise<void> => {
    if (sessions.has(index)) return;
    const node = nodeOf(index);
    const opened = openNodeSession(lab, node, `${options.scenario}-${node.name}`);
    sessions.set(index, opened);
    // The page's own setup block, as written, as the engineer runs it on arriving at the node.
    const label = `setup "${setup.title}" (${runbook.file}:${setup.line}, ${node.name})`;
    const output = await runOn(setup, index, label);
    const empty: string[] = [];
    for (const name of names) if ((await opened.session.readVariable(name)) === '') empty.push(name);
    if (empty.length > 0) fail(`${label}: leaves ${empty.join(', ')} empty`);
    ranLines.add(setup.line);
    blockRuns += 1;
    log(`  ✓ ${label}: ran as written${output.trim() ? `\n${indent(output)}` : ''}`);
  };
  const contextFor = (block: VerifiedBlock, node: number): BlockContext => ({
    lab,
    block,
    node,
    log,
    readVariable: async (name, from = node) => {
      const session = sessions.get(from)?.session;
      if (!session) throw new Error(`no session on node ${from}`);
      return session.readVariable(name);
    },
  });

  log(`scenario ${options.scenario} from ${runbook.file} on etcd ${lab.etcdVersion} (${blocks.length} blocks${blocks.length < all.length ? `, ${all.length - blocks.length} for other etcd minors` : ''})`);
  try {
    for (const [position, block] of blocks.entries()) {
      if (block.kind === 'setup' || block.kind === 'config') continue;
      // A block for several nodes runs on all of them at once, like an engineer with a terminal on each; the
      // test's hooks run after every node has finished, in node order.
      for (const index of block.nodes) await ensureSession(index);
      for (const index of block.nodes) await options.beforeBlock?.(contextFor(block, index));
      const runs = await Promise.allSettled(
        block.nodes.map(async (index) => {
          const node = nodeOf(index);
          const label = `#${position + 1} "${block.title}" (${runbook.file}:${block.line}, ${node.name})`;
          const blockStarted = Date.now();
          const output = await runOn(block, index, label);
          return { index, label, output, seconds: (Date.now() - blockStarted) / 1000 };
        }),
      );
      const failed = runs.find((result): result is PromiseRejectedResult => result.status === 'rejected');
      for (const result of runs) {
        if (result.status !== 'fulfilled') continue;
        const { index, label, output, seconds } = result.value;
        blockRuns += 1;
        outputs[block.nodes.length > 1 ? `${block.title} @${nodeOf(index).name}` : block.title] = output;
        log(`  ✓ ${label}: ok in ${seconds.toFixed(1)} s${output.trim() ? `\n${indent(output)}` : ''}`);
      }
      if (failed) throw failed.reason;
      ranLines.add(block.line);
      for (const index of block.nodes) await options.afterBlock?.(contextFor(block, index));
    }
    await ensureSession(1);
    const variables: Record<string, string> = {};
    const first = sessions.get(1)?.session;
    for (const name of names) variables[name] = (await first?.readVariable(name)) ?? '';
    return {
      file: runbook.file,
      ranLines: [...ranLines],
      blockRuns,
      otherVersionBlocks: all.length - blocks.length,
      durationMs: Date.now() - started,
      variables,
      outputs,
    };
  } catch (error) {
    if (error instanceof ScenarioError) {
      error.ranLines = [...ranLines];
      throw error;
    }
    const wrapped = new ScenarioError(error instanceof Error ? error.message : String(error));
    wrapped.ranLines = [...ranLines];
    throw wrapped;
  } finally {
    for (const { session, cleanup } of sessions.values()) {
      await session.close();
      cleanup();
    }
  }
}

/** Runs a command inside a node and returns its output (for tests' own checks, not for page blocks). */
export function inNode(lab: ScenarioLab, index: number, command: string): string {
  const node = lab.nodes.find((each) => each.index === index);
  if (!node) throw new Error(`the lab has no node ${index}`);
  const [program = 'bash', ...args] = [...node.enter, 'bash', '--noprofile', '--norc', '-c', command];
  return execFileSync(program, args, { encoding: 'utf8', env: nodeEnvironment(lab, node), stdio: ['ignore', 'pipe', 'pipe'] });
}
