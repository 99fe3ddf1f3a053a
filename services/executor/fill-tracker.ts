import type { Address, Hex } from "viem";
import { ORDER_FILLED_V2_TOPIC } from "../polymarket/abi";
import { postJsonRpc } from "../rpc/http-json-rpc";

/** A subscriber's order seen filled on chain: the aggregated OrderFilled whose orderHash is the order's EIP-712 hash. */
export interface OnChainFill {
  orderHash: Hex;
  txHash: Hex;
  blockNumber: bigint;
  /** When this tracker saw it (epoch ms): the end of the copy-latency measurement. */
  seenAtMs: number;
}

export interface FillTrackerOptions {
  rpcUrl: string;
  /** The exchanges orders are placed on (V2, NegRisk V2, ExchangeV3). */
  exchanges: readonly Address[];
  pollMs: number;
  /** An order not filled within this is given up on (a FAK that did not match, a venue that never settled). */
  giveUpAfterMs: number;
  requestTimeoutMs?: number;
  onError?: (err: Error) => void;
}

interface Watch {
  resolve: (fill: OnChainFill | undefined) => void;
  giveUpAt: number;
}

/**
 * Watches the chain for the subscribers' own fills. One eth_getLogs per new block covers every order in flight
 * (topic1 = any of their hashes), so a fan-out of a thousand orders costs one request per block, not a thousand.
 */
export class FillTracker {
  private readonly watches = new Map<Hex, Watch>();
  private nextBlock: bigint | undefined;
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private stopped = false;

  constructor(private readonly options: FillTrackerOptions) {}

  /** Resolves with the fill, or undefined after giveUpAfterMs or on stop (at once when already stopped). */
  watch(orderHash: Hex): Promise<OnChainFill | undefined> {
    if (this.stopped) return Promise.resolve(undefined);
    const key = orderHash.toLowerCase() as Hex;
    return new Promise((resolve) => {
      this.watches.set(key, { resolve, giveUpAt: Date.now() + this.options.giveUpAfterMs });
      this.timer ??= setInterval(() => void this.poll(), this.options.pollMs);
    });
  }

  get watching(): number {
    return this.watches.size;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const watch of this.watches.values()) watch.resolve(undefined);
    this.watches.clear();
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const now = Date.now();
      for (const [hash, watch] of this.watches) {
        if (now < watch.giveUpAt) continue;
        this.watches.delete(hash);
        watch.resolve(undefined);
      }
      if (this.watches.size === 0) {
        clearInterval(this.timer);
        this.timer = undefined;
        this.nextBlock = undefined;
        return;
      }
      const head = BigInt((await this.rpc("eth_blockNumber", [])) as string);
      // Start one block back on the first poll: the order may have been mined just before it was watched.
      const from = this.nextBlock ?? (head > 0n ? head - 1n : 0n);
      if (from > head) return;
      const logs = (await this.rpc("eth_getLogs", [
        {
          fromBlock: `0x${from.toString(16)}`,
          toBlock: `0x${head.toString(16)}`,
          address: this.options.exchanges,
          topics: [ORDER_FILLED_V2_TOPIC, [...this.watches.keys()]],
        },
      ])) as { topics: Hex[]; transactionHash: Hex; blockNumber: Hex; removed?: boolean }[];
      this.nextBlock = head + 1n;
      const seenAtMs = Date.now();
      for (const log of logs) {
        const hash = log.topics[1]?.toLowerCase() as Hex | undefined;
        const watch = hash && this.watches.get(hash);
        if (!watch || log.removed) continue;
        this.watches.delete(hash);
        watch.resolve({ orderHash: hash, txHash: log.transactionHash, blockNumber: BigInt(log.blockNumber), seenAtMs });
      }
    } catch (err) {
      this.options.onError?.(err as Error);
    } finally {
      this.polling = false;
    }
  }

  private rpc(method: string, params: unknown[]): Promise<unknown> {
    return postJsonRpc("fill-tracker", this.options.rpcUrl, method, params, this.options.requestTimeoutMs ?? 2_000);
  }
}
