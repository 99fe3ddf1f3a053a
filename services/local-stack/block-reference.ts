import WebSocket from "ws";
import { preciseNowMs } from "../rpc/clock";

export interface BlockReference {
  /** When each block (by hash) reached us straight from anvil, with no provider in between. */
  readonly seenAtMs: Map<string, number>;
  /** The highest block number seen at the node: "how many blocks after the leader's" for copy latency. */
  readonly latest: () => bigint | undefined;
  stop(): void;
}

/**
 * A direct newHeads subscription to the node itself: the zero point for "how long after the block existed did the
 * listener see the fill", which no provider's latency can distort.
 */
export async function watchBlocksAtNode(wsUrl: string): Promise<BlockReference> {
  const seenAtMs = new Map<string, number>();
  let latest: bigint | undefined;
  const socket = new WebSocket(wsUrl);
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", (err) => reject(new Error(`cannot subscribe to the node's heads: ${err.message}`)));
  });
  socket.on("message", (data) => {
    const atMs = preciseNowMs();
    const message = JSON.parse(data.toString()) as { method?: string; params?: { result?: { hash?: string; number?: string } } };
    const head = message.method === "eth_subscription" ? message.params?.result : undefined;
    const hash = head?.hash;
    if (!hash || seenAtMs.has(hash)) return;
    if (head.number && (latest === undefined || BigInt(head.number) > latest)) latest = BigInt(head.number);
    seenAtMs.set(hash, atMs);
    if (seenAtMs.size > 4096) seenAtMs.delete(seenAtMs.keys().next().value as string);
  });
  socket.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_subscribe", params: ["newHeads"] }));
  return {
    seenAtMs,
    latest: () => latest,
    stop: () => {
      socket.removeAllListeners();
      socket.on("error", () => {});
      socket.terminate();
    },
  };
}
