/**
 * Calculator inputs in the query string, so a link reproduces what someone saw (`?members=5`). With several
 * calculators on one page each uses a prefix (`quorum-members=5`). Pure functions over strings: the element
 * passes `location.search` in and hands the result to `history.replaceState`.
 */

/** The query parameter for a field. */
export function paramName(prefix: string, fieldName: string): string {
  return `${prefix}${fieldName}`;
}

/**
 * Values for the given fields found in `search`. Only fields that are present come back; values are returned as
 * text, exactly as decoded, because they are untrusted: the caller parses them like typed input and shows them
 * only through form controls and textContent.
 */
export function readQuery(search: string, fieldNames: readonly string[], prefix: string): Record<string, string> {
  const params = parseSearch(search);
  const values: Record<string, string> = {};
  for (const name of fieldNames) {
    const value = params.get(paramName(prefix, name));
    if (value !== null) values[name] = value;
  }
  return values;
}

/**
 * `search` with the given fields set to `values` (a missing value removes its parameter). Other parameters are
 * kept in their order, so two calculators on one page do not overwrite each other. Returns `''` or `?…`.
 */
export function writeQuery(
  search: string,
  fieldNames: readonly string[],
  values: Readonly<Record<string, string | undefined>>,
  prefix: string,
): string {
  const params = parseSearch(search);
  for (const name of fieldNames) {
    const value = values[name];
    if (value === undefined) params.delete(paramName(prefix, name));
    else params.set(paramName(prefix, name), value);
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** URLSearchParams never throws on malformed escapes (`%E0%A4%A`): bad bytes become U+FFFD. */
function parseSearch(search: string): URLSearchParams {
  return new URLSearchParams(search.startsWith('?') ? search.slice(1) : search);
}
