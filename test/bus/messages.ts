import type { Hex } from "viem";
import { shardOf } from "../../services/bus/shard";
import type { BusMessage, CancelIntent, CopyIntent } from "../../services/intents/intent";
import { intentId } from "../../services/intents/intent-id";
import { waitFor } from "../support/wait";

/** Message fixtures and polling shared by the bus tests. */

const TX = `0x${"cd".repeat(32)}` as Hex;

export function intent(subscriberId: string, logIndex: number): CopyIntent {
  return {
    kind: "intent",
    version: 1,
    id: intentId(137, TX, logIndex, subscriberId),
    chainId: 137,
    subscriberId,
    leader: "0x1000000000000000000000000000000000000001",
    source: {
      exchange: "0xE111180000d2663C0091e4f400237545B87B996B",
      layout: "v2",
      txHash: TX,
      logIndex,
      blockNumber: 1n,
      blockHash: `0x${"ab".repeat(32)}`,
      blockTimestamp: 1_764_000_000,
      tokenId: 42n,
      side: "BUY",
      price: 0.5,
      collateralAmount: 50_000_000n,
      shareAmount: 100_000_000n,
    },
    order: { side: "BUY", tokenId: 42n, collateralAmount: 5_000_000n, limitPriceMicros: 510_000n, maxSlippageBps: 200 },
    timestamps: { fillFirstSeenAtMs: 1, intentCreatedAtMs: 2 },
  };
}

export function cancelOf(message: CopyIntent): CancelIntent {
  return {
    kind: "cancel",
    version: 1,
    id: message.id,
    subscriberId: message.subscriberId,
    reason: "reorg",
    cancelledAtMs: 3,
  };
}

/** A readable tag of a message, for asserting sequences. */
export function label(message: BusMessage): string {
  return message.kind === "intent"
    ? `intent:${message.subscriberId}:${message.source.logIndex}`
    : `cancel:${message.subscriberId}:${message.id.slice(0, 8)}`;
}

/** One subscriber id per shard: ids[n] lands on shard n. */
export function idsByShard(shardCount: number): string[] {
  const ids: string[] = [];
  for (let i = 0; ids.filter(Boolean).length < shardCount; i++) ids[shardOf(`sub-${i}`, shardCount)] ??= `sub-${i}`;
  return ids;
}

export async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  await waitFor(what, condition, timeoutMs, 5);
}
