/** One problem with one input field: `path` is the field (`rttMs.2`, `membersPerZone`), `message` the rule it broke. */
export interface CalcIssue {
  path: string;
  message: string;
}

/**
 * Thrown for input that is not a valid value: wrong type, NaN, Infinity, out of range, a fraction where a whole
 * number is needed, or fields that contradict each other. The message names every field, so a calculator can
 * show it next to the input and a test can match it.
 *
 * @example
 * try { quorum({ members: 0 }) } catch (error) {
 *   // error.message === 'quorum: members must be at least 1'
 *   // error.issues   === [{ path: 'members', message: 'must be at least 1' }]
 * }
 */
export class CalcInputError extends Error {
  readonly issues: readonly CalcIssue[];

  constructor(functionName: string, issues: readonly CalcIssue[]) {
    super(`${functionName}: ${issues.map((issue) => `${issue.path} ${issue.message}`).join('; ')}`);
    this.name = 'CalcInputError';
    this.issues = issues;
  }
}

/** Advice attached to a result. `code` is stable (tests and UI key on it); `message` is for people. */
export interface Note {
  severity: 'info' | 'warning' | 'critical';
  code: string;
  message: string;
}
