/**
 * A minimal runner for a runbook's blocks on the kubeadm lab (kube.ts): the blocks marked `verify="<scenario>:…"`
 * run verbatim, in page order, each on the node its `node="…"` names (default 1), as a person pasting them into a
 * root shell on that machine. A node's "terminal" keeps its shell variables from block to block (they are saved
 * after each block and restored before the next); the scenario's `setup` block runs first in every node's terminal,
 * when that terminal is first used, as the pages say ("run this on the healthy node, then again on the new node").
 * Each block runs under `set -Eeuo pipefail`: the first failing command fails the scenario, naming the block's
 * title, its MDX line, the node and the command.
 */
import { extractCodeBlocks } from '../runbooks/lib/extract-blocks.ts';
import type { KubeLab } from './kube.ts';

export interface PageBlock {
  title: string;
  line: number;
  node: number;
  kind: 'setup' | 'run';
  code: string;
}

export interface BlockRun {
  title: string;
  line: number;
  node: number;
  ms: number;
  output: string;
}

export class BlockFailure extends Error {
  override name = 'BlockFailure';
  readonly block: PageBlock;
  constructor(block: PageBlock, message: string) {
    super(message);
    this.block = block;
  }
}

/** The page's blocks of one scenario, in page order. */
export function scenarioBlocks(source: string, scenario: string): PageBlock[] {
  const blocks: PageBlock[] = [];
  for (const block of extractCodeBlocks(source)) {
    const verify = block.meta['verify'];
    if (typeof verify !== 'string' || !verify.startsWith(`${scenario}:`)) continue;
    const kind = verify.slice(scenario.length + 1);
    // A config block is a file's content, not commands: the scenario's own test reads it and installs it.
    if (kind === 'config') continue;
    if (kind !== 'setup' && kind !== 'run') throw new Error(`line ${block.line}: verify="${verify}": this runner runs setup and run blocks (config blocks are read by the test)`);
    const node = block.meta['node'] === undefined ? 1 : Number(block.meta['node']);
    if (![1, 2, 3].includes(node)) throw new Error(`line ${block.line}: node="${String(block.meta['node'])}" must be 1, 2 or 3`);
    const title = typeof block.meta['title'] === 'string' ? block.meta['title'] : block.code.split('\n')[0] ?? '';
    blocks.push({ title, line: block.line, node, kind, code: block.code });
  }
  if (blocks.filter((block) => block.kind === 'setup').length !== 1) throw new Error(`scenario ${scenario}: needs exactly one setup block`);
  return blocks;
}

const SESSION_DIR = '/tmp/kubelab-session';

export class PageRunner {
  private readonly kube: KubeLab;
  private readonly setup: PageBlock;
  private readonly opened = new Set<number>();
  readonly runs: BlockRun[] = [];
  private count = 0;

  constructor(kube: KubeLab, blocks: PageBlock[]) {
    this.kube = kube;
    this.setup = blocks.find((block) => block.kind === 'setup') as PageBlock;
  }

  /** Forgets a node's terminal (the machine was rebuilt: its /tmp is gone, a new shell opens). */
  forget(node: number): void {
    this.opened.delete(node);
  }

  async runBlock(block: PageBlock, timeoutMs = 600_000): Promise<BlockRun> {
    if (!this.opened.has(block.node)) {
      this.opened.add(block.node);
      await this.kube.lab.check(block.node, `rm -rf ${SESSION_DIR} && mkdir -p ${SESSION_DIR} && compgen -v > ${SESSION_DIR}/baseline`);
      if (block !== this.setup) await this.runBlock({ ...this.setup, node: block.node }, timeoutMs);
    }
    this.count += 1;
    const file = `${SESSION_DIR}/block-${this.count}.sh`;
    const script = [
      `cat > ${file} <<'KUBELAB_BLOCK_END'`,
      block.code,
      'KUBELAB_BLOCK_END',
      `[ -f ${SESSION_DIR}/vars ] && source ${SESSION_DIR}/vars`,
      'set -Eeuo pipefail',
      `trap 'echo "[runner] failed: exit $? at line $LINENO: $BASH_COMMAND" >&2' ERR`,
      `source ${file}`,
      'set +eu',
      'trap - ERR',
      `for name in $(compgen -v | grep -vxF -f ${SESSION_DIR}/baseline | grep -v '^name$'); do declare -p "$name" 2>/dev/null; done > ${SESSION_DIR}/vars.new`,
      `mv ${SESSION_DIR}/vars.new ${SESSION_DIR}/vars`,
    ].join('\n');
    const started = Date.now();
    const result = await this.kube.lab.run(block.node, script, { timeoutMs });
    const run: BlockRun = { title: block.title, line: block.line, node: block.node, ms: Date.now() - started, output: `${result.stdout}${result.stderr}` };
    this.runs.push(run);
    if (result.code !== 0) {
      throw new BlockFailure(block, `block "${block.title}" (MDX line ${block.line}) on cp-${block.node} exited ${result.code}${result.timedOut ? ' (timed out)' : ''}:\n${run.output.trimEnd().split('\n').slice(-25).join('\n')}`);
    }
    return run;
  }

  /** A shell variable of a node's terminal, as the page's blocks left it. */
  async variable(node: number, name: string): Promise<string> {
    const result = await this.kube.lab.run(node, `[ -f ${SESSION_DIR}/vars ] && source ${SESSION_DIR}/vars; printf '%s' "\${${name}:-}"`);
    return result.stdout;
  }
}
