// Types for the two Starlight virtual modules the Search override reads; Starlight generates them at build
// time (src/integrations/vite-virtual-modules in @astrojs/starlight) but does not publish declarations.
declare module 'virtual:starlight/project-context' {
  const project: { trailingSlash: 'always' | 'never' | 'ignore'; build: { format: 'file' | 'directory' | 'preserve' } };
  export default project;
}

declare module 'virtual:starlight/pagefind-config' {
  /** The `pagefind` option of the Starlight config (ranking, merged indexes), passed to Pagefind's UI. */
  export const pagefindUserConfig: Record<string, unknown>;
}
