/**
 * Reads the fenced code blocks of an MDX (or Markdown) page with the parser the site itself renders MDX with:
 * `@astrojs/mdx` hands `.mdx` files to the configured Markdown processor, `satteri()` from
 * `@astrojs/markdown-satteri`, which compiles them with satteri's `mdxToJs`; `mdxToMdast` is that same parser stopped
 * at the syntax tree. The code-fence meta is read with Expressive Code's own `MetaOptions`, the class that turns the
 * same string into the options the rendered block uses. So a block is found here exactly when readers see it.
 *
 * Besides listing blocks, the extractor refuses what would let a block drop out silently (each error names
 * `file:line`):
 * - an attribute outside the runbook set and Expressive Code's own (a misspelt `verfy=` would otherwise be ignored);
 * - `verify=`/`noverify=` text that is not on the opening line of a rendered block (inside an MDX comment
 *   `{/* … *\/}`, a JSX attribute or prose);
 * - a line starting with ``` or ~~~ that the parser does not read as a fence (prose that starts with backticks, a
 *   fence inside a comment, or one swallowed by the paragraph above it);
 * - a fence left open.
 * `checkRunbookShellBlocks` adds the runbook rule: every shell block has exactly one of `verify` or `noverify`.
 */
import { MetaOptions } from '@astrojs/starlight/expressive-code';
import { mdxToMdast, type MdastNode } from 'satteri';

export interface CodeBlock {
  /** Language after the opening fence, e.g. `bash`; empty when none. */
  lang: string;
  /** Meta attributes: `key="value"`, `key='value'` and `key=value` become strings; bare words become `true`. */
  meta: Record<string, string | true>;
  /** The block's text without the fence and without the fence's indentation. */
  code: string;
  /** 1-based line number of the opening fence in the source, for error messages. */
  line: number;
  /** The raw meta string after the language, as Expressive Code receives it. */
  rawMeta: string;
  /** `label` of the enclosing `<TabItem>`, when the block sits in a tab. */
  tab?: string;
}

/** Attributes the runbook conventions define (tests/runbooks/README.md, "Code-fence attributes"). */
export const RUNBOOK_FENCE_ATTRIBUTES = ['title', 'verify', 'noverify', 'node', 'harness', 'etcd', 'output'] as const;

/**
 * Expressive Code's own meta options (core, frames, text markers, line numbers, collapsible sections). A key-less
 * option (`{1-3}`, `"text"`, `/regex/`) is a text marker and always allowed.
 */
export const EXPRESSIVE_CODE_ATTRIBUTES = [
  'lang',
  'frame',
  'wrap',
  'preserveIndent',
  'hangingIndent',
  'mark',
  'ins',
  'del',
  'useDiffSyntax',
  'collapse',
  'collapseStyle',
  'showLineNumbers',
  'startLineNumber',
] as const;

const ALLOWED_ATTRIBUTES: ReadonlySet<string> = new Set([...RUNBOOK_FENCE_ATTRIBUTES, ...EXPRESSIVE_CODE_ATTRIBUTES]);

export const SHELL_LANGS: ReadonlySet<string> = new Set(['bash', 'sh', 'shell']);

export class BlockSyntaxError extends Error {
  override name = 'BlockSyntaxError';
}

/** `file:12`, or `line 12` when the caller did not name the file. */
function place(file: string | undefined, line: number | undefined): string {
  if (file === undefined) return line === undefined ? 'the page' : `line ${line}`;
  return line === undefined ? file : `${file}:${line}`;
}

const FENCE_LINE = /^[ \t>]*(`{3,}|~{3,})/;
const VERIFY_TEXT = /(?:^|[\s"'{(])(?:no)?verify=/;

/** Parses a fence's meta string the way Expressive Code does and refuses unknown or malformed attributes. */
export function parseMeta(meta: string, where = 'code-fence meta'): Record<string, string | true> {
  const options = new MetaOptions(meta);
  if (options.errors && options.errors.length > 0) {
    throw new BlockSyntaxError(`${where}: cannot read the code-fence attributes "${meta}": ${options.errors.join('; ')}`);
  }
  const result: Record<string, string | true> = {};
  for (const option of options.list()) {
    if (option.key === undefined || option.key === '') continue;
    if (!ALLOWED_ATTRIBUTES.has(option.key)) {
      throw new BlockSyntaxError(
        `${where}: unknown code-fence attribute "${option.key}"; runbook attributes are ${RUNBOOK_FENCE_ATTRIBUTES.join(', ')} ` +
          `and Expressive Code's are ${EXPRESSIVE_CODE_ATTRIBUTES.join(', ')} (names are case-sensitive)`,
      );
    }
    if (option.kind === 'boolean') result[option.key] = true;
    else if (option.kind === 'string' || option.kind === 'range') result[option.key] = option.value;
    else result[option.key] = String(option.value);
  }
  // MetaOptions reads `output=false` as the boolean false; for our attributes only presence means true.
  for (const option of options.list(undefined, 'boolean')) {
    if (option.value === false) throw new BlockSyntaxError(`${where}: write the bare word ${option.key} or leave it out, not ${option.key}=false`);
  }
  return result;
}

interface Span {
  start: number;
  end: number;
}

function lineOf(node: MdastNode, edge: 'start' | 'end'): number {
  return node.position?.[edge]?.line ?? 0;
}

function jsxAttribute(node: MdastNode, name: string): string | undefined {
  const attributes = (node as { attributes?: Array<{ type: string; name?: string; value?: unknown }> }).attributes ?? [];
  const found = attributes.find((attribute) => attribute.type === 'mdxJsxAttribute' && attribute.name === name);
  return typeof found?.value === 'string' ? found.value : undefined;
}

/**
 * The fenced code blocks of `source`, in page order. `file` names the page in error messages. Throws a
 * `BlockSyntaxError` naming `file:line` for anything that would make a block disappear from the harness or the page.
 */
export function extractCodeBlocks(source: string, file?: string): CodeBlock[] {
  let tree: MdastNode;
  try {
    tree = mdxToMdast(source, { features: { gfm: true, frontmatter: true } });
  } catch (caught) {
    const message = caught instanceof Error ? caught.message : String(caught);
    const at = /^(\d+):\d+/.exec(message);
    throw new BlockSyntaxError(`${place(file, at ? Number(at[1]) : undefined)}: the MDX parser refuses the page: ${message}`);
  }
  const lines = source.split(/\r?\n/);
  const blocks: CodeBlock[] = [];
  // Every problem is collected and reported together, in line order, so one run shows all of them.
  const problems: Array<{ line: number; message: string }> = [];
  const refuse = (line: number, message: string) => problems.push({ line, message: `${place(file, line)}: ${message}` });
  const codeSpans: Span[] = [];
  const expressionSpans: Span[] = [];
  let frontmatterEnd = 0;

  const visit = (node: MdastNode, tab: string | undefined): void => {
    if (node.type === 'yaml' || node.type === 'toml') frontmatterEnd = lineOf(node, 'end');
    if (node.type === 'mdxFlowExpression' || node.type === 'mdxTextExpression' || node.type === 'mdxjsEsm') {
      expressionSpans.push({ start: lineOf(node, 'start'), end: lineOf(node, 'end') });
    }
    if (node.type === 'code') {
      const code = node as MdastNode & { lang?: string | null; meta?: string | null; value: string };
      const start = lineOf(node, 'start');
      const end = lineOf(node, 'end');
      const where = place(file, start);
      codeSpans.push({ start, end });
      const opening = FENCE_LINE.exec(lines[start - 1] ?? '');
      if (!opening) {
        refuse(start, 'an indented code block; use a fenced block (```bash) so it has a language and attributes');
        return;
      }
      const closing = FENCE_LINE.exec(lines[end - 1] ?? '');
      const fence = opening[1] ?? '```';
      const closingText = (lines[end - 1] ?? '').replace(/^[ \t>]*/, '').trimEnd();
      const closed = end > start && closing !== null && (closing[1] ?? '').startsWith(fence) && closingText === closing[1];
      if (!closed) refuse(start, `this code fence is never closed (line ${end} ends its container), so it swallows what follows`);
      const rawMeta = code.meta ?? '';
      let meta: Record<string, string | true> = {};
      try {
        meta = parseMeta(rawMeta, where);
      } catch (caught) {
        problems.push({ line: start, message: (caught as Error).message });
      }
      // A fence with verify= inside another block's text was meant as its own block: the outer one swallowed it.
      for (let inner = start + 1; inner < end; inner += 1) {
        const text = lines[inner - 1] ?? '';
        if (FENCE_LINE.test(text) && VERIFY_TEXT.test(text)) {
          refuse(inner, `a verify=/noverify= fence inside the block opened at line ${start}, which swallows it; close that block first`);
        }
      }
      const block: CodeBlock = { lang: code.lang ?? '', meta, code: code.value, line: start, rawMeta };
      if (tab !== undefined) block.tab = tab;
      blocks.push(block);
      return;
    }
    let inner = tab;
    if ((node.type === 'mdxJsxFlowElement' || node.type === 'mdxJsxTextElement') && (node as { name?: string }).name === 'TabItem') {
      inner = jsxAttribute(node, 'label') ?? tab;
    }
    for (const child of (node as { children?: MdastNode[] }).children ?? []) visit(child, inner);
  };
  visit(tree, undefined);

  const inCode = (line: number) => codeSpans.some((span) => line >= span.start && line <= span.end);
  const inExpression = (line: number) => expressionSpans.some((span) => line >= span.start && line <= span.end);
  for (let index = frontmatterEnd; index < lines.length; index += 1) {
    const number = index + 1;
    if (inCode(number)) continue;
    const text = lines[index] ?? '';
    if (FENCE_LINE.test(text)) {
      if (inExpression(number)) {
        refuse(number, `a code fence inside an MDX comment or expression ({/* … */}); readers never see it and the harness must not run it. Delete it or move it out of the comment`);
        continue;
      }
      refuse(
        number,
        `this line starts with backticks but the MDX parser does not read it as a code fence (prose that starts with \`\`\`, or a fence swallowed by the paragraph above); reword the prose or put a blank line and the right indentation before the fence`,
      );
      continue;
    }
    if (VERIFY_TEXT.test(text)) {
      const place = inExpression(number) ? 'inside an MDX comment or expression' : 'outside the opening line of a rendered code fence';
      refuse(number, `verify=/noverify= ${place}; only a code fence's own attributes count`);
    }
  }
  if (problems.length > 0) {
    throw new BlockSyntaxError(
      problems
        .sort((a, b) => a.line - b.line)
        .map((problem) => problem.message)
        .join('\n'),
    );
  }
  return blocks;
}

/**
 * The runbook rule: every shell block (bash, sh, shell) carries exactly one of `verify="<scenario>:<kind>"` (the
 * harness runs it) or `noverify="<reason shown to readers>"`; `output` blocks are expected output, not commands.
 * Also checks the values of the runbook attributes that need no scenario context (`etcd=`, `node=`, `output`).
 */
export function checkRunbookBlocks(blocks: readonly CodeBlock[], file: string): void {
  const problems: string[] = [];
  for (const block of blocks) {
    const refuse = (message: string) => problems.push(`${file}:${block.line}: ${message}`);
    const { verify, noverify, output, etcd, node } = block.meta;
    if (output !== undefined) {
      if (output !== true) refuse(`output is a bare word (the block is expected output), not output="${output}"`);
      else if (verify !== undefined || noverify !== undefined) refuse('an output block shows what a command prints; it takes neither verify nor noverify');
      else if (SHELL_LANGS.has(block.lang)) refuse(`an output block is not a command; give it the language text (or the output's own), not ${block.lang}`);
      continue;
    }
    if (noverify !== undefined && (noverify === true || noverify.trim().length < 8)) {
      refuse(`noverify needs a reason readers can act on, e.g. noverify="runs on your workstation" (got ${JSON.stringify(noverify)})`);
    }
    if (etcd !== undefined && (etcd === true || !/^\d+\.\d+(,\d+\.\d+)*$/.test(etcd))) {
      refuse(`etcd="${String(etcd)}" must list etcd minors separated by commas, e.g. etcd="3.6,3.7"`);
    }
    if (node !== undefined && (node === true || !/^[123](,[123])*$/.test(node) || new Set(node.split(',')).size !== node.split(',').length)) {
      refuse(`node="${String(node)}" must be 1, 2 or 3, or a comma list of distinct nodes such as "1,2,3" or "2,3"`);
    }
    if (!SHELL_LANGS.has(block.lang)) continue;
    if (verify !== undefined && noverify !== undefined) {
      refuse('a shell block has both verify and noverify; it is either run by the harness or not');
    } else if (verify === undefined && noverify === undefined) {
      refuse(
        `a ${block.lang} block without verify="<scenario>:<kind>" or noverify="<reason>"; every shell block of a runbook is either run in CI or says on the page why not`,
      );
    }
  }
  if (problems.length > 0) throw new BlockSyntaxError(problems.join('\n'));
}

/** `extractCodeBlocks` plus `checkRunbookBlocks`: what a runbook page must pass. */
export function extractRunbookBlocks(source: string, file: string): CodeBlock[] {
  const blocks = extractCodeBlocks(source, file);
  checkRunbookBlocks(blocks, file);
  return blocks;
}
