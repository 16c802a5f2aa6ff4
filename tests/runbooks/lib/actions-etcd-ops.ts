/**
 * What the `start-member` harness action waits for once it has started a member. A member added with
 * `etcdctl member add --learner` refuses client requests until it is promoted, `endpoint health` included
 * (etcd 3.4 answers "etcdserver: rpc not supported for learner"), so waiting for health would never end for it.
 * For a learner the action instead waits until the cluster lists the member as started (member list shows its
 * name, which an unstarted member lacks); for any other member it waits for `endpoint health`, as before.
 */
import type { EtcdSandbox } from './sandbox';

const POLL_MS = 250;
const START_TIMEOUT_MS = 30_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface ListedMember {
  name?: string;
  peerURLs?: string[];
  isLearner?: boolean;
}

async function listedMember(sandbox: EtcdSandbox, peerUrl: string): Promise<ListedMember | undefined> {
  const others = sandbox.nodes.filter((node) => node.peerUrl !== peerUrl && sandbox.isRunning(node.index)).map((node) => node.clientUrl);
  // Member IDs exceed JavaScript's safe integers; they are not needed here, so drop them before parsing.
  const json = (await sandbox.etcdctl(['member', 'list', '-w', 'json'], others)).replace(/"ID":\d+,?/g, '');
  const parsed = JSON.parse(json) as { members?: ListedMember[] };
  return parsed.members?.find((member) => member.peerURLs?.includes(peerUrl));
}

/** Resolves with how member `index` proved it is up: `healthy`, or `started learner` for a learner. */
export async function waitUntilMemberStarted(sandbox: EtcdSandbox, index: number, timeoutMs = START_TIMEOUT_MS): Promise<'healthy' | 'started learner'> {
  const node = sandbox.node(index);
  const deadline = Date.now() + timeoutMs;
  let last = 'not listed yet';
  while (Date.now() < deadline) {
    if (!sandbox.isRunning(index)) throw new Error(`${node.name} exited; log:\n${sandbox.logTail(index)}`);
    try {
      const member = await listedMember(sandbox, node.peerUrl);
      if (member && !member.isLearner) {
        await sandbox.waitHealthy([index], Math.max(deadline - Date.now(), POLL_MS));
        return 'healthy';
      }
      if (member?.isLearner && member.name) return 'started learner';
      last = member ? 'listed as an unstarted learner' : 'not in the member list';
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(POLL_MS);
  }
  throw new Error(`${node.name} not started after ${timeoutMs} ms (${last}); log:\n${sandbox.logTail(index)}`);
}
