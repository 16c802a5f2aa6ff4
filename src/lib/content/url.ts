/**
 * Joins the site's base path (Astro's `import.meta.env.BASE_URL`, e.g. `/` or `/handbook/`) with a
 * root-relative handbook path, so every link a component renders respects `HANDBOOK_BASE`.
 */
export function withBase(baseUrl: string, pathname: string): string {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  return `${base}${pathname.replace(/^\/+/, '')}`;
}
