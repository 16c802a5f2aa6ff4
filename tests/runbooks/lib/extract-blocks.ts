/**
 * Reads fenced code blocks out of an MDX (or Markdown) source, including blocks indented inside list items
 * and `<Steps>`/`<TabItem>` components, with their language and code-fence meta parsed into key/value pairs.
 * The verification harness uses it to find the blocks a runbook marks with `verify="<scenario>:<kind>"`.
 */

export interface CodeBlock {
  /** Language after the opening fence, e.g. `bash`; empty when none. */
  lang: string;
  /** Meta attributes: `key="value"`, `key='value'` and `key=value` become strings; bare words become `true`. */
  meta: Record<string, string | true>;
  /** The block's text without the fence and without the fence's indentation. */
  code: string;
  /** 1-based line number of the opening fence in the source, for error messages. */
  line: number;
}

const OPENING_FENCE = /^([ \t]*)(`{3,}|~{3,})([^\s`]*)[ \t]*(.*)$/;
const META_TOKEN = /([A-Za-z_][\w-]*)(?:=(?:"([^"]*)"|'([^']*)'|(\S+)))?|\{[^}]*\}|"[^"]*"/g;

export function parseMeta(meta: string): Record<string, string | true> {
  const result: Record<string, string | true> = {};
  for (const match of meta.matchAll(META_TOKEN)) {
    const key = match[1];
    if (!key) continue; // `{1-3}` line markers and bare quoted strings belong to Expressive Code.
    const value = match[2] ?? match[3] ?? match[4];
    result[key] = value === undefined ? true : value;
  }
  return result;
}

export function extractCodeBlocks(source: string): CodeBlock[] {
  const lines = source.split(/\r?\n/);
  const blocks: CodeBlock[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    const opening = OPENING_FENCE.exec(lines[index] ?? '');
    if (!opening) continue;
    const indent = opening[1] ?? '';
    const fence = opening[2] ?? '```';
    const body: string[] = [];
    let closed = false;
    let cursor = index + 1;
    for (; cursor < lines.length; cursor += 1) {
      const line = lines[cursor] ?? '';
      const trimmed = line.trimStart();
      if (trimmed.startsWith(fence) && trimmed.slice(fence.length).trim() === '' && trimmed[0] === fence[0]) {
        closed = true;
        break;
      }
      body.push(line.startsWith(indent) ? line.slice(indent.length) : line.trimStart());
    }
    if (!closed) throw new Error(`Unclosed code fence opened at line ${index + 1}`);
    blocks.push({ lang: opening[3] ?? '', meta: parseMeta(opening[4] ?? ''), code: body.join('\n'), line: index + 1 });
    index = cursor;
  }
  return blocks;
}
