import { numberToHex, type Hex } from "viem";
import { readBlockHeader, type BlockHeader } from "../rpc/block-header";
import { bloomMayMatch } from "../rpc/bloom";
import type { HttpRouter } from "../rpc/http-router";

export interface ConfirmerFilter {
  address: readonly Hex[];
  topics0: readonly Hex[];
}

export interface ConfirmerEvents {
  /** Logs of a canonical block fetched by hash; the detector dedupes them against what the subscriptions delivered. */
  logs(block: BlockHeader, logs: unknown[], reason: BackfillReason): void;
  /** Blocks that left the canonical chain; their fills must be cancelled. */
  orphaned(blocks: BlockHeader[]): void;
  confirmed(block: BlockHeader): void;
  error(err: Error): void;
}

export type BackfillReason = "reconcile" | "gap" | "startup" | "reorg";

/** How deep a reorg is followed before giving up with an error (Polygon's milestones finalize in seconds). */
const MAX_REORG_DEPTH = 64;
/** Confirmed headers kept for parent-hash checks and orphan lookups. */
const KEEP_CONFIRMED = 256;

/**
 * Walks the canonical chain block by block and confirms each block's exchange logs are complete, whatever the
 * subscriptions did: it is the backfill after a gap, a reconnect or a stall, and the reorg detector (parent-hash
 * continuity). Logs are queried by block hash, so a load-balanced provider cannot answer for another block; an empty
 * answer for a block whose bloom says "maybe" is asked again elsewhere.
 */
export class BlockConfirmer {
  private readonly confirmed = new Map<bigint, BlockHeader>();
  /** Latest header seen per height from the subscriptions or the poller; a candidate until confirmed. */
  private readonly candidates = new Map<bigint, BlockHeader>();
  private next: bigint | undefined;
  private target: bigint | undefined;
  private running: Promise<void> | undefined;
  private wantsRerun = false;

  constructor(
    private readonly router: HttpRouter,
    private readonly filter: ConfirmerFilter,
    private readonly events: ConfirmerEvents,
  ) {}

  /** First block to confirm; earlier blocks are taken as done (from a checkpoint or the head at start). */
  startAt(block: bigint): void {
    this.next = block;
  }

  get lastConfirmed(): bigint | undefined {
    return this.next === undefined ? undefined : this.next - 1n;
  }

  /** A header from a subscription or the poller. A different hash at a confirmed height means a reorg. */
  offerHeader(header: BlockHeader): void {
    const known = this.candidates.get(header.number);
    if (known && known.hash === header.hash) return;
    this.candidates.set(header.number, header);
    const confirmed = this.confirmed.get(header.number);
    if (confirmed && confirmed.hash !== header.hash && this.next !== undefined && header.number < this.next) {
      this.next = header.number;
    }
  }

  /** Confirms every block up to `head`; concurrent calls coalesce into one walk. */
  advanceTo(head: bigint): Promise<void> {
    if (this.target === undefined || head > this.target) this.target = head;
    if (this.running) {
      this.wantsRerun = true;
      return this.running;
    }
    this.running = this.walk().finally(() => {
      this.running = undefined;
      if (this.wantsRerun) {
        this.wantsRerun = false;
        void this.advanceTo(this.target ?? head);
      }
    });
    return this.running;
  }

  private async walk(): Promise<void> {
    if (this.next === undefined && this.target !== undefined) this.next = this.target;
    while (this.next !== undefined && this.target !== undefined && this.next <= this.target) {
      const n = this.next;
      try {
        const header = this.candidates.get(n) ?? (await this.fetchHeaderByNumber(n));
        const parent = this.confirmed.get(n - 1n);
        if (parent && parent.hash !== header.parentHash) {
          await this.unwind(header);
          continue;
        }
        this.orphanAbove(n, header.hash);
        await this.confirm(header, this.candidates.has(n) ? "reconcile" : "gap");
      } catch (err) {
        this.events.error(err as Error);
        return;
      }
    }
  }

  private async confirm(header: BlockHeader, reason: BackfillReason): Promise<void> {
    if (bloomMayMatch(header.logsBloom, this.filter.address, this.filter.topics0)) {
      const logs = await this.fetchLogs(header);
      this.events.logs(header, logs, reason);
    }
    this.confirmed.set(header.number, header);
    this.confirmed.delete(header.number - BigInt(KEEP_CONFIRMED));
    this.candidates.delete(header.number - BigInt(KEEP_CONFIRMED));
    this.next = header.number + 1n;
    this.events.confirmed(header);
  }

  /** Confirmed blocks at or above `n` that are not `keepHash` left the chain. */
  private orphanAbove(n: bigint, keepHash: Hex): void {
    const orphaned: BlockHeader[] = [];
    for (const [number, block] of this.confirmed) {
      if (number >= n && !(number === n && block.hash === keepHash)) orphaned.push(block);
    }
    if (orphaned.length === 0) return;
    for (const block of orphaned) this.confirmed.delete(block.number);
    this.events.orphaned(orphaned.sort((a, b) => (a.number < b.number ? -1 : 1)));
  }

  /** `header`'s parent is not our confirmed block: follow parent hashes back to the fork point. */
  private async unwind(header: BlockHeader): Promise<void> {
    let cursor = header;
    for (let depth = 0; depth < MAX_REORG_DEPTH; depth++) {
      const ours = this.confirmed.get(cursor.number - 1n);
      if (!ours || ours.hash === cursor.parentHash) {
        this.next = cursor.number;
        this.orphanAbove(cursor.number, cursor.hash);
        return;
      }
      const parent = await this.fetchHeaderByHash(cursor.parentHash);
      this.candidates.set(parent.number, parent);
      cursor = parent;
    }
    throw new Error(`reorg deeper than ${MAX_REORG_DEPTH} blocks below ${header.number}; manual recovery needed`);
  }

  private async fetchHeaderByNumber(n: bigint): Promise<BlockHeader> {
    const { result } = await this.router.request("eth_getBlockByNumber", [numberToHex(n), false], {
      minHead: n,
      accept: (r) => r !== null,
    });
    if (result === null) throw new Error(`block ${n} not found at any provider`);
    return readBlockHeader(result);
  }

  private async fetchHeaderByHash(hash: Hex): Promise<BlockHeader> {
    const { result } = await this.router.request("eth_getBlockByHash", [hash, false], { accept: (r) => r !== null });
    if (result === null) throw new Error(`block ${hash} not found at any provider`);
    return readBlockHeader(result);
  }

  /**
   * Logs of one block by hash. An empty list wins only when two providers agree (or only one could be asked): the
   * bloom said this block may hold exchange logs, and a lagging node answers [] for a block it has not seen.
   */
  private async fetchLogs(header: BlockHeader): Promise<unknown[]> {
    let emptyAnswers = 0;
    const { result } = await this.router.request(
      "eth_getLogs",
      [{ blockHash: header.hash, address: this.filter.address, topics: [this.filter.topics0] }],
      {
        minHead: header.number,
        accept: (r) => {
          if (!Array.isArray(r)) return false;
          if (r.length > 0) return true;
          emptyAnswers += 1;
          return emptyAnswers >= 2;
        },
      },
    );
    if (!Array.isArray(result)) throw new Error(`eth_getLogs for block ${header.number} did not return a list`);
    return result;
  }
}
