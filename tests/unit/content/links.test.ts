import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { prefixBase } from '../../../src/integrations/base-links';
import { checkLinks } from '../../../scripts/check-links';
import { withBase } from '../../../src/lib/content/url';

describe('prefixBase', () => {
  it('prefixes root-relative links with the base', () => {
    expect(prefixBase('/runbooks/x/', '/handbook')).toBe('/handbook/runbooks/x/');
    expect(prefixBase('/runbooks/x/', '/handbook/')).toBe('/handbook/runbooks/x/');
  });
  it('leaves external, relative, hash, already-prefixed and root-base links alone', () => {
    expect(prefixBase('https://etcd.io/', '/handbook')).toBe('https://etcd.io/');
    expect(prefixBase('//cdn.example/x', '/handbook')).toBe('//cdn.example/x');
    expect(prefixBase('#step-2', '/handbook')).toBe('#step-2');
    expect(prefixBase('/handbook/alerts/', '/handbook')).toBe('/handbook/alerts/');
    expect(prefixBase('/alerts/', '/')).toBe('/alerts/');
  });
});

describe('withBase', () => {
  it('joins the base URL and a path with exactly one slash', () => {
    expect(withBase('/', '/alerts/')).toBe('/alerts/');
    expect(withBase('/handbook/', '/alerts/')).toBe('/handbook/alerts/');
    expect(withBase('/handbook', 'alerts/')).toBe('/handbook/alerts/');
  });
});

describe('checkLinks', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function site(files: Record<string, string>): string {
    dir = mkdtempSync(path.join(tmpdir(), 'links-'));
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), content);
    }
    return dir;
  }

  it('accepts links to existing pages, assets and anchors under the base', () => {
    const root = site({
      'index.html': '<a href="/hb/a/#step">a</a><img src="/hb/logo.svg"><a href="https://etcd.io/">x</a><a href="a/">rel</a>',
      'a/index.html': '<h2 id="step">Step</h2>',
      'logo.svg': '<svg/>',
    });
    expect(checkLinks(root, '/hb')).toEqual({ pages: 2, linksChecked: 3, broken: [] });
  });

  it('reports missing pages, missing anchors and links that escape the base', () => {
    const root = site({
      'index.html': '<a href="/hb/missing/">m</a><a href="/hb/a/#nope">h</a><a href="/a/">escape</a>',
      'a/index.html': '<h2 id="step">Step</h2>',
    });
    const reasons = checkLinks(root, '/hb').broken.map((b) => `${b.link} ${b.reason}`);
    expect(reasons).toEqual([
      '/hb/missing/ no such page or file',
      '/hb/a/#nope no element with id "nope"',
      '/a/ escapes the base path /hb/',
    ]);
  });
});
