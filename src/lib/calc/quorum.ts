import * as z from 'zod/mini';
import { CalcInputError, type Note } from './errors';
import { parseInput, wholeNumber } from './_internal/validate';
import { plural } from './_internal/text';

/**
 * Largest voting-member count the calculators accept. etcd sets no hard limit, but its FAQ advises at most seven
 * members; 101 leaves room to show why large clusters are a bad idea without letting the page hang.
 */
export const MAX_MEMBERS = 101;

/**
 * Largest learner count accepted. etcd 3.4 refuses a second learner outright; later releases keep a default limit
 * of one (`DefaultMaxLearners = 1`, server/etcdserver/api/membership/cluster_opts.go) that `--max-learners` raises.
 */
export const MAX_LEARNERS = 10;

/** The learner limit of etcd 3.4, and the default of later releases (`DefaultMaxLearners`). */
export const ETCD_DEFAULT_MAX_LEARNERS = 1;

/** The etcd FAQ's advice: "probably should have no more than seven" members (website faq.md, "maximum size"). */
export const ETCD_ADVISED_MAX_MEMBERS = 7;

/** Size from which the sizing guide (seed 000) calls a cluster "impractical and slow". */
export const IMPRACTICAL_MEMBERS = 11;

export interface QuorumInput {
  /** Voting etcd members. Whole number, 1..MAX_MEMBERS. */
  members: number;
  /** Non-voting learners (etcd ≥ 3.4). Whole number, 0..MAX_LEARNERS; default 0. */
  learners?: number;
  /** Voting members down right now. Whole number, 0..members; default 0. */
  membersDown?: number;
}

export interface QuorumResult {
  members: number;
  learners: number;
  /** Voting members down now, as given (0 when not given). */
  membersDown: number;
  /** members − membersDown. */
  membersUp: number;
  /** Whether the members that are up still form a quorum (membersUp ≥ quorum): etcd elects a leader and accepts writes. */
  hasQuorum: boolean;
  /** Further voting members that may fail before writes stop: max(0, faultTolerance − membersDown). */
  moreFailuresTolerated: number;
  /** Members that must come back before writes resume: max(0, quorum − membersUp); 0 while the quorum holds. */
  membersToRestore: number;
  /** Votes needed to elect a leader or commit a write: ⌊members/2⌋ + 1. */
  quorum: number;
  /** Voting members that may fail while a quorum stays up: members − quorum. */
  faultTolerance: number;
  notes: Note[];
}

const quorumSchema = z.object({
  members: wholeNumber(1, MAX_MEMBERS),
  learners: z.optional(wholeNumber(0, MAX_LEARNERS)),
  membersDown: z.optional(wholeNumber(0, MAX_MEMBERS)),
});

/**
 * Majority size for `members` voters: ⌊N/2⌋ + 1 (etcd FAQ, "What is failure tolerance?", integer division).
 * Shared by every module that reasons about a Raft quorum, so they cannot disagree.
 */
export function majorityOf(members: number): number {
  return Math.floor(members / 2) + 1;
}

/**
 * Quorum and failure tolerance of an etcd cluster.
 *
 * - quorum = ⌊members/2⌋ + 1, faultTolerance = members − quorum (etcd FAQ table, N = 1..9).
 * - Learners are non-voting (etcd learning/design-learner.md): they never change the quorum or the tolerance.
 *
 * Notes, keyed by a stable `code`:
 * - `single-member` (critical): one member tolerates no failure at all.
 * - `even-members` (warning): N even tolerates no more failures than N − 1 but needs a larger quorum (etcd FAQ).
 * - `slower-writes` (warning, N > 7): the FAQ advises at most seven; each commit waits for more members.
 * - `impractical-size` (warning, N ≥ 11): the sizing guide calls this impractical and slow.
 * - `learners-non-voting` (info, learners > 0) and `learner-limit` (warning, learners > 1: etcd 3.4 allows one,
 *   later releases need `--max-learners`).
 * - `replace-down-member` (warning; critical when no further failure is tolerated) and `quorum-lost` (critical),
 *   when `membersDown` is given.
 * Three, five and seven members with none down get no note.
 *
 * @throws CalcInputError when `members` is not a whole number in 1..101, `learners` not one in 0..10, or
 *   `membersDown` not one in 0..members.
 * @example quorum({ members: 5 }) // { quorum: 3, faultTolerance: 2, notes: [] ... }
 */
export function quorum(input: QuorumInput): QuorumResult {
  const { members, learners = 0, membersDown = 0 } = parseInput('quorum', quorumSchema, input);
  if (membersDown > members) {
    throw new CalcInputError('quorum', [{ path: 'membersDown', message: `must be at most the ${members} voting members` }]);
  }
  const majority = majorityOf(members);
  const faultTolerance = members - majority;
  const membersUp = members - membersDown;
  return {
    members,
    learners,
    membersDown,
    membersUp,
    hasQuorum: membersUp >= majority,
    moreFailuresTolerated: Math.max(0, faultTolerance - membersDown),
    membersToRestore: Math.max(0, majority - membersUp),
    quorum: majority,
    faultTolerance,
    notes: [...downNotes(members, membersDown, majority), ...sizeNotes(members), ...learnerNotes(learners)],
  };
}

/**
 * The answer in one sentence: can etcd still accept writes, and can it lose another member?
 *
 * @example quorumSentence(quorum({ members: 3, membersDown: 1 }))
 *   // 'With 3 voting members and 1 down, etcd still accepts writes, but it cannot lose another member.'
 */
export function quorumSentence(result: QuorumResult): string {
  const { members, membersDown, moreFailuresTolerated, membersToRestore, hasQuorum } = result;
  const down = membersDown === 0 ? 'none' : `${membersDown}`;
  const opening = `With ${plural(members, 'voting member')} and ${down} down`;
  if (!hasQuorum) {
    return `${opening}, etcd has lost its quorum: it accepts no writes until ${plural(membersToRestore, 'more member is', 'more members are')} back.`;
  }
  const still = membersDown === 0 ? 'accepts writes' : 'still accepts writes';
  if (moreFailuresTolerated === 0) {
    return `${opening}, etcd ${still}, but it cannot lose ${membersDown === 0 ? 'a single' : 'another'} member.`;
  }
  return `${opening}, etcd ${still} and can lose ${plural(moreFailuresTolerated, membersDown === 0 ? 'member' : 'more member')}.`;
}

/** Notes about members that are down now: what to do before anything else. */
function downNotes(members: number, membersDown: number, majority: number): Note[] {
  if (membersDown === 0) return [];
  if (members - membersDown < majority) {
    return [
      {
        severity: 'critical',
        code: 'quorum-lost',
        message: 'The quorum is lost: bring members back, or rebuild from the newest snapshot. Do not remove or add members now.',
      },
    ];
  }
  return [
    {
      severity: members - membersDown === majority ? 'critical' : 'warning',
      code: 'replace-down-member',
      message: 'Replace the member that is down before any maintenance: remove it first, then add its replacement, one member at a time.',
    },
  ];
}

/** Notes about the voting-member count alone; reused by the topology check for the etcd cluster. */
export function sizeNotes(members: number): Note[] {
  const notes: Note[] = [];
  if (members === 1) {
    notes.push({
      severity: 'critical',
      code: 'single-member',
      message: 'A single member has no safety margin: if it fails, the cluster is down and its data may be lost.',
    });
  }
  if (members % 2 === 0) {
    notes.push({
      severity: 'warning',
      code: 'even-members',
      message: `${members} members tolerate no more failures than ${members - 1}, but need a larger quorum (${majorityOf(members)} instead of ${majorityOf(members - 1)}) and add one more machine that can fail. Use an odd size.`,
    });
  }
  if (members > ETCD_ADVISED_MAX_MEMBERS) {
    notes.push({
      severity: 'warning',
      code: 'slower-writes',
      message: `More than ${ETCD_ADVISED_MAX_MEMBERS} members: every write waits for ${majorityOf(members)} members to persist it, so writes get slower. The etcd FAQ advises at most seven; five is the usual production size.`,
    });
  }
  if (members >= IMPRACTICAL_MEMBERS) {
    notes.push({
      severity: 'warning',
      code: 'impractical-size',
      message: `${members} members is impractical: slow to commit, costly to run and hard to operate. Keep the cluster at three to seven members.`,
    });
  }
  return notes;
}

function learnerNotes(learners: number): Note[] {
  const notes: Note[] = [];
  if (learners > 0) {
    notes.push({
      severity: 'info',
      code: 'learners-non-voting',
      message: 'Learners receive the log but do not vote: they change neither the quorum nor the failure tolerance until promoted.',
    });
  }
  if (learners > ETCD_DEFAULT_MAX_LEARNERS) {
    notes.push({
      severity: 'warning',
      code: 'learner-limit',
      message: `etcd 3.4 accepts only ${ETCD_DEFAULT_MAX_LEARNERS} learner at a time; later releases keep that default and need --max-learners=${learners} for ${learners}.`,
    });
  }
  return notes;
}
