/**
 * Runs the handbook's haproxy.cfg for real: finds the block on the page, points its listeners at loopback
 * ports, checks it with `haproxy -c` and starts HAProxy in the foreground.
 *
 * What the test may change in the page's config, and nothing else:
 * - the `bind` line of each frontend (the page listens on all addresses; the test listens on 127.0.0.1 and
 *   free ports);
 * - when not running as root, the `chroot`, `user` and `group` lines, which need root.
 * The backend addresses are not rewritten: the page reads them from the environment (`${CP1_IP}` etc.), and the
 * test passes its loopback addresses the same way a systemd drop-in passes the real ones. The health-check
 * directives (`inter`, `fall`, `rise`, `timeout check`, the `/readyz` check) are used exactly as published.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { get } from 'node:http';
import { promisify } from 'node:util';
import { extractCodeBlocks } from './extract-blocks';

const execFileAsync = promisify(execFile);

export const HAPROXY_BINARY = '/usr/sbin/haproxy';
export const CONFIG_MARKER = 'haproxy:config';

/** The one code block the page marks `verify="haproxy:config"`; throws if there is not exactly one. */
export function findPublishedConfig(mdxSource: string): { code: string; line: number } {
  const blocks = extractCodeBlocks(mdxSource).filter((block) => block.meta['verify'] === CONFIG_MARKER);
  if (blocks.length !== 1) {
    throw new Error(`expected exactly one code block with verify="${CONFIG_MARKER}", found ${blocks.length}`);
  }
  const [block] = blocks;
  if (!block) throw new Error('unreachable: block list changed length');
  return { code: block.code, line: block.line };
}

interface Section {
  keyword: string;
  name: string;
  lines: string[];
}

const SECTION_START = /^(global|defaults|frontend|backend|listen|resolvers|peers|userlist|program)\b\s*(\S*)/;

function splitSections(config: string): { preamble: string[]; sections: Section[] } {
  const preamble: string[] = [];
  const sections: Section[] = [];
  for (const line of config.split('\n')) {
    const start = SECTION_START.exec(line);
    if (start) {
      sections.push({ keyword: start[1] ?? '', name: start[2] ?? '', lines: [line] });
    } else if (sections.length > 0) {
      sections[sections.length - 1]?.lines.push(line);
    } else {
      preamble.push(line);
    }
  }
  return { preamble, sections };
}

export interface LoopbackListeners {
  /** Frontend name -> the `address:port` its single `bind` line should use, e.g. `{ 'kube-apiserver': '127.0.0.1:41000' }`. */
  binds: Record<string, string>;
  /** Drop `chroot`, `user` and `group` from `global` (they need root). */
  dropPrivilegeLines: boolean;
}

/**
 * Rewrites only the listeners (and, when asked, the root-only global lines). Fails loudly if a named frontend
 * is missing or does not have exactly one `bind`, so a changed page cannot slip through unverified.
 */
export function withLoopbackListeners(config: string, listeners: LoopbackListeners): string {
  const { preamble, sections } = splitSections(config);
  const seen = new Set<string>();
  for (const section of sections) {
    if (section.keyword === 'global' && listeners.dropPrivilegeLines) {
      section.lines = section.lines.filter((line) => !/^\s*(chroot|user|group)\s/.test(line));
    }
    if (section.keyword !== 'frontend' && section.keyword !== 'listen') continue;
    const address = listeners.binds[section.name];
    if (address === undefined) continue;
    const bindIndexes = section.lines.flatMap((line, index) => (/^\s*bind\s/.test(line) ? [index] : []));
    if (bindIndexes.length !== 1) {
      throw new Error(`frontend ${section.name} should have exactly one bind line, found ${bindIndexes.length}`);
    }
    const index = bindIndexes[0] ?? 0;
    const indent = /^\s*/.exec(section.lines[index] ?? '')?.[0] ?? '    ';
    section.lines[index] = `${indent}bind ${address}`;
    seen.add(section.name);
  }
  const missing = Object.keys(listeners.binds).filter((name) => !seen.has(name));
  if (missing.length > 0) throw new Error(`frontend(s) not found in the published config: ${missing.join(', ')}`);
  return [...preamble, ...sections.flatMap((section) => section.lines)].join('\n');
}

export interface PublishedStatusCheck {
  /** The page's one-line status command (curl of the stats CSV piped to awk). */
  command: string;
  /** The `text` block the page shows as its expected output. */
  expectedOutput: string;
  /** The stats port the page's command uses, to be swapped for the test's. */
  statsPort: number;
}

/**
 * The status command the page tells readers to run after starting HAProxy, and the output it promises: the
 * first command line reading the stats CSV, and the first `text` block after the code block holding it.
 */
export function findPublishedStatusCheck(mdxSource: string): PublishedStatusCheck {
  const blocks = extractCodeBlocks(mdxSource);
  const index = blocks.findIndex((block) => block.lang === 'bash' && block.code.includes('stats;csv'));
  const command = blocks[index]?.code.split('\n').find((line) => line.includes('stats;csv'))?.trim();
  const expected = blocks.slice(index + 1).find((block) => block.lang === 'text');
  const port = /127\.0\.0\.1:(\d+)\/stats/.exec(command ?? '')?.[1];
  if (index < 0 || !command || !expected || !port) {
    throw new Error('the page has no stats command followed by a text block with its expected output');
  }
  return { command, expectedOutput: expected.code.trim(), statsPort: Number(port) };
}

/** HAProxy time value (`2s`, `500ms`, `1m`, bare number = ms) in milliseconds. */
export function haproxyTimeToMs(value: string): number {
  const match = /^(\d+)(us|ms|s|m|h|d)?$/.exec(value);
  if (!match) throw new Error(`not an HAProxy time value: ${value}`);
  const amount = Number(match[1]);
  const unitMs: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  return amount * (unitMs[match[2] ?? 'ms'] ?? 1);
}

export interface HealthCheckTimers {
  interMs: number;
  fall: number;
  rise: number;
  checkTimeoutMs: number;
}

/**
 * Reads the health-check timers the published backend uses, from its `default-server` line and the
 * `timeout check` in `defaults`, applying HAProxy's documented defaults (inter 2s, fall 3, rise 2) when absent.
 */
export function healthCheckTimers(config: string): HealthCheckTimers {
  const word = (name: string): string | undefined => new RegExp(`\\b${name}\\s+(\\S+)`).exec(config)?.[1];
  const defaultServer = config.split('\n').find((line) => /^\s*default-server\s/.test(line)) ?? '';
  const fromServer = (name: string): string | undefined => new RegExp(`\\s${name}\\s+(\\S+)`).exec(defaultServer)?.[1];
  const interMs = haproxyTimeToMs(fromServer('inter') ?? '2s');
  const checkTimeout = word('timeout check');
  return {
    interMs,
    fall: Number(fromServer('fall') ?? 3),
    rise: Number(fromServer('rise') ?? 2),
    // Without `timeout check`, HAProxy bounds a check by `inter` (configuration manual, "timeout check").
    checkTimeoutMs: checkTimeout ? haproxyTimeToMs(checkTimeout) : interMs,
  };
}

export interface ConfigCheckResult {
  valid: boolean;
  exitCode: number;
  output: string;
}

/** `haproxy -c -f <file>`: exit code 0 and "Configuration file is valid" mean the file parses and resolves. */
export async function checkConfig(configPath: string, env: NodeJS.ProcessEnv): Promise<ConfigCheckResult> {
  try {
    const { stdout, stderr } = await execFileAsync(HAPROXY_BINARY, ['-c', '-f', configPath], { env });
    const output = `${stdout}${stderr}`;
    return { valid: /Configuration file is valid/.test(output), exitCode: 0, output };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { valid: false, exitCode: failed.code ?? -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

export interface RunningHaproxy {
  process: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

/** Starts HAProxy in the foreground (`-db` overrides the config's `daemon`) so the test owns the process. */
export function startHaproxy(configPath: string, env: NodeJS.ProcessEnv): RunningHaproxy {
  return ownHaproxy(spawn(HAPROXY_BINARY, ['-db', '-f', configPath], { env, stdio: ['ignore', 'pipe', 'pipe'] }));
}

/**
 * A foreground HAProxy the test started (on the host, or inside a lab node): its output so far, and a stop that sends
 * SIGTERM and SIGKILL after 5 s.
 */
export function ownHaproxy(child: ChildProcess): RunningHaproxy {
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    process: child,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Server name -> HAProxy's status (`UP`, `DOWN`, `UP 1/2`…) for one backend, read from the stats page's CSV. */
export function serverStates(statsUrl: string, backend: string): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    const request = get(`${statsUrl};csv`, { timeout: 2_000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => {
        const [header, ...rows] = body.split('\n');
        const columns = (header ?? '').replace(/^# /, '').split(',');
        const proxyColumn = columns.indexOf('pxname');
        const serverColumn = columns.indexOf('svname');
        const statusColumn = columns.indexOf('status');
        const states: Record<string, string> = {};
        for (const row of rows) {
          const cells = row.split(',');
          const server = cells[serverColumn];
          if (cells[proxyColumn] !== backend || !server || server === 'BACKEND' || server === 'FRONTEND') continue;
          states[server] = cells[statusColumn] ?? '';
        }
        resolve(states);
      });
    });
    request.on('timeout', () => request.destroy(new Error('stats request timed out')));
    request.on('error', reject);
  });
}
