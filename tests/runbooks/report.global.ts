/** vitest global setup of the runbooks project: starts an empty report and prints it when every file is done. */
import { clearReport, printReport } from './lib/report';

export function setup(): void {
  clearReport();
}

export function teardown(): void {
  printReport();
}
