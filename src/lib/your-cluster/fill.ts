/**
 * Fills a "Set up your shell" block with the reader's values. Only the values of `export NAME=value` words are
 * touched, and only where a field's example appears in them as a whole token (so `10.0.0.1` never matches
 * inside `10.0.0.11`). The new value is shell-quoted as one literal word: whatever the reader typed (quotes,
 * `$(...)`, backticks, newlines) comes out of bash as the same string and runs nothing. Pure: no DOM.
 */
import type { ClusterField, ClusterValues } from './fields';

export type SegmentKind = 'plain' | 'value' | 'example';
export interface Segment {
  kind: SegmentKind;
  text: string;
}

/** Characters that need no quoting in a bash word. */
const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quotes `value` so that bash reads it back as exactly this string, with no expansion of any kind. */
export function shellQuote(value: string): string {
  if (SAFE_WORD.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface Piece {
  kind: SegmentKind;
  text: string;
}

/** Splits a literal value into plain text and examples, replacing each example by the reader's value when set. */
function splitValue(value: string, fields: readonly ClusterField[], values: ClusterValues): Piece[] {
  const examples = fields.filter((field) => field.example !== '').sort((a, b) => b.example.length - a.example.length);
  if (examples.length === 0) return [{ kind: 'plain', text: value }];
  const pattern = new RegExp(`(?<![A-Za-z0-9.-])(${examples.map((field) => escapeRegExp(field.example)).join('|')})(?![A-Za-z0-9-]|\\.[A-Za-z0-9])`, 'g');
  const pieces: Piece[] = [];
  let last = 0;
  for (const match of value.matchAll(pattern)) {
    const field = examples.find((candidate) => candidate.example === match[1]);
    if (!field || match.index === undefined) continue;
    if (match.index > last) pieces.push({ kind: 'plain', text: value.slice(last, match.index) });
    const typed = values[field.id];
    pieces.push(typed !== undefined && typed !== '' ? { kind: 'value', text: typed } : { kind: 'example', text: field.example });
    last = match.index + field.example.length;
  }
  if (last < value.length) pieces.push({ kind: 'plain', text: value.slice(last) });
  return pieces;
}

/** Words of an `export` line up to an unquoted `#`; quoted parts stay inside their word. */
function splitWords(rest: string): { words: { text: string; start: number }[]; commentStart: number } {
  const words: { text: string; start: number }[] = [];
  let index = 0;
  while (index < rest.length) {
    if (/\s/.test(rest[index] ?? '')) {
      index += 1;
      continue;
    }
    if (rest[index] === '#') return { words, commentStart: index };
    const start = index;
    let quote: string | undefined;
    while (index < rest.length && (quote || !/\s/.test(rest[index] ?? ''))) {
      const char = rest[index];
      if (quote && char === quote) quote = undefined;
      else if (!quote && (char === '"' || char === "'")) quote = char;
      else if (char === '\\') index += 1;
      index += 1;
    }
    words.push({ text: rest.slice(start, index), start });
  }
  return { words, commentStart: rest.length };
}

/** One line of a set-up block as segments: unchanged text, the reader's values, and examples still to change. */
export function fillLine(line: string, fields: readonly ClusterField[], values: ClusterValues): Segment[] {
  const head = /^(\s*export\s+)/.exec(line);
  if (!head) return [{ kind: 'plain', text: line }];
  const prefix = head[1] ?? '';
  const rest = line.slice(prefix.length);
  const { words } = splitWords(rest);
  const segments: Segment[] = [{ kind: 'plain', text: prefix }];
  let last = 0;
  for (const word of words) {
    const assignment = /^([A-Za-z_][A-Za-z0-9_]*=)(.*)$/s.exec(word.text);
    // Only plain literal values are filled; anything with quotes, `$` or backslashes is left as written.
    if (!assignment || /["'$`\\]/.test(assignment[2] ?? '')) continue;
    const pieces = splitValue(assignment[2] ?? '', fields, values);
    if (!pieces.some((piece) => piece.kind !== 'plain')) continue;
    segments.push({ kind: 'plain', text: rest.slice(last, word.start) + (assignment[1] ?? '') });
    const literal = pieces.map((piece) => piece.text).join('');
    if (SAFE_WORD.test(literal)) {
      segments.push(...pieces);
    } else {
      segments.push({ kind: 'plain', text: "'" });
      for (const piece of pieces) segments.push({ kind: piece.kind, text: piece.text.replace(/'/g, `'\\''`) });
      segments.push({ kind: 'plain', text: "'" });
    }
    last = word.start + word.text.length;
  }
  segments.push({ kind: 'plain', text: rest.slice(last) });
  return segments.filter((segment) => segment.text !== '');
}

/** The whole block as text, with the reader's values in place. */
export function fillBlock(code: string, fields: readonly ClusterField[], values: ClusterValues): string {
  return code
    .split('\n')
    .map((line) => fillLine(line, fields, values).map((segment) => segment.text).join(''))
    .join('\n');
}
