/**
 * Helpers for the etcd-ops scenarios (member replacement, NOSPACE): a background writer that records every write
 * etcd acknowledged, and readers that parse `etcdctl ... -w json` output.
 */
import type { EtcdClient } from './keys';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One `etcdctl put` the writer attempted. */
export interface WriteAttempt {
  key: string;
  value: string;
  startedAtMs: number;
  acknowledged: boolean;
  error?: string;
}

/**
 * Writes `<prefix><n>` = `value-<n>` one after another through every member's client URL until stopped. A write
 * counts as acknowledged only when etcdctl exits 0 and prints `OK`, i.e. the cluster committed it.
 */
export class AcknowledgedWriter {
  readonly attempts: WriteAttempt[] = [];
  private running = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly sandbox: EtcdClient,
    private readonly prefix: string,
    /** Pause between writes, so the writer does not starve etcd of CPU on a small machine. */
    private readonly pauseMs = 25,
  ) {}

  get acknowledged(): Map<string, string> {
    return new Map(this.attempts.filter((attempt) => attempt.acknowledged).map((attempt) => [attempt.key, attempt.value]));
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    let sequence = 0;
    while (this.running) {
      sequence += 1;
      const key = `${this.prefix}${String(sequence).padStart(6, '0')}`;
      const value = `value-${sequence}`;
      const attempt: WriteAttempt = { key, value, startedAtMs: Date.now(), acknowledged: false };
      this.attempts.push(attempt);
      try {
        const stdout = await this.sandbox.etcdctl(['--command-timeout=3s', 'put', key, value]);
        attempt.acknowledged = stdout.trim() === 'OK';
        if (!attempt.acknowledged) attempt.error = `unexpected output ${JSON.stringify(stdout.trim())}`;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        // etcdctl ends with one `Error: <reason>` line after its retry logs; keep only the reason.
        attempt.error = /^Error: (.*)$/m.exec(message)?.[1] ?? message.split('\n')[0] ?? message;
      }
      await sleep(this.pauseMs);
    }
  }

  /** How many writes failed, by etcdctl's reason, e.g. `{ "context deadline exceeded": 3 }`. */
  failureReasons(): Record<string, number> {
    const reasons: Record<string, number> = {};
    for (const attempt of this.attempts) {
      if (attempt.acknowledged || attempt.error === undefined) continue;
      reasons[attempt.error] = (reasons[attempt.error] ?? 0) + 1;
    }
    return reasons;
  }

  /** Resolves once `count` writes have been acknowledged; rejects after `timeoutMs`. */
  async waitForAcknowledged(count: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.acknowledged.size >= count) return;
      await sleep(50);
    }
    throw new Error(`only ${this.acknowledged.size} of ${count} writes acknowledged after ${timeoutMs} ms`);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}

interface JsonKeyValue {
  key: string;
  value?: string;
}

/**
 * Every key under `prefix` with its value, read through `endpoints`. `serializable` reads answer from the member's
 * own copy instead of going through the leader, so they show what that member has applied.
 */
export async function readPrefix(sandbox: EtcdClient, prefix: string, endpoints: string[], serializable = false): Promise<Map<string, string>> {
  const args = ['get', prefix, '--prefix', '-w', 'json', ...(serializable ? ['--consistency=s'] : [])];
  const parsed = JSON.parse(await sandbox.etcdctl(args, endpoints)) as { kvs?: JsonKeyValue[] };
  const decode = (base64: string | undefined) => Buffer.from(base64 ?? '', 'base64').toString('utf8');
  return new Map((parsed.kvs ?? []).map((kv) => [decode(kv.key), decode(kv.value)]));
}

/** Acknowledged writes that `stored` lacks or holds with another value. */
export function missingWrites(acknowledged: Map<string, string>, stored: Map<string, string>): string[] {
  return [...acknowledged].filter(([key, value]) => stored.get(key) !== value).map(([key]) => key);
}

export interface MemberRow {
  id: string;
  name: string;
  peerUrls: string[];
  clientUrls: string[];
  isLearner: boolean;
}

/** `etcdctl member list -w json`, with the IDs in the hex form the table and `member remove` use. */
export async function memberList(sandbox: EtcdClient): Promise<MemberRow[]> {
  const stdout = await sandbox.etcdctl(['member', 'list', '-w', 'json']);
  // Member IDs are 64-bit and do not fit a JS number; quote them before parsing.
  const quoted = stdout.replace(/"ID":(\d+)/g, '"ID":"$1"');
  const parsed = JSON.parse(quoted) as {
    members?: { ID: string; name?: string; peerURLs?: string[]; clientURLs?: string[]; isLearner?: boolean }[];
  };
  return (parsed.members ?? []).map((member) => ({
    id: BigInt(member.ID).toString(16),
    name: member.name ?? '',
    peerUrls: member.peerURLs ?? [],
    clientUrls: member.clientURLs ?? [],
    isLearner: member.isLearner === true,
  }));
}

export interface EndpointStatusRow {
  endpoint: string;
  dbSizeBytes: number;
  dbSizeInUseBytes: number;
  alarms: string[];
  isLeader: boolean;
}

/** `etcdctl endpoint status -w json` for the given endpoints. */
export async function endpointStatus(sandbox: EtcdClient, endpoints: string[]): Promise<EndpointStatusRow[]> {
  const stdout = await sandbox.etcdctl(['endpoint', 'status', '-w', 'json'], endpoints);
  const quoted = stdout.replace(/"(member_id|leader|cluster_id)":(\d+)/g, '"$1":"$2"');
  const parsed = JSON.parse(quoted) as {
    Endpoint: string;
    Status: { header: { member_id: string }; leader: string; dbSize: number; dbSizeInUse?: number; errors?: string[] };
  }[];
  return parsed.map((row) => ({
    endpoint: row.Endpoint,
    dbSizeBytes: row.Status.dbSize,
    dbSizeInUseBytes: row.Status.dbSizeInUse ?? 0,
    alarms: row.Status.errors ?? [],
    isLeader: row.Status.header.member_id === row.Status.leader,
  }));
}
