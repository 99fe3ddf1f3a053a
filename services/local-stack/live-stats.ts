import type { ExecutionReport } from "../executor/executor";
import type { BusMessage } from "../intents/intent";
import { preciseNowMs } from "../rpc/clock";

export interface RecentFill {
  atMs: number;
  subscriber: string;
  side: string;
  leader: string;
  detectMs: number | undefined;
}

export interface RecentOrder {
  atMs: number;
  region: string;
  subscriber: string;
  outcome: string;
  /** Leader fill first seen → this outcome. */
  sinceFillMs: number;
  /** Blocks after the leader's block: the head at acceptance, or the subscriber's fill block. */
  blocks: number | undefined;
  reason?: string;
}

/** Copy latency samples, from the leader's fill first seen, to the order accepted and to the subscriber's fill mined. */
export interface CopySamples {
  acceptedMs: number[];
  acceptedBlocks: number[];
  filledMs: number[];
  filledBlocks: number[];
}

/**
 * What the terminal view shows beyond the services' own metrics: intents and cancels as the listener publishes them
 * (with detection latency from the block reaching the node itself), and the executors' reports as copy latency in ms
 * and blocks.
 */
export class LiveStats {
  intents = 0;
  cancels = 0;
  readonly detectionMs: number[] = [];
  readonly recent: RecentFill[] = [];
  readonly orders: RecentOrder[] = [];
  readonly outcomes = new Map<string, number>();
  readonly copy: CopySamples = { acceptedMs: [], acceptedBlocks: [], filledMs: [], filledBlocks: [] };

  constructor(
    private readonly blockSeenAtMs: ReadonlyMap<string, number>,
    private readonly latestBlock: () => bigint | undefined,
    private readonly keep = 2000,
  ) {}

  onPublish(message: BusMessage): void {
    if (message.kind === "cancel") {
      this.cancels++;
      return;
    }
    this.intents++;
    const produced = this.blockSeenAtMs.get(message.source.blockHash);
    const detectMs = produced === undefined ? undefined : preciseNowMs() - produced;
    if (detectMs !== undefined) this.push(this.detectionMs, detectMs);
    this.recent.unshift({ atMs: Date.now(), subscriber: message.subscriberId, side: message.order.side, leader: message.leader, detectMs });
    this.recent.length = Math.min(this.recent.length, 6);
  }

  onReport(region: string, report: ExecutionReport): void {
    this.outcomes.set(report.outcome, (this.outcomes.get(report.outcome) ?? 0) + 1);
    const sinceFillMs = report.atMs - report.fillFirstSeenAtMs;
    const head = report.fill?.blockNumber ?? this.latestBlock();
    const blocks = head === undefined ? undefined : Number(head - report.leaderBlock);
    if (report.outcome === "accepted") {
      this.push(this.copy.acceptedMs, sinceFillMs);
      if (blocks !== undefined) this.push(this.copy.acceptedBlocks, blocks);
    } else if (report.outcome === "filled") {
      this.push(this.copy.filledMs, sinceFillMs);
      if (blocks !== undefined) this.push(this.copy.filledBlocks, blocks);
    }
    this.orders.unshift({
      atMs: report.atMs,
      region,
      subscriber: report.subscriberId,
      outcome: report.outcome,
      sinceFillMs,
      blocks,
      ...(report.reason !== undefined && report.outcome !== "accepted" ? { reason: report.reason } : {}),
    });
    this.orders.length = Math.min(this.orders.length, 6);
  }

  private push(samples: number[], value: number): void {
    samples.push(value);
    if (samples.length > this.keep) samples.shift();
  }
}
