import { keccak256, stringToBytes } from "viem";

/**
 * The shard a subscriber's messages travel on: the first 4 bytes of keccak256(subscriberId) modulo shardCount. Stable
 * across processes and languages (no runtime hash seed), so every listener routes a subscriber to the same executor
 * shard, and that subscriber's intents and cancels stay in order on one shard. Changing shardCount moves subscribers
 * between shards, so drain the executors before changing it.
 */
export function shardOf(subscriberId: string, shardCount: number): number {
  assertShardCount(shardCount);
  return shardPrefix(subscriberId) % shardCount;
}

/** Every publish routes by subscriber; the keccak is paid once per subscriber, not once per message. */
const prefixes = new Map<string, number>();

function shardPrefix(subscriberId: string): number {
  let prefix = prefixes.get(subscriberId);
  if (prefix === undefined) {
    const digest = keccak256(stringToBytes(subscriberId), "bytes");
    prefix = ((digest[0]! << 24) | (digest[1]! << 16) | (digest[2]! << 8) | digest[3]!) >>> 0;
    if (prefixes.size >= 100_000) prefixes.clear();
    prefixes.set(subscriberId, prefix);
  }
  return prefix;
}

/**
 * Bus messages per shard a batch is split into. Each subscriber's group is fixed (its shard prefix's next digit), so
 * an intent always travels under the same bus message id, whoever else the publishing listener put in its batch: two
 * listeners that disagree on a fill's followers can never both deliver one intent. Eight keeps a 1,000-follower
 * fan-out at ~30 intents (~25 KB) per bus message on 4 shards, and a group under NATS's 1 MB payload limit up to about
 * 40,000 followers of one leader.
 */
export const BATCH_GROUPS = 8;

export interface BatchGroup<T> {
  shard: number;
  /** In [0, BATCH_GROUPS). */
  group: number;
  /** In the order they were given. */
  messages: T[];
}

/** Splits messages by (shard, group) of their subscriber, groups in order of first appearance. */
export function batchGroups<T extends { subscriberId: string }>(messages: readonly T[], shardCount: number): BatchGroup<T>[] {
  assertShardCount(shardCount);
  const groups = new Map<number, BatchGroup<T>>();
  for (const message of messages) {
    const prefix = shardPrefix(message.subscriberId);
    const shard = prefix % shardCount;
    const group = Math.floor(prefix / shardCount) % BATCH_GROUPS;
    const key = shard * BATCH_GROUPS + group;
    let entry = groups.get(key);
    if (!entry) {
      entry = { shard, group, messages: [] };
      groups.set(key, entry);
    }
    entry.messages.push(message);
  }
  return [...groups.values()];
}

/** The bus message id of one group of a batch (see IntentBus). */
export function batchMessageId(batchId: string, group: Pick<BatchGroup<unknown>, "shard" | "group">): string {
  return `${batchId}/${group.shard}.${group.group}`;
}

export function assertShardCount(shardCount: number): void {
  if (!Number.isInteger(shardCount) || shardCount < 1) {
    throw new Error(`shard count must be an integer ≥ 1, got ${shardCount}`);
  }
}

/** Normalises a subscribe argument to a sorted list of distinct shards, rejecting any outside [0, shardCount). */
export function shardList(shards: number | readonly number[], shardCount: number): number[] {
  const list = [...new Set(typeof shards === "number" ? [shards] : shards)].sort((a, b) => a - b);
  if (list.length === 0) throw new Error("subscribe needs at least one shard");
  for (const shard of list) {
    if (!Number.isInteger(shard) || shard < 0 || shard >= shardCount) {
      throw new Error(`shard ${shard} is outside [0, ${shardCount})`);
    }
  }
  return list;
}
