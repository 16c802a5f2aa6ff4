import {
  RECOVERY_MEMBER_PROMPT,
  recoveryMember,
  recoveryMemberRows,
  type RecoveryMemberResult,
} from '../../../lib/calc/recovery-member';
import type { CalculatorDefinition } from '../client/types';

/**
 * A real example: `etcdctl endpoint status -w json` of member m2, then, after more writes, of learner m4, from a
 * throw-away etcd 3.6 cluster (tests/fixtures/endpoint-status/3.6/member-m2.json and learner-m4.json; a
 * unit test checks this text is exactly those files).
 */
export const EXAMPLE_STATUS = `[{"Endpoint":"http://127.0.0.1:41304","Status":{"header":{"cluster_id":13634985423196789771,"member_id":3878223509509444896,"revision":21,"raft_term":2},"version":"3.6.16","dbSize":20480,"leader":2958730272845108540,"raftIndex":33,"raftTerm":2,"raftAppliedIndex":33,"dbSizeInUse":16384,"storageVersion":"3.6.0","dbSizeQuota":2147483648,"downgradeInfo":{}}}]
[{"Endpoint":"http://127.0.0.1:41308","Status":{"header":{"cluster_id":13634985423196789771,"member_id":5631899968199483188,"revision":41,"raft_term":2},"version":"3.6.16","dbSize":24576,"leader":2958730272845108540,"raftIndex":53,"raftTerm":2,"raftAppliedIndex":53,"dbSizeInUse":24576,"isLearner":true,"storageVersion":"3.5.0","dbSizeQuota":2147483648,"downgradeInfo":{}}}]`;

export const recoveryMemberCalculator: CalculatorDefinition<RecoveryMemberResult | null> = {
  id: 'recovery-member',
  fields: [
    {
      name: 'statusJson',
      label: 'Output of etcdctl endpoint status -w json',
      kind: 'textarea',
      optional: true,
      private: true,
      hint: 'One or several outputs, from etcd 3.5 to 3.7 (or 3.4, which is end of life); add etcdctl member list -w json for names. It stays in this browser tab: nothing is sent or put in the link.',
    },
  ],
  defaults: { statusJson: '' },
  presets: [{ id: 'example', label: 'Example: a member and a learner', values: { statusJson: EXAMPLE_STATUS } }],
  outputs: [
    { key: 'chosen', label: 'Recover from' },
    { key: 'raftIndex', label: 'Its raft index (applied)' },
    { key: 'read', label: 'Members read' },
  ],
  // An empty paste is not an error: the page asks for input instead.
  compute: (input) => (typeof input['statusJson'] === 'string' && input['statusJson'].trim() !== '' ? recoveryMember({ statusJson: input['statusJson'] }) : null),
  view: (result) => {
    if (!result) {
      return { headline: RECOVERY_MEMBER_PROMPT, outputs: { chosen: '—', raftIndex: '—', read: 'none yet' }, notes: [], refusals: [] };
    }
    const { chosen } = result;
    const learners = result.members.filter((member) => member.isLearner).length;
    return {
      headline: result.reason,
      outputs: {
        chosen: chosen ? `${chosen.name ?? chosen.memberIdHex} (${chosen.endpoint})` : 'no voting member pasted',
        raftIndex: chosen ? `${chosen.raftIndex} (${chosen.raftAppliedIndex ?? 'not printed'})` : '—',
        read: `${result.members.length - learners} voting, ${learners} learner${learners === 1 ? '' : 's'}`,
      },
      notes: result.notes,
      refusals: [],
      code: result.commands
        ? [{ caption: 'Step 3 of the quorum-loss runbook for this member: after "Set up your shell", on the node you work from', text: result.commands }]
        : [],
      table: {
        caption: 'Members in the pasted output, the one to recover from first',
        head: ['Name', 'Endpoint', 'Member id', 'Role', 'Raft index', 'Applied index', 'Term', 'DB size'],
        rows: recoveryMemberRows(result),
      },
    };
  },
};
