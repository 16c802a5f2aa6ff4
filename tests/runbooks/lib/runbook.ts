/**
 * Reads a runbook's MDX source into what the harness needs: its `verified` frontmatter claim and the code
 * blocks marked `verify="<scenario>:<kind>"`, and checks that the two agree (convention: common brief,
 * "Runbook verification convention"; documented in tests/runbooks/README.md).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { extractCodeBlocks, type CodeBlock } from './extract-blocks';
import { parseEtcdMinors, type ShownBlock } from './verbatim';

/**
 * `setup`, `run` and `manual` are executed (or stood in for) by `runScenario`; `config` marks a file's content,
 * not commands, that the scenario's own test reads and checks (the HAProxy configuration), so the harness
 * only lists it.
 */
export const BLOCK_KINDS = ['setup', 'run', 'manual', 'config'] as const;
export type BlockKind = (typeof BLOCK_KINDS)[number];

/** Equivalents the harness performs for `:manual` blocks; each is described in tests/runbooks/README.md. */
export const HARNESS_ACTIONS = [
  'stop-member',
  'kill-member',
  'start-member',
  'stop-all-members',
  'start-all-members',
  'start-restored-members',
] as const;
export type HarnessAction = (typeof HARNESS_ACTIONS)[number];

const SHELL_LANGS = new Set(['bash', 'sh', 'shell']);

export interface VerifiedBlock {
  scenario: string;
  kind: BlockKind;
  /** The `title="..."` meta, or a short name made from the first command. */
  title: string;
  code: string;
  /** 1-based line of the opening fence in the MDX file. */
  line: number;
  /** `node="<n>"`: the control-plane node the block runs on (default 1); the first of `nodes`. */
  node: number;
  /** `node="1,2,3"`: a block the page says to run on each of these nodes, in this order. */
  nodes: number[];
  /** `etcd="3.6,3.7"`: the minors the block applies to; undefined = every minor the page claims. */
  etcdMinors?: string[];
  /** For `manual` blocks: what the harness does instead. */
  action?: HarnessAction;
}

export interface Runbook {
  file: string;
  /** `verified.scenarios` from the frontmatter; empty when the page claims no verification. */
  claimedScenarios: string[];
  /** `verified.etcd` from the frontmatter: the minors the page claims its scenarios run on. */
  claimedEtcd: string[];
  claimsVerification: boolean;
  blocks: VerifiedBlock[];
}

export class RunbookError extends Error {
  override name = 'RunbookError';
}

function frontmatterOf(source: string): Record<string, unknown> {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n/.exec(source);
  if (!match) return {};
  const parsed: unknown = parseYaml(match[1] ?? '');
  return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
}

function claimedScenariosOf(frontmatter: Record<string, unknown>): { claims: boolean; scenarios: string[]; etcd: string[] } {
  const verified = frontmatter['verified'];
  if (verified === undefined || verified === null) return { claims: false, scenarios: [], etcd: [] };
  const { scenarios, etcd } = verified as { scenarios?: unknown; etcd?: unknown };
  return {
    claims: true,
    scenarios: Array.isArray(scenarios) ? scenarios.map(String) : [],
    etcd: Array.isArray(etcd) ? etcd.map(String) : [],
  };
}

function titleOf(block: CodeBlock): string {
  const title = block.meta['title'];
  if (typeof title === 'string' && title.trim() !== '') return title;
  const firstCommand = block.code.split('\n').find((line) => line.trim() !== '' && !line.trim().startsWith('#')) ?? '';
  return firstCommand.trim().slice(0, 60);
}

function parseVerifiedBlock(file: string, block: CodeBlock): VerifiedBlock | undefined {
  const verify = block.meta['verify'];
  if (verify === undefined) return undefined;
  const where = `${file}:${block.line}`;
  if (typeof verify !== 'string') throw new RunbookError(`${where}: verify needs a value, verify="<scenario>:<kind>"`);
  const match = /^([a-z0-9-]+):([a-z]+)$/.exec(verify);
  if (!match) throw new RunbookError(`${where}: verify="${verify}" is not "<scenario>:<kind>" (lower-case scenario, kind one of ${BLOCK_KINDS.join(', ')})`);
  const scenario = match[1] ?? '';
  const kind = match[2] as BlockKind;
  if (!BLOCK_KINDS.includes(kind)) throw new RunbookError(`${where}: unknown kind "${kind}"; use one of ${BLOCK_KINDS.join(', ')}`);
  if (kind !== 'config' && !SHELL_LANGS.has(block.lang)) throw new RunbookError(`${where}: a verified block must be a bash block, not "${block.lang || 'no language'}"`);

  const nodeMeta = block.meta['node'];
  const nodes = nodeMeta === undefined ? [1] : String(nodeMeta).split(',').map((part) => Number(part.trim()));
  if (nodes.some((node) => !Number.isInteger(node) || node < 1 || node > 3) || new Set(nodes).size !== nodes.length) {
    throw new RunbookError(`${where}: node="${String(nodeMeta)}" must be 1, 2 or 3, or a list of them such as "1,2,3"`);
  }
  const etcdMeta = block.meta['etcd'];
  let etcdMinors: string[] | undefined;
  if (etcdMeta !== undefined) {
    try {
      etcdMinors = parseEtcdMinors(String(etcdMeta === true ? '' : etcdMeta));
    } catch (error) {
      throw new RunbookError(`${where}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  const harness = block.meta['harness'];
  const result: VerifiedBlock = { scenario, kind, title: titleOf(block), code: block.code, line: block.line, node: nodes[0] ?? 1, nodes };
  if (etcdMinors) result.etcdMinors = etcdMinors;
  if (kind === 'manual') {
    if (typeof harness !== 'string' || !(HARNESS_ACTIONS as readonly string[]).includes(harness)) {
      throw new RunbookError(`${where}: a manual block needs harness="<action>", one of ${HARNESS_ACTIONS.join(', ')} (got ${JSON.stringify(harness ?? null)})`);
    }
    result.action = harness as HarnessAction;
  } else if (harness !== undefined) {
    throw new RunbookError(`${where}: harness="..." belongs on manual blocks only; this block is "${kind}"`);
  }
  return result;
}

/** Parses a runbook and checks its verification claim. Throws `RunbookError` naming the file and line. */
export function loadRunbook(file: string, source = readFileSync(file, 'utf8')): Runbook {
  const shown = path.relative(process.cwd(), file) || file;
  const { claims, scenarios: claimed, etcd: claimedEtcd } = claimedScenariosOf(frontmatterOf(source));
  const blocks: VerifiedBlock[] = [];
  for (const block of extractCodeBlocks(source)) {
    const parsed = parseVerifiedBlock(shown, block);
    if (parsed) blocks.push(parsed);
  }

  if (claims && claimed.length === 0) throw new RunbookError(`${shown}: verified: in the frontmatter lists no scenarios`);
  for (const scenario of claimed) {
    const own = blocks.filter((block) => block.scenario === scenario);
    const setups = own.filter((block) => block.kind === 'setup');
    if (own.length === 0) {
      throw new RunbookError(`${shown}: the frontmatter claims verification for scenario "${scenario}" but no block carries verify="${scenario}:..."`);
    }
    // A scenario made of config blocks only (a script the page shows as a file) is run by its own test.
    if (own.every((block) => block.kind === 'config')) continue;
    if (setups.length !== 1) {
      throw new RunbookError(`${shown}: scenario "${scenario}" needs exactly one verify="${scenario}:setup" block, found ${setups.length}`);
    }
    if (!own.some((block) => block.kind === 'run')) {
      throw new RunbookError(`${shown}: scenario "${scenario}" has no verify="${scenario}:run" block, so nothing on the page would be executed`);
    }
    if (own[0]?.kind !== 'setup') {
      throw new RunbookError(`${shown}:${own[0]?.line}: the first block of scenario "${scenario}" must be its setup block`);
    }
  }
  for (const block of blocks) {
    const outside = (block.etcdMinors ?? []).filter((minor) => !claimedEtcd.includes(minor));
    if (outside.length > 0) throw new RunbookError(`${shown}:${block.line}: etcd="${block.etcdMinors?.join(',')}" names ${outside.join(', ')}, which verified.etcd does not claim`);
  }
  const unclaimed = [...new Set(blocks.filter((block) => block.kind !== 'config').map((block) => block.scenario))].filter((scenario) => !claimed.includes(scenario));
  if (unclaimed.length > 0) {
    throw new RunbookError(`${shown}: blocks are marked for scenario(s) ${unclaimed.join(', ')} that the frontmatter's verified.scenarios does not list`);
  }
  return { file: shown, claimedScenarios: claimed, claimedEtcd, claimsVerification: claims, blocks };
}

/**
 * Every shell block a reader sees on the page (verified or not; `output` blocks excluded): the denominator of the
 * report's verbatim share.
 */
export function shownShellBlocks(source: string): ShownBlock[] {
  return extractCodeBlocks(source)
    .filter((block) => SHELL_LANGS.has(block.lang) && block.meta['output'] === undefined)
    .map((block) => {
      const etcd = block.meta['etcd'];
      return { line: block.line, code: block.code, etcdMinors: typeof etcd === 'string' ? parseEtcdMinors(etcd) : undefined };
    });
}

/**
 * Names exported by a setup block: every `NAME=` word after `export` (`export A=1 B="x y"` gives A and B).
 * The harness replaces the block with sandbox values for exactly these names.
 */
export function exportedNames(code: string): string[] {
  const names: string[] = [];
  for (const line of code.split('\n')) {
    const match = /^\s*export\s+(.*)$/.exec(line);
    if (!match) continue;
    for (const assignment of (match[1] ?? '').matchAll(/(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=/g)) {
      const name = assignment[1];
      if (name && !names.includes(name)) names.push(name);
    }
  }
  return names;
}
