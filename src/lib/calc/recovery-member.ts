import * as z from 'zod/mini';
import { CalcInputError, type CalcIssue, type Note } from './errors';
import { bytes as bytesText, plural } from './_internal/text';

/**
 * Which member to recover from after quorum loss, from pasted `etcdctl endpoint status -w json` output (one or
 * several runs, as etcd 3.4-3.7 print them), optionally with `etcdctl member list -w json` for the names.
 *
 * Rule: among voting members, the one with the highest raft index holds the longest log, so its snapshot loses
 * the fewest writes; the applied index breaks a tie (that member has applied more of it to its database, which is
 * what `snapshot save` copies). Learners are never candidates: a commit does not wait for them, so a learner's
 * log need not hold every committed write, and the runbook rebuilds the cluster from a voting member.
 *
 * Member ids are 64-bit and JSON numbers lose precision above 2^53, so the ids are read as decimal strings from
 * the text before parsing (etcdctl prints them as bare numbers). Nothing is sent anywhere: this is a pure function.
 */

/** Largest paste accepted, in characters (a hundred members' output is well under 100 kB). */
export const MAX_PASTE_CHARS = 500_000;

export interface PastedMember {
  /** The endpoint etcdctl asked, as printed (`https://10.0.0.11:2379`). */
  endpoint: string;
  /** Member id as etcdctl prints it in JSON (decimal) and in tables (hex). */
  memberId: string;
  memberIdHex: string;
  /** From `member list -w json` when pasted, else null. */
  name: string | null;
  raftIndex: number;
  /** Absent in some older outputs; null then. */
  raftAppliedIndex: number | null;
  raftTerm: number;
  isLearner: boolean;
  version: string;
  dbSizeBytes: number | null;
  revision: number | null;
  /** The member id of the leader this member knows of; '0' when it has none. */
  leader: string;
}

export interface RecoveryMemberResult {
  /** Every member found, the chosen one first, then by raft index (learners last). */
  members: PastedMember[];
  /** null when no voting member was pasted. */
  chosen: PastedMember | null;
  /** Why this member: one or two sentences. */
  reason: string;
  notes: Note[];
  /**
   * Step 3 of the quorum-loss runbook ("Save what the surviving member holds") for the chosen member, with its
   * endpoint shell-quoted; empty when there is no candidate.
   */
  commands: string;
}

const digits = z.string().check(z.regex(/^\d+$/, { error: 'must be a whole number' }));
const count = z.number({ error: 'must be a number' }).check(z.int({ error: 'must be a whole number' }), z.minimum(0, { error: 'must not be negative' }));

const statusSchema = z.object({
  Endpoint: z.string({ error: 'is missing' }),
  Status: z.object(
    {
      header: z.object({ member_id: digits, revision: z.optional(count) }, { error: 'is missing' }),
      version: z.optional(z.string()),
      dbSize: z.optional(count),
      leader: z.optional(digits),
      raftIndex: count,
      raftTerm: count,
      raftAppliedIndex: z.optional(count),
      isLearner: z.optional(z.boolean({ error: 'must be true or false' })),
    },
    { error: 'is missing' },
  ),
});

const memberListSchema = z.object({
  members: z.array(
    z.object({
      ID: digits,
      name: z.optional(z.string()),
      clientURLs: z.optional(z.array(z.string())),
      isLearner: z.optional(z.boolean()),
    }),
  ),
});

/** Quotes bare 64-bit ids so JSON.parse keeps every digit. */
function quoteIds(json: string): string {
  return json.replace(/"(cluster_id|member_id|leader|ID)"(\s*):(\s*)(\d+)/g, '"$1"$2:$3"$4"');
}

interface Document {
  text: string;
  line: number;
}

/**
 * Splits pasted text into its top-level JSON values by bracket matching (strings respected). Text between them
 * (shell prompts, "Failed to get the status of endpoint …" lines) is skipped.
 */
function splitDocuments(text: string, fail: (message: string) => never): Document[] {
  const documents: Document[] = [];
  let index = 0;
  let line = 1;
  while (index < text.length) {
    const char = text[index] as string;
    if (char === '\n') line += 1;
    if (char !== '[' && char !== '{') {
      index += 1;
      continue;
    }
    const start = index;
    const startLine = line;
    let depth = 0;
    let inString = false;
    for (; index < text.length; index += 1) {
      const c = text[index] as string;
      if (c === '\n') line += 1;
      if (inString) {
        if (c === '\\') index += 1;
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '"') inString = true;
      else if (c === '[' || c === '{') depth += 1;
      else if (c === ']' || c === '}') {
        depth -= 1;
        if (depth === 0) break;
      }
    }
    if (depth !== 0) fail(`the JSON starting on line ${startLine} is cut off: a closing bracket is missing (paste the whole output)`);
    documents.push({ text: text.slice(start, index + 1), line: startLine });
    index += 1;
  }
  return documents;
}

function describeIssues(prefix: string, issues: readonly { path: PropertyKey[]; message: string }[]): string {
  const [first] = issues;
  // zod always reports at least one issue for a failed parse.
  const where = (first as { path: PropertyKey[] }).path.map(String).join('.');
  return `${prefix}: ${where || 'value'} ${(first as { message: string }).message}`;
}

function hex(decimal: string): string {
  return BigInt(decimal).toString(16);
}

/** POSIX shell single quotes: the value stays one word whatever it contains. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Reads pasted output and picks the member to recover from.
 *
 * @throws CalcInputError on `statusJson` for empty input, a cut-off or invalid JSON document, a document that is
 *   neither endpoint status nor member list output (naming the field that is missing), or no endpoint status at all.
 */
export function recoveryMember(input: { statusJson: string }): RecoveryMemberResult {
  const fail = (message: string): never => {
    throw new CalcInputError('recoveryMember', [{ path: 'statusJson', message } satisfies CalcIssue]);
  };
  const text = typeof input?.statusJson === 'string' ? input.statusJson : fail('must be text');
  if (text.trim() === '') fail('is required: paste the output of etcdctl endpoint status -w json');
  if (text.length > MAX_PASTE_CHARS) fail(`must be at most ${MAX_PASTE_CHARS} characters`);

  const byId = new Map<string, PastedMember>();
  const names = new Map<string, string>();
  const notes: Note[] = [];
  let statusDocuments = 0;
  const clusterIds = new Set<string>();
  const documents = splitDocuments(text, fail);
  documents.forEach((document, position) => {
    const label = `the JSON on line ${document.line}`;
    let value: unknown;
    try {
      value = JSON.parse(quoteIds(document.text));
    } catch (error) {
      fail(`${label} is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
    }
    if (Array.isArray(value)) {
      statusDocuments += 1;
      value.forEach((entry, entryIndex) => {
        const parsed = statusSchema.safeParse(entry);
        if (!parsed.success) fail(describeIssues(`${label}, entry ${entryIndex + 1}`, parsed.error.issues));
        const { Endpoint, Status } = (parsed as { data: z.infer<typeof statusSchema> }).data;
        const clusterId = (entry as { Status?: { header?: { cluster_id?: unknown } } }).Status?.header?.cluster_id;
        if (typeof clusterId === 'string') clusterIds.add(clusterId);
        const member: PastedMember = {
          endpoint: Endpoint,
          memberId: Status.header.member_id,
          memberIdHex: hex(Status.header.member_id),
          name: null,
          raftIndex: Status.raftIndex,
          raftAppliedIndex: Status.raftAppliedIndex ?? null,
          raftTerm: Status.raftTerm,
          isLearner: Status.isLearner ?? false,
          version: Status.version ?? 'unknown',
          dbSizeBytes: Status.dbSize ?? null,
          revision: Status.header.revision ?? null,
          leader: Status.leader ?? '0',
        };
        const earlier = byId.get(member.memberId);
        // A member pasted twice: its log only grows, so the higher index is the later reading.
        if (!earlier || compareLogs(member, earlier) > 0) byId.set(member.memberId, member);
      });
      return;
    }
    const object = value as Record<string, unknown>;
    if (object !== null && typeof object === 'object' && 'members' in object) {
      const parsed = memberListSchema.safeParse(object);
      if (!parsed.success) fail(describeIssues(`${label} (member list)`, parsed.error.issues));
      for (const member of (parsed as { data: z.infer<typeof memberListSchema> }).data.members) {
        if (member.name) names.set(member.ID, member.name);
      }
      return;
    }
    // etcdctl's own log lines (`{"level":"warn",…}`) on stderr are often pasted along; they carry no status.
    if (object !== null && typeof object === 'object' && 'level' in object && 'msg' in object) return;
    fail(`${label} (document ${position + 1}) is neither endpoint status output (a list) nor member list output`);
  });
  if (statusDocuments === 0 || byId.size === 0) {
    fail('holds no endpoint status: paste the output of etcdctl endpoint status -w json (member list alone has no raft index)');
  }
  if (clusterIds.size > 1) {
    notes.push({
      severity: 'critical',
      code: 'several-clusters',
      message: `The output comes from ${clusterIds.size} different clusters (cluster_id differs): check ETCDCTL_ENDPOINTS before you choose.`,
    });
  }

  const members = [...byId.values()].map((member) => ({ ...member, name: names.get(member.memberId) ?? null }));
  members.sort((left, right) => Number(left.isLearner) - Number(right.isLearner) || compareLogs(right, left));
  const voters = members.filter((member) => !member.isLearner);
  const learners = members.filter((member) => member.isLearner);
  const chosen = voters[0] ?? null;
  if (learners.length > 0) {
    notes.push({
      severity: 'info',
      code: 'learner-refused',
      message: `${capitalize(learners.map(displayName).join(', '))} ${learners.length === 1 ? 'is a learner' : 'are learners'}: not a candidate, since a learner does not vote and its log need not hold every committed write${learners.some((learner) => chosen && compareLogs(learner, chosen) > 0) ? ', even with a higher raft index' : ''}.`,
    });
  }
  if (names.size === 0) {
    notes.push({
      severity: 'info',
      code: 'no-names',
      message: 'Names are not in endpoint status output: paste etcdctl member list -w json as well to see them (on etcd 3.6 add --consistency=s while the quorum is lost).',
    });
  }
  if (!chosen) {
    return { members, chosen: null, reason: 'Only learners were pasted: none of them can be recovered from. Paste the status of the voting members that still run.', notes, commands: '' };
  }
  const runnerUp = voters[1];
  let why: string;
  if (!runnerUp) why = 'it is the only voting member pasted';
  else if (runnerUp.raftIndex < chosen.raftIndex) why = `it has the highest raft index, ${chosen.raftIndex}, against ${runnerUp.raftIndex} for ${displayName(runnerUp)}`;
  else if ((runnerUp.raftAppliedIndex ?? -1) < (chosen.raftAppliedIndex ?? -1)) {
    why = `its raft index ties with ${displayName(runnerUp)} at ${chosen.raftIndex}, and it has applied more (${chosen.raftAppliedIndex} against ${runnerUp.raftAppliedIndex ?? 'unknown'})`;
  } else why = `it ties with ${displayName(runnerUp)} at raft index ${chosen.raftIndex} and applied index ${chosen.raftAppliedIndex ?? 'unknown'}: either will do`;
  const aheadLearners = learners.filter((learner) => compareLogs(learner, chosen) > 0);
  const learnerText =
    aheadLearners.length === 0
      ? ''
      : ` ${capitalize(aheadLearners.map((learner) => `${displayName(learner)} (raft index ${learner.raftIndex})`).join(', '))} ${aheadLearners.length === 1 ? 'is a learner' : 'are learners'} and cannot be recovered from, even with a higher raft index.`;
  const reason = `Recover from ${displayName(chosen)} (${chosen.endpoint}): ${why}.${learnerText}`;
  return { members, chosen, reason, notes, commands: recoveryCommands(chosen) };
}

/** Positive when `left` holds more of the log than `right`: raft index first, then applied index. */
function compareLogs(left: PastedMember, right: PastedMember): number {
  return left.raftIndex - right.raftIndex || (left.raftAppliedIndex ?? -1) - (right.raftAppliedIndex ?? -1);
}

function capitalize(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}

function displayName(member: PastedMember): string {
  return member.name ?? `member ${member.memberIdHex}`;
}

/** The quorum-loss runbook's step 3 with the chosen member's endpoint in place of the first answering one. */
function recoveryCommands(member: PastedMember): string {
  return [
    `# ${displayName(member)}: raft index ${member.raftIndex}${member.raftAppliedIndex === null ? '' : `, applied ${member.raftAppliedIndex}`}`,
    `SURVIVOR_URL=${shellQuote(member.endpoint)}`,
    'mkdir -p "$BACKUP_DIR" && chmod 700 "$BACKUP_DIR"',
    'SURVIVOR_SNAPSHOT="$BACKUP_DIR/etcd-survivor-$(date -u +%Y%m%d-%H%M%S).db"',
    'ETCDCTL_ENDPOINTS="$SURVIVOR_URL" etcdctl snapshot save "$SURVIVOR_SNAPSHOT"',
    'etcdctl snapshot status "$SURVIVOR_SNAPSHOT" -w table',
  ].join('\n');
}

/** What the tool says before anything is pasted. */
export const RECOVERY_MEMBER_PROMPT =
  'Paste the output of etcdctl endpoint status -w json from every member that still runs, and this tool names the one to recover from.';

/** The answer in one sentence (the reason, or why there is no candidate). */
export function recoveryMemberSentence(result: RecoveryMemberResult): string {
  return result.reason;
}

/** Rows for a table of the pasted members: name, endpoint, id, role, raft index, applied index, term, size. */
export function recoveryMemberRows(result: RecoveryMemberResult): string[][] {
  return result.members.map((member) => [
    member.name ?? '—',
    member.endpoint,
    member.memberIdHex,
    member.isLearner ? 'learner (not a candidate)' : member === result.chosen ? 'voter: recover from this one' : 'voter',
    String(member.raftIndex),
    member.raftAppliedIndex === null ? '—' : String(member.raftAppliedIndex),
    String(member.raftTerm),
    member.dbSizeBytes === null ? '—' : bytesText(member.dbSizeBytes),
  ]);
}

/** How many members of each kind were read, for the page's hint. */
export function recoveryMemberCount(result: RecoveryMemberResult): string {
  const learners = result.members.filter((member) => member.isLearner).length;
  return `${plural(result.members.length - learners, 'voting member')} and ${plural(learners, 'learner')} read.`;
}
