/**
 * Known data for restore scenarios: keys written in transactions, read back in one range read, and the
 * identifiers etcdctl prints as JSON. Member and cluster IDs are 64-bit, beyond JSON numbers' exact range, so
 * they are taken from the text rather than from JSON.parse.
 */
import { createHash } from 'node:crypto';
/** What the helpers need from a cluster: etcdctl with a client identity (the lab's nodes, or the old sandbox). */
export interface EtcdClient {
  etcdctl(args: string[], endpoints?: string[], stdin?: string): Promise<string>;
}

/** etcd's default --max-txn-ops is 128; 100 puts per transaction stays under it. */
const PUTS_PER_TXN = 100;

/** The value key `index` gets: its number and a hash of it, so a swapped or truncated value shows. */
export function expectedValue(index: number): string {
  return `value-${String(index).padStart(4, '0')}-${createHash('sha256').update(String(index)).digest('hex').slice(0, 16)}`;
}

export function keyName(prefix: string, index: number): string {
  return `${prefix}${String(index).padStart(4, '0')}`;
}

/** Writes keys `<prefix>0000` ... with `expectedValue(index)`, through every member's endpoint. */
export async function writeKeys(sandbox: EtcdClient, prefix: string, count: number, endpoints?: string[]): Promise<void> {
  for (let start = 0; start < count; start += PUTS_PER_TXN) {
    const puts: string[] = [];
    for (let index = start; index < Math.min(count, start + PUTS_PER_TXN); index += 1) puts.push(`put ${keyName(prefix, index)} ${expectedValue(index)}`);
    // etcdctl txn reads: compares, a blank line, success operations, a blank line, failure operations.
    await sandbox.etcdctl(['txn'], endpoints, `\n${puts.join('\n')}\n\n\n`);
  }
}

/** Every key and value under `prefix`, read with one linearizable range request. */
export async function readKeys(sandbox: EtcdClient, prefix: string, endpoints?: string[]): Promise<Map<string, string>> {
  const output = await sandbox.etcdctl(['get', prefix, '--prefix', '-w', 'json'], endpoints);
  const parsed = JSON.parse(output) as { kvs?: { key: string; value: string }[] };
  const keys = new Map<string, string>();
  for (const kv of parsed.kvs ?? []) keys.set(Buffer.from(kv.key, 'base64').toString('utf8'), Buffer.from(kv.value, 'base64').toString('utf8'));
  return keys;
}

/** The first `"revision":N` in etcdctl JSON output (snapshot status, endpoint status, get). */
export function revisionOf(json: string): number {
  const match = /"revision":(\d+)/.exec(json);
  if (!match) throw new Error(`no revision in: ${json.slice(0, 200)}`);
  return Number(match[1]);
}

/** The cluster ID from `member list -w json`, as decimal text. */
export function clusterId(json: string): string {
  const match = /"cluster_id":(\d+)/.exec(json);
  if (!match?.[1]) throw new Error(`no cluster_id in: ${json.slice(0, 200)}`);
  return match[1];
}
