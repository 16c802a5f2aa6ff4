/** The part of a zod issue this module reads; kept structural so it works with any zod build. */
export interface IssueLike {
  path: readonly PropertyKey[];
  message: string;
}

/**
 * Formats validation issues one per line as `  - field.path: message`, so a build log names every bad field.
 */
export function describeIssues(issues: readonly IssueLike[]): string {
  return issues
    .map((issue) => {
      const field = issue.path.length > 0 ? issue.path.map(String).join('.') : '(frontmatter)';
      return `  - ${field}: ${issue.message}`;
    })
    .join('\n');
}
