import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BlockSyntaxError, checkRunbookBlocks, extractCodeBlocks, extractRunbookBlocks, parseMeta } from '../../runbooks/lib/extract-blocks';

const FIXTURES = path.join(import.meta.dirname, '../../runbooks/fixtures/blocks');

function fixture(name: string): { file: string; source: string } {
  const file = `fixtures/blocks/${name}`;
  return { file, source: readFileSync(path.join(FIXTURES, name), 'utf8') };
}

/** 1-based line of the first line of `source` that contains `text`: the line an error must name. */
function lineContaining(source: string, text: string): number {
  const index = source.split('\n').findIndex((line) => line.includes(text));
  if (index < 0) throw new Error(`fixture lost the line with ${text}`);
  return index + 1;
}

describe('parseMeta', () => {
  it('reads quoted, unquoted and bare attributes and skips Expressive Code markers', () => {
    expect(parseMeta('title="Set up your shell" verify="backup:setup" frame=none {2-3} wrap')).toEqual({
      title: 'Set up your shell',
      verify: 'backup:setup',
      frame: 'none',
      wrap: true,
    });
  });

  it('keeps single-quoted values with spaces and a bare output', () => {
    expect(parseMeta(`noverify='runs on your workstation' output`)).toEqual({ noverify: 'runs on your workstation', output: true });
  });

  it('refuses an unknown or wrongly cased attribute, naming it', () => {
    expect(() => parseMeta('verfy="demo:run"', 'x.mdx:3')).toThrow(/x\.mdx:3: unknown code-fence attribute "verfy"/);
    expect(() => parseMeta('Verify="demo:run"')).toThrow(/unknown code-fence attribute "Verify"/);
  });
});

describe('extractCodeBlocks', () => {
  it('finds top-level and indented blocks in order, with their line numbers', () => {
    const source = [
      '# Page',
      '```bash verify="s:setup"',
      'export A=1',
      '```',
      '<Steps>',
      '1. Take the snapshot:',
      '',
      '   ```bash verify="s:run"',
      '   etcdctl snapshot save "$BACKUP"',
      '     echo indented',
      '   ```',
      '</Steps>',
      '````md',
      '```not a fence inside a longer fence',
      '````',
    ].join('\n');
    const blocks = extractCodeBlocks(source);
    expect(blocks.map((block) => [block.lang, block.meta['verify'], block.line])).toEqual([
      ['bash', 's:setup', 2],
      ['bash', 's:run', 8],
      ['md', undefined, 13],
    ]);
    expect(blocks[1]?.code).toBe('etcdctl snapshot save "$BACKUP"\n  echo indented');
    expect(blocks[2]?.code).toBe('```not a fence inside a longer fence');
  });

  it('refuses an unclosed fence, naming its line', () => {
    expect(() => extractCodeBlocks('intro\n\n```bash\necho', 'open.mdx')).toThrow(/open\.mdx:3: this code fence is never closed/);
    expect(() => extractCodeBlocks('intro\n\n```bash\necho')).toThrow(/^line 3: this code fence is never closed/);
  });

  it('reads tabs, Expressive Code attributes, noverify and output blocks of a well-formed page', () => {
    const { file, source } = fixture('well-formed.mdx');
    const blocks = extractRunbookBlocks(source, file);
    expect(blocks.map((block) => [block.lang, block.tab ?? null, block.line])).toEqual([
      ['bash', null, lineContaining(source, 'Set up your shell')],
      ['bash', 'etcd 3.5', lineContaining(source, 'title="Defragment" ')],
      ['shell', 'etcd 3.6 / 3.7', lineContaining(source, 'Defragment offline')],
      ['text', null, lineContaining(source, 'text output')],
    ]);
    expect(blocks[1]?.meta).toEqual({ title: 'Defragment', verify: 'demo:run', etcd: '3.5', node: '2' });
    expect(blocks[2]?.meta['noverify']).toBe('needs the member stopped on your node');
    expect(blocks[3]?.meta['output']).toBe(true);
    expect(blocks[1]?.code).toBe('etcdctl defrag\necho done');
  });

  it('fails on a misspelt attribute at its line (it would drop the block from the run)', () => {
    const { file, source } = fixture('unknown-attribute.mdx');
    const line = lineContaining(source, 'verfy="demo');
    expect(() => extractCodeBlocks(source, file)).toThrow(BlockSyntaxError);
    expect(() => extractCodeBlocks(source, file)).toThrow(`${file}:${line}: unknown code-fence attribute "verfy"`);
  });

  it('fails on a verified block inside an MDX comment (run, never shown)', () => {
    const { file, source } = fixture('verify-in-comment.mdx');
    const line = lineContaining(source, 'title="Hidden"');
    expect(() => extractCodeBlocks(source, file)).toThrow(`${file}:${line}: a code fence inside an MDX comment or expression`);
  });

  it('fails on verify= text outside a fence, for example in a JSX attribute', () => {
    const source = '# Page\n\n<Aside title=\'copy verify="demo:run" here\'>x</Aside>\n';
    expect(() => extractCodeBlocks(source, 'attr.mdx')).toThrow('attr.mdx:3: verify=/noverify= outside the opening line of a rendered code fence');
  });

  it('fails on prose that starts with backticks, and still sees the next block', () => {
    const { file, source } = fixture('prose-backticks.mdx');
    const line = lineContaining(source, '```etcdctl```');
    expect(() => extractCodeBlocks(source, file)).toThrow(`${file}:${line}: this line starts with backticks but the MDX parser does not read it as a code fence`);
    // Without that line the page's blocks are all found: the parser itself never swallowed the block.
    const fixed = source.replace('```etcdctl``` is', '`etcdctl` is');
    expect(extractCodeBlocks(fixed, file).map((block) => block.meta['title'])).toEqual(['Set up your shell', 'List members']);
  });

  it('fails on a fence swallowed as prose (a backtick in its info string), and on the fence it leaves open', () => {
    // CommonMark: an info string may not contain a backtick, so line 3 is a paragraph and line 5 opens a fence
    // that line 9 closes, taking the verified block of line 7 into its text.
    const source = ['# Page', '', '```bash `sh`', 'etcdctl member list', '```', '', '```bash verify="demo:run"', 'etcdctl endpoint health', '```'].join('\n');
    const error = (() => {
      try {
        extractCodeBlocks(source, 'swallow.mdx');
      } catch (caught) {
        return (caught as Error).message;
      }
      return '';
    })();
    expect(error.split('\n')).toEqual([
      expect.stringMatching(/^swallow\.mdx:3: this line starts with backticks but the MDX parser does not read it as a code fence/),
      expect.stringMatching(/^swallow\.mdx:7: a verify=\/noverify= fence inside the block opened at line 5, which swallows it/),
    ]);
  });

  it('names the line where the MDX parser itself gives up', () => {
    expect(() => extractCodeBlocks('# Page\n\n<Aside>\ntext\n', 'jsx.mdx')).toThrow(/^jsx\.mdx:3: the MDX parser refuses the page/);
  });
});

describe('checkRunbookBlocks: every shell block of a runbook is run or says why not', () => {
  it('fails on a shell block with neither verify nor noverify', () => {
    const { file, source } = fixture('unmarked-shell.mdx');
    const line = lineContaining(source, 'Check the disk');
    expect(() => extractRunbookBlocks(source, file)).toThrow(`${file}:${line}: a sh block without verify="<scenario>:<kind>" or noverify="<reason>"`);
    // The same page is fine for the plain extractor: the rule is for runbooks only.
    expect(extractCodeBlocks(source, file)).toHaveLength(2);
  });

  it('fails on a shell block with both', () => {
    const { file, source } = fixture('both-marks.mdx');
    expect(() => extractRunbookBlocks(source, file)).toThrow(`${file}:${lineContaining(source, 'List members')}: a shell block has both verify and noverify`);
  });

  it('checks the values of noverify, output, etcd and node', () => {
    const block = (meta: Record<string, string | true>, lang = 'bash') => [{ lang, meta, code: 'true', line: 7, rawMeta: '' }];
    expect(() => checkRunbookBlocks(block({ noverify: true }), 'p.mdx')).toThrow(/p\.mdx:7: noverify needs a reason/);
    expect(() => checkRunbookBlocks(block({ noverify: 'n/a' }), 'p.mdx')).toThrow(/noverify needs a reason/);
    expect(() => checkRunbookBlocks(block({ output: true }), 'p.mdx')).toThrow(/an output block is not a command/);
    expect(() => checkRunbookBlocks(block({ output: true, noverify: 'runs on your workstation' }, 'text'), 'p.mdx')).toThrow(/takes neither verify nor noverify/);
    expect(() => checkRunbookBlocks(block({ verify: 'demo:run', etcd: '3.6 and 3.7' }), 'p.mdx')).toThrow(/etcd="3.6 and 3.7" must list etcd minors/);
    expect(() => checkRunbookBlocks(block({ verify: 'demo:run', node: '4' }), 'p.mdx')).toThrow(/node="4" must be 1, 2 or 3/);
    expect(() => checkRunbookBlocks(block({ verify: 'demo:run', node: '1,4' }), 'p.mdx')).toThrow(/node="1,4" must be 1, 2 or 3, or a comma list/);
    expect(() => checkRunbookBlocks(block({ verify: 'demo:run', node: '2,2' }), 'p.mdx')).toThrow(/node="2,2" must be .* distinct nodes/);
    expect(() => checkRunbookBlocks(block({ verify: 'demo:run', node: '1, 2' }), 'p.mdx')).toThrow(/node="1, 2" must be/);
    expect(() => checkRunbookBlocks(block({ verify: 'demo:run', node: true }), 'p.mdx')).toThrow(/node="true" must be/);
    expect(() => checkRunbookBlocks(block({ verify: 'demo:run', node: '1,2,3' }), 'p.mdx')).not.toThrow();
    expect(() => checkRunbookBlocks(block({ verify: 'demo:run', node: '2,3' }), 'p.mdx')).not.toThrow();
    expect(() => checkRunbookBlocks(block({ verify: 'demo:run', etcd: '3.6,3.7', node: '3' }), 'p.mdx')).not.toThrow();
    expect(() => checkRunbookBlocks(block({ title: 'Not a command' }, 'yaml'), 'p.mdx')).not.toThrow();
  });
});
