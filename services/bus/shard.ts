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
