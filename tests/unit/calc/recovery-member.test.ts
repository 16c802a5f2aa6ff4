/**
 * The recovery-member tool against real `etcdctl endpoint status -w json` and `member list -w json` output of a
 * throw-away cluster of each etcd minor in lab/versions.json (three members and a learner, captured by scripts/capture-endpoint-status.sh).
 * Expected ids come from etcd's own table output (hex of the decimal ids, checked with BigInt by hand below).
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { recoveryMember, recoveryMemberRows, recoveryMemberSentence, shellQuote } from '../../../src/lib/calc';
import { RECOVERY_MEMBER_PROMPT, recoveryMemberCount } from '../../../src/lib/calc/recovery-member';
import { EXAMPLE_STATUS } from '../../../src/components/calculators/definitions/recovery-member';
import { inputError } from './helpers/input-error';

const FIXTURES = path.join(import.meta.dirname, '../../fixtures/endpoint-status');
const VERSIONS = readdirSync(FIXTURES);
const fixture = (version: string, name: string) => readFileSync(path.join(FIXTURES, version, name), 'utf8');

describe('recoveryMember on real etcd output', () => {
  it('has fixtures for every etcd minor of lab/versions.json, captured with its patch release', () => {
    const versions = JSON.parse(readFileSync(path.join(import.meta.dirname, '../../../lab/versions.json'), 'utf8')) as { etcd: Record<string, string> };
    expect(VERSIONS.sort()).toEqual(Object.keys(versions.etcd).sort());
    for (const [minor, patch] of Object.entries(versions.etcd)) {
      expect(fixture(minor, 'etcdctl-version.txt').trim()).toBe(`etcdctl version: ${patch}`);
    }
  });

  for (const version of VERSIONS) {
    describe(`etcd ${version}`, () => {
      it('two members\u2019 output, the learner with the higher raft index: picks the other member (done-when)', () => {
        const voter = JSON.parse(fixture(version, 'member-m2.json').replace(/(\d{16,})/g, '"$1"')) as { Status: { raftIndex: number } }[];
        const learner = JSON.parse(fixture(version, 'learner-m4.json').replace(/(\d{16,})/g, '"$1"')) as { Status: { raftIndex: number; isLearner: boolean } }[];
        // The capture took the learner's status after more writes: its raft index really is higher.
        expect(learner[0]?.Status.isLearner).toBe(true);
        expect(learner[0]?.Status.raftIndex).toBeGreaterThan(voter[0]?.Status.raftIndex ?? Infinity);

        const result = recoveryMember({ statusJson: `${fixture(version, 'member-m2.json')}\n${fixture(version, 'learner-m4.json')}` });
        expect(result.chosen?.endpoint).toBe(JSON.parse(fixture(version, 'member-m2.json'))[0].Endpoint);
        expect(result.chosen?.isLearner).toBe(false);
        expect(result.members.map((member) => member.isLearner)).toEqual([false, true]);
        expect(result.notes.map((note) => note.code)).toContain('learner-refused');
        expect(recoveryMemberSentence(result)).toMatch(/^Recover from member [0-9a-f]+ \(http:\/\/127\.0\.0\.1:\d+\): it is the only voting member pasted\. Member [0-9a-f]+ \(raft index \d+\) is a learner and cannot be recovered from, even with a higher raft index\.$/);
      });

      it('all four members with the member list: names, exact 64-bit ids, learner last', () => {
        const list = JSON.parse(fixture(version, 'member-list.json').replace(/"ID":(\d+)/g, '"ID":"$1"')) as {
          members: { ID: string; name: string; isLearner?: boolean }[];
        };
        const result = recoveryMember({ statusJson: fixture(version, 'all-four.json') + fixture(version, 'member-list.json') });
        expect(result.members).toHaveLength(4);
        for (const member of result.members) {
          const listed = list.members.find((entry) => entry.ID === member.memberId);
          expect(listed?.name).toBe(member.name);
          expect(member.memberIdHex).toBe(BigInt(member.memberId).toString(16));
          expect(member.isLearner).toBe(listed?.isLearner === true);
        }
        expect(result.members[3]?.isLearner).toBe(true);
        expect(result.chosen?.isLearner).toBe(false);
        expect(result.notes.map((note) => note.code)).not.toContain('no-names');
        // Every row of the table has its eight cells.
        expect(recoveryMemberRows(result).every((row) => row.length === 8)).toBe(true);
        expect(recoveryMemberCount(result)).toBe('3 voting members and 1 learner read.');
      });
    });
  }

  it('keeps every digit of a 64-bit id (JSON.parse alone would round it)', () => {
    // 12764368791234902701 > 2^53; as a double it would print as 12764368791234902000.
    const result = recoveryMember({ statusJson: fixture('3.6', 'all-four.json') });
    const ids = result.members.map((member) => member.memberId);
    expect(ids).toContain('12764368791234902701');
    expect(result.members.find((member) => member.memberId === '12764368791234902701')?.memberIdHex).toBe('b12425c97fa37aad');
  });

  it('the page\u2019s example is exactly the captured output', () => {
    expect(EXAMPLE_STATUS).toBe(`${fixture('3.6', 'member-m2.json').trimEnd()}\n${fixture('3.6', 'learner-m4.json').trimEnd()}`);
  });
});

/** A minimal status entry in etcdctl's shape, for rules the real capture cannot show (ties, old output). */
function status(id: string, raftIndex: number, extra: Record<string, unknown> = {}, endpoint = `https://10.0.0.${id.length}:2379`): string {
  return JSON.stringify([{ Endpoint: endpoint, Status: { header: { cluster_id: 1, member_id: 0, revision: 5 }, raftIndex, raftTerm: 3, ...extra } }]).replace(
    '"member_id":0',
    `"member_id":${id}`,
  );
}

describe('recoveryMember rules', () => {
  it('highest raft index wins; the applied index breaks a tie; a full tie says either will do', () => {
    const ahead = recoveryMember({ statusJson: status('11', 90, { raftAppliedIndex: 90 }) + status('222', 100, { raftAppliedIndex: 80 }) });
    expect(ahead.chosen?.memberId).toBe('222');
    expect(ahead.reason).toBe('Recover from member de (https://10.0.0.3:2379): it has the highest raft index, 100, against 90 for member b.');

    const tie = recoveryMember({ statusJson: status('11', 100, { raftAppliedIndex: 95 }) + status('222', 100, { raftAppliedIndex: 99 }) });
    expect(tie.chosen?.memberId).toBe('222');
    expect(tie.reason).toContain('its raft index ties with member b at 100, and it has applied more (99 against 95)');

    const full = recoveryMember({ statusJson: status('11', 100, { raftAppliedIndex: 99 }) + status('222', 100, { raftAppliedIndex: 99 }) });
    expect(full.reason).toContain('either will do');

    // Output without raftAppliedIndex (older etcdctl): still a choice by raft index.
    const old = recoveryMember({ statusJson: status('11', 7) + status('222', 7) });
    expect(old.reason).toContain('applied index unknown');
  });

  it('a member pasted twice counts once, with its later (higher) reading', () => {
    const result = recoveryMember({ statusJson: status('11', 5) + status('11', 9) + status('11', 7) });
    expect(result.members).toHaveLength(1);
    expect(result.members[0]?.raftIndex).toBe(9);
  });

  it('only learners: no candidate and no commands', () => {
    const result = recoveryMember({ statusJson: status('11', 5, { isLearner: true }) });
    expect(result.chosen).toBeNull();
    expect(result.commands).toBe('');
    expect(result.reason).toMatch(/^Only learners were pasted/);
  });

  it('skips shell prompts, etcdctl\u2019s failure lines and its JSON log lines', () => {
    const pasted = [
      '$ etcdctl endpoint status -w json',
      '{"level":"warn","ts":"2026-12-01T11:06:42Z","msg":"retrying of unary invoker failed"}',
      'Failed to get the status of endpoint https://10.0.0.12:2379 (context deadline exceeded)',
      status('11', 42),
    ].join('\n');
    expect(recoveryMember({ statusJson: pasted }).chosen?.raftIndex).toBe(42);
  });

  it('warns when the output comes from two clusters', () => {
    const other = status('222', 9).replace('"cluster_id":1', '"cluster_id":2');
    expect(recoveryMember({ statusJson: status('11', 5) + other }).notes.map((note) => note.code)).toContain('several-clusters');
  });

  it('fills the runbook\u2019s step 3 with the endpoint shell-quoted', () => {
    const hostile = status('11', 5, {}, "https://x'; rm -rf / #:2379");
    const { commands } = recoveryMember({ statusJson: hostile });
    expect(commands).toContain(`SURVIVOR_URL='https://x'\\''; rm -rf / #:2379'`);
    expect(commands).toContain('ETCDCTL_ENDPOINTS="$SURVIVOR_URL" etcdctl snapshot save "$SURVIVOR_SNAPSHOT"');
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });

  it.each([
    ['', 'is required: paste the output of etcdctl endpoint status -w json'],
    ['   ', 'is required: paste the output of etcdctl endpoint status -w json'],
    ['[{"Endpoint":"a","Status":{"header":{"member_id":1},"raftIndex":3', 'the JSON starting on line 1 is cut off: a closing bracket is missing (paste the whole output)'],
    ['{"members":[{"ID":1,"name":"a"}]}', 'holds no endpoint status: paste the output of etcdctl endpoint status -w json (member list alone has no raft index)'],
    ['no json here', 'holds no endpoint status: paste the output of etcdctl endpoint status -w json (member list alone has no raft index)'],
    ['{"a":1}', 'the JSON on line 1 (document 1) is neither endpoint status output (a list) nor member list output'],
    ['[{"Endpoint":"a"}]', 'the JSON on line 1, entry 1: Status is missing'],
    ['[{"Endpoint":"a","Status":{"header":{"member_id":1},"raftTerm":1}}]', 'the JSON on line 1, entry 1: Status.raftIndex must be a number'],
    ['[{"Endpoint":"a","Status":{"header":{"member_id":1},"raftIndex":-1,"raftTerm":1}}]', 'the JSON on line 1, entry 1: Status.raftIndex must not be negative'],
    ['[1,]', 'the JSON on line 1 is not valid JSON'],
    ['{"members":[{"name":"a"}]}', 'the JSON on line 1 (member list): members.0.ID'],
  ])('names what is wrong with %j', (statusJson, message) => {
    const issue = inputError(() => recoveryMember({ statusJson })).issues[0];
    expect(issue?.path).toBe('statusJson');
    expect(issue?.message.startsWith(message)).toBe(true);
  });

  it('refuses non-text and oversized input', () => {
    expect(inputError(() => recoveryMember({ statusJson: 5 as unknown as string })).issues[0]?.message).toBe('must be text');
    expect(inputError(() => recoveryMember({ statusJson: 'x'.repeat(500_001) })).issues[0]?.message).toBe('must be at most 500000 characters');
  });

  it('has a prompt for an empty paste', () => {
    expect(RECOVERY_MEMBER_PROMPT).toMatch(/^Paste the output of etcdctl endpoint status -w json/);
  });
});
