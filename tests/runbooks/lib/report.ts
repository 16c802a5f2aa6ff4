/**
 * Collects what each scenario run proved, per runbook and etcd version, across test files (vitest runs each file
 * in its own worker, so rows go through files in a folder), and prints the table at the end of the runbooks stage
 * (tests/runbooks/report.global.ts). The arithmetic is in verbatim.ts.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { shownShellBlocks } from './runbook';
import { formatReport, tallyVerbatim, type ReportRow, type ShownBlock } from './verbatim';

const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
export const REPORT_DIR = process.env['HANDBOOK_RUNBOOK_REPORT_DIR'] ?? path.join(REPO_ROOT, '.cache', 'runbook-report');

export interface ScenarioRecord {
  /** Page path relative to the repository root. */
  runbook: string;
  scenario: string;
  etcdMinor: string;
  etcdVersion: string;
  /** MDX lines of the blocks that ran verbatim. */
  ranLines: number[];
  outcomes: string[];
  durationMs: number;
  failed: boolean;
  /** The page's shell blocks as they were when the scenario ran (a page edited during a run cannot skew the count). */
  shown?: ShownBlock[];
}

export function recordScenario(record: ScenarioRecord): void {
  mkdirSync(REPORT_DIR, { recursive: true });
  record.shown ??= shownShellBlocks(readFileSync(path.join(REPO_ROOT, record.runbook), 'utf8'));
  const name = `${path.basename(record.runbook, '.mdx')}--${record.scenario}--${record.etcdVersion}.json`;
  writeFileSync(path.join(REPORT_DIR, name), JSON.stringify(record, null, 2));
}

export function clearReport(): void {
  rmSync(REPORT_DIR, { recursive: true, force: true });
}

/** Rows per runbook and version: scenarios of the same page (backup-restore and backup-script) are merged. */
export function collectReport(): ReportRow[] {
  let files: string[] = [];
  try {
    files = readdirSync(REPORT_DIR).filter((file) => file.endsWith('.json'));
  } catch {
    return [];
  }
  const groups = new Map<string, ScenarioRecord[]>();
  for (const file of files) {
    const record = JSON.parse(readFileSync(path.join(REPORT_DIR, file), 'utf8')) as ScenarioRecord;
    const key = `${record.runbook}\n${record.etcdVersion}`;
    groups.set(key, [...(groups.get(key) ?? []), record]);
  }
  const rows: ReportRow[] = [];
  for (const records of groups.values()) {
    const first = records[0];
    if (!first) continue;
    const shown = first.shown ?? shownShellBlocks(readFileSync(path.join(REPO_ROOT, first.runbook), 'utf8'));
    rows.push({
      runbook: path.basename(first.runbook, '.mdx'),
      version: first.etcdVersion,
      tally: tallyVerbatim(shown, records.flatMap((record) => record.ranLines), first.etcdMinor),
      outcomes: records.flatMap((record) => record.outcomes.map((outcome) => `${record.scenario}: ${outcome}`)),
      durationMs: records.reduce((sum, record) => sum + record.durationMs, 0),
      failed: records.some((record) => record.failed),
    });
  }
  return rows;
}

export function printReport(): string {
  const rows = collectReport();
  const text = rows.length === 0 ? 'runbook report: no scenario recorded a result' : formatReport(rows);
  console.log(`\n=== runbooks: what ran verbatim, per runbook and version (etcd, or Kubernetes + etcd on the kubeadm lab) ===\n${text}\n`);
  return text;
}
