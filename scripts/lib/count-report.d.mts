export interface VitestJsonReport {
  numPassedTests?: number;
  numFailedTests?: number;
  numPendingTests?: number;
  numTodoTests?: number;
  testResults?: {
    name?: string;
    status: string;
    message?: string;
    assertionResults?: { status: string; fullName?: string; title?: string; failureMessages?: string[] }[];
  }[];
}
export function countReport(report: VitestJsonReport): { passed: number; failed: number; skipped: number };
export function failuresOfReport(report: VitestJsonReport, linesPerFailure?: number): { file: string; test: string; lines: string[] }[];
