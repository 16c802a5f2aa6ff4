/**
 * etcdctl turns on cobra's prefix matching (etcdctl/ctlv3/ctl.go: `cobra.EnablePrefixMatching = true`), so a
 * misspelt but unambiguous prefix still runs: `etcdctl snapshot sav f.db` takes a snapshot, `etcdctl compact`
 * runs `compaction`. A runbook must name each command exactly, because a prefix that is unique in one release
 * can become ambiguous, or mean something else, in the next. The harness therefore checks every etcdctl
 * command word in a verified block against the command list (`etcdctl help`) of the lab release it runs on.
 */
import { execFileSync } from 'node:child_process';
import { labBinary } from '../../../lab/bin-path.mjs';

/** Global flags that take their value as the next word (`-w table`, `--endpoints URL`). */
const FLAGS_WITH_VALUE = new Set([
  '-w', '--write-out', '--endpoints', '--cacert', '--cert', '--key', '--user', '--password', '--dial-timeout',
  '--command-timeout', '--keepalive-time', '--keepalive-timeout', '-d', '--discovery-srv', '--discovery-srv-name',
]);
const COMMAND_END = /^(\||\|\||&&|;|\)|>|>>|2>|2>&1|<)$/;

export interface EtcdctlCommandList {
  version: string;
  /** Full command paths, `snapshot save`, `get`, ... */
  commands: Set<string>;
}

const cached = new Map<string, EtcdctlCommandList>();

/**
 * Command names listed in one help text. etcdctl up to 3.6 prints its own template (`COMMANDS:` with full paths
 * such as `snapshot save`); etcdctl 3.7 prints cobra's default help (grouped `  name  description` lines at the
 * top level, `Available Commands:` for a group's subcommands).
 */
function listedCommands(help: string): string[] {
  const own = /COMMANDS:\n([\s\S]*?)\n\n/.exec(help)?.[1];
  if (own !== undefined) return own.split('\n').map((line) => line.trim().split('\t')[0]?.trim() ?? '').filter(Boolean);
  const beforeFlags = help.split(/\n(?:Flags|Global Flags):\n/)[0] ?? '';
  const afterUsage = beforeFlags.slice(beforeFlags.indexOf('\nUsage:'));
  return [...afterUsage.matchAll(/^ {2}([a-z][a-z0-9-]*) {2,}\S/gm)].map((match) => match[1] ?? '').filter(Boolean);
}

/** Reads the full command paths (`snapshot save`, `get`, ...) of an etcdctl binary, e.g. a lab release's. */
export function etcdctlCommandsOf(binary: string): EtcdctlCommandList {
  const known = cached.get(binary);
  if (known) return known;
  const help = (args: string[]) => execFileSync(binary, args, { encoding: 'utf8' });
  const topHelp = help(['help']);
  const commands = new Set<string>();
  for (const name of listedCommands(topHelp)) {
    commands.add(name);
    // cobra's default help lists only top-level names; a group's subcommands are in its own help.
    if (/COMMANDS:/.test(topHelp)) continue;
    const available = /\nAvailable Commands:\n([\s\S]*?)\n\n/.exec(help([name, '--help']))?.[1] ?? '';
    for (const match of available.matchAll(/^ {2}([a-z][a-z0-9-]*) {2,}\S/gm)) commands.add(`${name} ${match[1] ?? ''}`);
  }
  const version = /etcdctl version: (\S+)/.exec(help(['version']))?.[1] ?? 'unknown';
  if (commands.size === 0) throw new Error(`could not read the command list from ${binary} help`);
  const list = { version, commands };
  cached.set(binary, list);
  return list;
}

/** The command list of the lab's etcdctl for one etcd minor (lab/versions.json), e.g. `labEtcdctlCommands('3.6')`. */
export function labEtcdctlCommands(minor: string): EtcdctlCommandList {
  return etcdctlCommandsOf(labBinary('etcd', minor, 'etcdctl'));
}

export interface EtcdctlInvocation {
  /** The command words as written, e.g. `["snapshot", "sav"]`. */
  words: string[];
  /** 1-based line in the block where the invocation starts. */
  line: number;
}

/** Finds `etcdctl ...` invocations in shell code and the command words that follow the global flags. */
export function etcdctlInvocations(code: string): EtcdctlInvocation[] {
  const invocations: EtcdctlInvocation[] = [];
  const lines = code.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const startLine = index + 1;
    let text = lines[index] ?? '';
    while (text.endsWith('\\') && index + 1 < lines.length) {
      index += 1;
      text = `${text.slice(0, -1)} ${lines[index] ?? ''}`;
    }
    if (text.trimStart().startsWith('#')) continue;
    const tokens = text.split(/\s+/).filter((token) => token !== '');
    for (let position = 0; position < tokens.length; position += 1) {
      const token = (tokens[position] ?? '').replace(/^(\$\(|\(|`|")+/, '');
      if (token.split('/').pop() !== 'etcdctl') continue;
      const words: string[] = [];
      let cursor = position + 1;
      while (cursor < tokens.length && words.length < 2) {
        const word = tokens[cursor] ?? '';
        if (COMMAND_END.test(word)) break;
        if (word.startsWith('-')) {
          if (!word.includes('=') && FLAGS_WITH_VALUE.has(word)) cursor += 1;
          cursor += 1;
          continue;
        }
        words.push(word.replace(/[;)"`]+$/, ''));
        if (/[;)]$/.test(word)) break;
        cursor += 1;
      }
      if (words.length > 0) invocations.push({ words, line: startLine });
    }
  }
  return invocations;
}

/** Problems with etcdctl command words in `code`: each names the words and what etcdctl has instead. */
export function misspeltEtcdctlCommands(code: string, list: EtcdctlCommandList): { line: number; message: string }[] {
  const problems: { line: number; message: string }[] = [];
  const groups = new Set([...list.commands].filter((command) => command.includes(' ')).map((command) => command.split(' ')[0] ?? ''));
  for (const { words, line } of etcdctlInvocations(code)) {
    const [first = '', second] = words;
    if (first.includes('$')) continue;
    const written = groups.has(first) ? `${first} ${second ?? ''}`.trim() : first;
    if (list.commands.has(written)) continue;
    const meant = [...list.commands].filter((command) => command.startsWith(written));
    const hint = meant.length === 1 ? `; etcdctl would silently run "${meant[0]}" (prefix matching), so spell it out` : '';
    problems.push({ line, message: `"etcdctl ${written}" is not a command of etcdctl ${list.version}${hint}` });
  }
  return problems;
}
