/**
 * Expressive Code plugin: shows in each runbook code block's frame what CI did with it, from the block's own
 * attributes (the conventions in tests/runbooks/README.md) and the page's `verified` claim:
 * - `verify="<scenario>:<kind>"`: a caption "Ran in CI · etcd 3.5.35 · 3.6.16 · 3.7.3" (the page's claimed minors,
 *   narrowed by the block's `etcd="..."`, patch releases from lab/versions.json);
 * - `noverify="<reason>"`: "Not run in CI: <reason>";
 * - `output`: expected output, not a command: titled "Expected output", a dashed frame, no copy button.
 * It also keeps the copy button off the code on touch screens (a 44 px button, and room for it at the end of the
 * first lines). Everything is rendered at build time; no script is added.
 */
import { readFileSync, statSync } from 'node:fs';
import { definePlugin, type ExpressiveCodePlugin } from '@astrojs/starlight/expressive-code';
import { h, type Element, type ElementContent } from '@astrojs/starlight/expressive-code/hast';
import { parse as parseYaml } from 'yaml';
import { notRunCaption, OUTPUT_CAPTION, ranCaption, versionsForBlock, type ClaimedVersion, type MinorsClaim, type PageClaim } from '../lib/content/verification.ts';

const RUNBOOK_PATH = /[\\/]src[\\/]content[\\/]runbooks[\\/][^\\/]+\.mdx?$/;

/** Frontmatter `verified` of the page a block comes from, read once per file version (`astro dev` edits it). */
const claims = new Map<string, { modifiedMs: number; claim: PageClaim }>();

function pageClaim(file: string): PageClaim {
  const modifiedMs = statSync(file).mtimeMs;
  const cached = claims.get(file);
  if (cached?.modifiedMs === modifiedMs) return cached.claim;
  const match = /^---\r?\n([\s\S]*?)\r?\n---/.exec(readFileSync(file, 'utf8'));
  const frontmatter: unknown = match ? parseYaml(match[1] ?? '') : undefined;
  const verified = (frontmatter as { verified?: { etcd?: unknown; kubernetes?: unknown } } | undefined)?.verified;
  const minors = (value: unknown): MinorsClaim => (typeof value === 'string' || Array.isArray(value) ? (value as MinorsClaim) : undefined);
  const claim: PageClaim = verified ? { etcd: minors(verified.etcd), kubernetes: minors(verified.kubernetes) } : undefined;
  claims.set(file, { modifiedMs, claim });
  return claim;
}

type BlockStatus = { kind: 'ran'; versions: ClaimedVersion[] } | { kind: 'not-run'; reason: string } | { kind: 'output' } | undefined;

function isElement(node: ElementContent | undefined): node is Element {
  return node?.type === 'element';
}

function classesOf(node: Element): string[] {
  const value: unknown = node.properties?.['className'];
  if (Array.isArray(value)) return value.map(String);
  return typeof value === 'string' ? value.split(' ') : [];
}

/** The `<figure class="frame">` of a rendered block (the frames plugin wraps every block in one). */
function frameOf(blockAst: Element): Element | undefined {
  if (blockAst.tagName === 'figure') return blockAst;
  return blockAst.children.filter(isElement).find((child) => child.tagName === 'figure');
}

export function codeBlockStatus(): ExpressiveCodePlugin {
  const statusByBlock = new WeakMap<object, BlockStatus>();
  return definePlugin({
    name: 'handbook-code-block-status',
    hooks: {
      preprocessMetadata: ({ codeBlock }) => {
        const options = codeBlock.metaOptions;
        if (options.getBoolean('output') === true) {
          const title = codeBlock.props.title;
          codeBlock.props.title = title ? `${OUTPUT_CAPTION}: ${title}` : OUTPUT_CAPTION;
          codeBlock.props.frame = 'code';
          statusByBlock.set(codeBlock, { kind: 'output' });
          return;
        }
        const reason = options.getString('noverify');
        if (reason !== undefined) {
          statusByBlock.set(codeBlock, { kind: 'not-run', reason });
          return;
        }
        const verify = options.getString('verify');
        const file = codeBlock.parentDocument?.sourceFilePath ?? '';
        // Only runbook pages carry a verification claim; `verify=<scenario>:config` marks a file's content, which the
        // scenario's own test reads, so it ran too.
        if (verify !== undefined && RUNBOOK_PATH.test(file)) {
          const claim = pageClaim(file);
          const restriction = options.getString('etcd');
          const versions = versionsForBlock(claim, restriction);
          // A block limited to minors the page does not claim would say "Ran in CI" about versions nobody ran.
          if (claim !== undefined && restriction !== undefined && !versions.some((version) => version.product === 'etcd')) {
            throw new Error(`${file}: the block verify="${verify}" etcd="${restriction}" names no etcd minor the page claims (verified: ${JSON.stringify(claim)})`);
          }
          statusByBlock.set(codeBlock, { kind: 'ran', versions });
        }
      },
      postprocessRenderedBlockGroup: ({ renderedGroupContents }) => {
        for (const { codeBlock, renderedBlockAst } of renderedGroupContents) {
          const status = statusByBlock.get(codeBlock);
          const frame = frameOf(renderedBlockAst);
          if (!status || !frame) continue;
          const properties = (frame.properties ??= {});
          properties['dataCi'] = status.kind;
          if (status.kind === 'output') {
            properties['className'] = [...classesOf(frame), 'is-output'];
            frame.children = frame.children.filter((child) => !(isElement(child) && classesOf(child).includes('copy')));
            continue;
          }
          const text = status.kind === 'ran' ? ranCaption(status.versions) : notRunCaption(status.reason);
          const caption = h('p', { className: ['ci-status', status.kind], dataCiVersions: status.kind === 'ran' ? status.versions.map((v) => v.patch ?? v.minor).join(' ') : undefined }, text);
          const preIndex = frame.children.findIndex((child) => isElement(child) && child.tagName === 'pre');
          frame.children.splice(preIndex < 0 ? frame.children.length : preIndex + 1, 0, caption);
        }
      },
    },
    baseStyles: `
      .ci-status {
        margin: 0;
        padding: 0.3rem var(--ec-codePadInl);
        border: var(--ec-brdWd) solid var(--ec-brdCol);
        border-top: none;
        font-family: var(--sl-font, system-ui, sans-serif);
        font-size: 0.8rem;
        line-height: 1.4;
        color: var(--sl-color-gray-2);
        background: var(--sl-color-gray-6);
      }
      .ci-status.ran::before {
        content: '✓ ';
        color: var(--sl-color-green-high, inherit);
      }
      .frame.is-output pre {
        border-style: dashed;
        background: transparent;
      }
      .frame.is-output .header {
        font-style: italic;
      }
      /* Touch screens: a 44 px copy button, and room for it at the end of the lines it sits beside, so it never
         covers code (Expressive Code reserves room on the first line only, for its smaller mouse-sized button). */
      @media (hover: none) {
        .copy button {
          width: 2.75rem;
          height: 2.75rem;
        }
      }
      .ec-line:nth-child(-n + 3 of .ec-line) .code {
        padding-inline-end: calc(2.75rem + var(--ec-uiPadInl) / 2 + var(--ec-codePadInl));
      }
    `,
  });
}
