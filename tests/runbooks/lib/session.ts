/**
 * One bash process per scenario, like the single terminal a person pastes a runbook into: variables exported
 * by one block are there for the next. Each block is written to a file and `source`d with
 * `set -euo pipefail` in force, so the first failing command ends the session; an ERR trap reports the failing
 * line and command on a private channel (file descriptor 3), apart from the block's own output.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

/** Process groups of live sessions, killed when this process exits, so no block's child outlives a test run. */
const liveGroups = new Set<number>();
process.once('exit', () => {
  for (const pgid of liveGroups) killGroup(pgid, 'SIGKILL');
});

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // The group has exited already.
  }
}

export interface BlockOutcome {
  ok: boolean;
  /** Combined stdout and stderr of the block. */
  output: string;
  exitCode?: number | undefined;
  /** 1-based line inside the block of the command that failed, when the ERR trap caught it. */
  failedLine?: number | undefined;
  failedCommand?: string | undefined;
  timedOut?: boolean;
  durationMs: number;
}

const PROLOGUE = [
  'set -Eeuo pipefail',
  // BASH_COMMAND and LINENO name the failing command inside the sourced block file.
  `trap 'printf "ERR %s %s %s\\n" "$?" "$LINENO" "$(printf "%s" "$BASH_COMMAND" | base64 -w0)" >&3' ERR`,
  '',
].join('\n');

export interface SessionPlacement {
  /** Argument vector that runs a program elsewhere, e.g. inside a lab node's namespaces (`nsenter … --`). */
  prefix?: string[];
  /** `workDir` as the bash process sees it, when that differs from this process's view (another mount namespace). */
  workDirInside?: string;
}

export class BashSession {
  private readonly child: ChildProcess;
  private readonly workDir: string;
  private readonly workDirInside: string;
  private output = '';
  private control = '';
  private blockCount = 0;
  private exited = false;
  /** bash's stdout and stderr have both closed (it exited and no child holds them). */
  private outputClosed = false;
  private readonly waiters = new Set<() => void>();

  constructor(workDir: string, env: NodeJS.ProcessEnv, placement: SessionPlacement = {}) {
    this.workDir = workDir;
    this.workDirInside = placement.workDirInside ?? workDir;
    const [program = 'bash', ...args] = [...(placement.prefix ?? []), 'bash', '--noprofile', '--norc'];
    this.child = spawn(program, args, {
      cwd: placement.prefix ? '/' : workDir,
      env,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    });
    if (this.child.pid === undefined) throw new Error('could not start bash');
    liveGroups.add(this.child.pid);
    const notify = () => {
      for (const waiter of this.waiters) waiter();
    };
    let openOutputs = 0;
    for (const stream of [this.child.stdout, this.child.stderr]) {
      if (!stream) continue;
      openOutputs += 1;
      stream.on('data', (chunk: Buffer) => {
        this.output += chunk.toString('utf8');
        notify();
      });
      stream.once('close', () => {
        openOutputs -= 1;
        this.outputClosed = openOutputs === 0;
        notify();
      });
    }
    const controlStream = this.child.stdio[3];
    if (controlStream && 'on' in controlStream) {
      controlStream.on('data', (chunk: Buffer) => {
        this.control += chunk.toString('utf8');
        notify();
      });
    }
    this.child.once('exit', () => {
      this.exited = true;
      if (this.child.pid !== undefined) liveGroups.delete(this.child.pid);
      notify();
    });
    this.child.stdin?.write(`cd ${JSON.stringify(this.workDirInside)}\n${PROLOGUE}`);
  }

  private waitFor(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
    if (predicate()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = () => {
        if (!predicate()) return;
        cleanup();
        resolve(true);
      };
      const timer = setTimeout(() => {
        cleanup();
        resolve(false);
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
    });
  }

  /** Runs `code` in the session and reports how it ended; after a failure the session is gone. */
  async run(code: string, timeoutMs: number): Promise<BlockOutcome> {
    if (this.exited) throw new Error('the bash session has already exited');
    this.blockCount += 1;
    const id = this.blockCount;
    const name = `block-${String(id).padStart(2, '0')}.sh`;
    writeFileSync(path.join(this.workDir, name), `${code}\n`);
    const file = path.join(this.workDirInside, name);
    const outputStart = this.output.length;
    const controlStart = this.control.length;
    const started = Date.now();
    const doneMarker = `DONE ${id}\n`;
    // The block's output and the control channel are separate pipes, so the DONE marker can overtake the block's last
    // output under load. bash writes an end line to stdout and to stderr after the block; the block's output is
    // complete once both have arrived (they are taken out of the output again).
    const endLine = `__handbook_block_${id}_end__\n`;
    // stdin of the block is /dev/null: a command that reads stdin must not swallow the harness's next lines.
    const endWord = endLine.trimEnd();
    this.child.stdin?.write(`source ${JSON.stringify(file)} </dev/null\nprintf '%s\\n' ${endWord}; printf '%s\\n' ${endWord} >&2; printf 'DONE %s\\n' ${id} >&3\n`);
    const finished = await this.waitFor(() => this.exited || this.control.slice(controlStart).includes(doneMarker), timeoutMs);
    const durationMs = Date.now() - started;
    if (!finished) {
      await this.close();
      return { ok: false, output: this.output.slice(outputStart), timedOut: true, durationMs };
    }
    const control = this.control.slice(controlStart);
    if (control.includes(doneMarker)) {
      const bothEndLines = () => this.output.slice(outputStart).split(endLine).length - 1 >= 2;
      if (!(await this.waitFor(bothEndLines, 10_000))) throw new Error(`block ${id}: its output did not end within 10 s of its end`);
      this.output = this.output.slice(0, outputStart) + this.output.slice(outputStart).split(endLine).join('');
      return { ok: true, output: this.output.slice(outputStart), durationMs };
    }
    // A failed block ended bash: its output is complete when bash's stdout and stderr have closed (bounded: a child
    // the block left running may hold them open).
    await this.waitFor(() => this.outputClosed, 5_000);
    const output = this.output.slice(outputStart);
    const err = /^ERR (\d+) (\d+) (\S*)$/m.exec(control);
    return {
      ok: false,
      output,
      exitCode: this.child.exitCode ?? undefined,
      failedLine: err ? Number(err[2]) : undefined,
      failedCommand: err ? Buffer.from(err[3] ?? '', 'base64').toString('utf8') : undefined,
      durationMs,
    };
  }

  /** The value of a shell variable in the session (empty when unset). */
  async readVariable(name: string): Promise<string> {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`not a variable name: ${name}`);
    const controlStart = this.control.length;
    this.child.stdin?.write(`printf 'VAR ${name} %s\\n' "$(printf '%s' "\${${name}-}" | base64 -w0)" >&3\n`);
    const pattern = new RegExp(`^VAR ${name} (\\S*)$`, 'm');
    const found = await this.waitFor(() => this.exited || pattern.test(this.control.slice(controlStart)), 5_000);
    const match = pattern.exec(this.control.slice(controlStart));
    if (!found || !match) throw new Error(`could not read ${name} from the bash session`);
    return Buffer.from(match[1] ?? '', 'base64').toString('utf8');
  }

  /** Ends bash and anything a block left running in its process group. */
  async close(): Promise<void> {
    const pid = this.child.pid;
    if (pid === undefined || this.exited) return;
    this.child.stdin?.end();
    killGroup(pid, 'SIGKILL');
    await this.waitFor(() => this.exited, 5_000);
  }
}
