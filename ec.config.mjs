// @ts-check
// Expressive Code options live here, not in astro.config.mjs: its plugins are functions, and the `<Code>` component
// (used by the alert index's wiring snippets) can only load options from a file of their own.
import { defineEcConfig } from '@astrojs/starlight/expressive-code';
import { promqlGrammar } from './src/integrations/promql-grammar.ts';
import { codeBlockStatus } from './src/integrations/code-block-status.ts';

export default defineEcConfig({
  shiki: { langs: [promqlGrammar] },
  // Commands wrap on a phone instead of scrolling sideways; a wrapped shell line keeps its indentation and
  // hangs two spaces further, so it does not look like a new command.
  defaultProps: { wrap: true, preserveIndent: true, overridesByLang: { 'bash,sh,shell': { hangingIndent: 2 } } },
  plugins: [codeBlockStatus()],
});
