import * as z from 'zod/mini';
import type { Note } from './errors';
import { parseInput, wholeNumber } from './_internal/validate';

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
}

export interface QuorumResult {
  members: number;
  learners: number;
  /** Votes needed to elect a leader or commit a write: ⌊members/2⌋ + 1. */
  quorum: number;
  /** Voting members that may fail while a quorum stays up: members − quorum. */
  faultTolerance: number;
  notes: Note[];
}

const quorumSchema = z.object({
  members: wholeNumber(1, MAX_MEMBERS),
  learners: z.optional(wholeNumber(0, MAX_LEARNERS)),
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
 * Three, five and seven members get no note.
 *
 * @throws CalcInputError when `members` is not a whole number in 1..101 or `learners` not one in 0..10.
 * @example quorum({ members: 5 }) // { quorum: 3, faultTolerance: 2, notes: [] ... }
 */
export function quorum(input: QuorumInput): QuorumResult {
  const { members, learners = 0 } = parseInput('quorum', quorumSchema, input);
  const majority = majorityOf(members);
  return {
    members,
    learners,
    quorum: majority,
    faultTolerance: members - majority,
    notes: [...sizeNotes(members), ...learnerNotes(learners)],
  };
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
