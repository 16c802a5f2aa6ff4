/**
 * One scenario on one etcd release, as a vitest suite: the lab starts and the page runs in `beforeAll`, outcome
 * checks are tests, the lab is torn down and the run recorded for the report in `afterAll`. A failure in the page
 * is caught in `beforeAll` and re-thrown by every test, so it is counted as failed, never as skipped (vitest
 * marks the tests of a suite whose `beforeAll` throws as skipped).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'vitest';
import { scenarioLab, startLab, type EtcdRelease, type Lab } from './lab';
import { recordScenario } from './report';
import { shownShellBlocks } from './runbook';
import { REPO_ROOT, ScenarioError, type ScenarioLab, type ScenarioReport } from './scenario';
import type { ShownBlock } from './verbatim';

export class ScenarioRun {
  lab: Lab | undefined;
  scenarioLab: ScenarioLab | undefined;
  report: ScenarioReport | undefined;
  failure: unknown;
  readonly outcomes: string[] = [];
  private readonly failedChecks: string[] = [];
  private started = 0;
  private shown: ShownBlock[] | undefined;

  constructor(
    readonly runbook: string,
    readonly scenario: string,
    readonly release: EtcdRelease,
  ) {}

  /** Starts the lab and runs `body` (arrange, then the page); keeps the failure for the tests. */
  async go(body: (lab: Lab, scenarioLab: ScenarioLab) => Promise<ScenarioReport>): Promise<void> {
    this.started = Date.now();
    this.shown = shownShellBlocks(readFileSync(path.join(REPO_ROOT, this.runbook), 'utf8'));
    try {
      this.lab = await startLab(this.release);
      // Time spent waiting for another lab on this machine (one at a time) is not this scenario's.
      this.started = Date.now() - this.lab.timings.pkiMs - this.lab.timings.bringUpMs;
      this.scenarioLab = scenarioLab(this.lab);
      this.report = await body(this.lab, this.scenarioLab);
    } catch (error) {
      this.failure = error;
      console.log(`${this.scenario} on etcd ${this.release.version}: FAILED\n${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** The lab, or the scenario's own failure. */
  requireLab(): Lab {
    if (this.failure !== undefined) throw this.failure;
    if (!this.lab) throw new Error('the lab did not start');
    return this.lab;
  }

  /** The first test of every suite: the page ran to its end. */
  pageRan(): void {
    test(`runs every block of the page on etcd ${this.release.version}`, () => {
      if (this.failure !== undefined) throw this.failure;
      if (!this.report) throw new Error('the scenario produced no report');
    });
  }

  /** An outcome check: fails (not skips) when the page failed; its failure marks the run FAILED in the report. */
  check(name: string, body: (lab: Lab) => Promise<void> | void): void {
    test(name, async () => {
      try {
        await body(this.requireLab());
      } catch (error) {
        this.failedChecks.push(name);
        throw error;
      }
    });
  }

  outcome(line: string): void {
    this.outcomes.push(line);
    console.log(`${this.scenario} on etcd ${this.release.version}: ${line}`);
  }

  async finish(): Promise<void> {
    const ranLines = this.report?.ranLines ?? (this.failure instanceof ScenarioError ? this.failure.ranLines : []);
    recordScenario({
      runbook: this.runbook,
      scenario: this.scenario,
      etcdMinor: this.release.minor,
      etcdVersion: this.release.version,
      ranLines,
      outcomes: [...this.outcomes, ...this.failedChecks.map((name) => `FAILED check: ${name}`)],
      durationMs: Date.now() - this.started,
      failed: this.failure !== undefined || this.failedChecks.length > 0,
      ...(this.shown ? { shown: this.shown } : {}),
    });
    await this.lab?.close();
  }
}
