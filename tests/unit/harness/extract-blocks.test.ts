import { describe, expect, it } from 'vitest';
import { extractCodeBlocks, parseMeta } from '../../runbooks/lib/extract-blocks';

describe('parseMeta', () => {
  it('reads quoted, unquoted and bare attributes and skips Expressive Code markers', () => {
    expect(parseMeta('title="Set up your shell" verify="backup:setup" frame=none {2-3} wrap')).toEqual({
      title: 'Set up your shell',
      verify: 'backup:setup',
      frame: 'none',
      wrap: true,
    });
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

  it('refuses an unclosed fence', () => {
    expect(() => extractCodeBlocks('```bash\necho')).toThrow(/line 1/);
  });
});
