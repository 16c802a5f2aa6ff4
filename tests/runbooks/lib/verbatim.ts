/**
 * The runbook report's arithmetic, kept pure so it can be unit-tested: how many command lines a shell block
 * shows, which blocks of a page apply to an etcd minor, and what share of the lines a reader sees ran exactly as
 * written. "Command lines" follow the test review's definition (test-review-2026-12 §5): lines that are neither
 * blank nor comments, with `\` continuations joined into the line they continue.
 */

/** Command lines of a shell block: continuations joined, blank and comment-only lines dropped. */
export function commandLines(code: string): number {
  let count = 0;
  let continuing = false;
  for (const raw of code.split('\n')) {
    const line = raw.trim();
    if (continuing) {
      // A continued line belongs to the command it continues, whatever it holds.
      continuing = line.endsWith('\\');
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    count += 1;
    continuing = line.endsWith('\\');
  }
  return count;
}

export interface ShownBlock {
  /** 1-based line of the opening fence in the MDX file: the block's identity in a report. */
  line: number;
  code: string;
  /** `etcd="3.6,3.7"`: minors the block applies to; undefined means every minor the page claims. */
  etcdMinors?: readonly string[] | undefined;
}

/** Whether a block applies to an etcd minor (`3.6`). */
export function appliesTo(block: Pick<ShownBlock, 'etcdMinors'>, minor: string): boolean {
  return block.etcdMinors === undefined || block.etcdMinors.includes(minor);
}

/** `etcd="3.6, 3.7"` → `['3.6', '3.7']`; refuses anything that is not a list of minors. */
export function parseEtcdMinors(value: string): string[] {
  const minors = value.split(',').map((part) => part.trim());
  if (minors.length === 0 || minors.some((minor) => !/^\d+\.\d+$/.test(minor))) {
    throw new Error(`etcd="${value}" must list etcd minors separated by commas, e.g. etcd="3.6,3.7"`);
  }
  return minors;
}

export interface VerbatimTally {
  /** Shell blocks shown for this minor. */
  blocksShown: number;
  /** Of those, blocks that ran exactly as written. */
  blocksRun: number;
  linesShown: number;
  linesRun: number;
  /** linesRun / linesShown, 0 to 1 (1 for a page without shell lines). */
  share: number;
}

/**
 * Tally for one page and one minor: `shown` are the page's shell blocks, `ranLines` the MDX lines (block
 * identities) of blocks that ran verbatim on that minor, from every scenario that used the page. A block that
 * ran on several nodes counts once; a block that ran but does not apply to the minor is an error, since it
 * means the runner ignored an `etcd=` attribute.
 */
export function tallyVerbatim(shown: readonly ShownBlock[], ranLines: Iterable<number>, minor: string): VerbatimTally {
  const applicable = shown.filter((block) => appliesTo(block, minor));
  const ran = new Set(ranLines);
  for (const line of ran) {
    const block = shown.find((each) => each.line === line);
    if (!block) throw new Error(`a block at line ${line} is reported as run, but the page shows no shell block there`);
    if (!appliesTo(block, minor)) throw new Error(`the block at line ${line} ran on etcd ${minor}, which its etcd= attribute excludes`);
  }
  let linesShown = 0;
  let linesRun = 0;
  let blocksRun = 0;
  for (const block of applicable) {
    const lines = commandLines(block.code);
    linesShown += lines;
    if (ran.has(block.line)) {
      linesRun += lines;
      blocksRun += 1;
    }
  }
  return { blocksShown: applicable.length, blocksRun, linesShown, linesRun, share: linesShown === 0 ? 1 : linesRun / linesShown };
}

export interface ReportRow {
  runbook: string;
  /** The patch version that ran, e.g. `3.6.16`. */
  version: string;
  tally: VerbatimTally;
  /** Outcome figures the scenario tests checked, e.g. `keys compared: 1000, lost 0`. */
  outcomes: string[];
  durationMs: number;
  failed: boolean;
}

function percent(share: number): string {
  return `${(share * 100).toFixed(0)} %`;
}

/** The printed table: one row per runbook and version, then each row's outcome figures. */
export function formatReport(rows: readonly ReportRow[]): string {
  const sorted = [...rows].sort((a, b) => a.runbook.localeCompare(b.runbook) || a.version.localeCompare(b.version, undefined, { numeric: true }));
  const header = ['runbook', 'version', 'result', 'blocks run', 'lines verbatim / shown', 'share', 'seconds'];
  const body = sorted.map((row) => [
    row.runbook,
    row.version,
    row.failed ? 'FAILED' : 'passed',
    `${row.tally.blocksRun} / ${row.tally.blocksShown}`,
    `${row.tally.linesRun} / ${row.tally.linesShown}`,
    percent(row.tally.share),
    (row.durationMs / 1000).toFixed(0),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((cells) => (cells[column] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd();
  const out = [line(header), line(widths.map((width) => '-'.repeat(width))), ...body.map(line)];
  for (const row of sorted) {
    if (row.outcomes.length === 0) continue;
    // etcd-lab rows carry a bare etcd release (3.6.16); kubeadm-lab rows name Kubernetes and etcd themselves.
    out.push('', `${row.runbook} on ${/^\d/.test(row.version) ? `etcd ${row.version}` : row.version}:`, ...row.outcomes.map((outcome) => `  ${outcome}`));
  }
  return out.join('\n');
}
