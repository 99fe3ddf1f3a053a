import type { IntentBus } from "../bus/bus";
import { preciseNowMs } from "../rpc/clock";

export interface RecentFill {
  atMs: number;
  subscriber: string;
  side: string;
  leader: string;
  detectMs: number | undefined;
}

/**
 * What the terminal view shows of the bus: intents and cancels, and for each intent how long after the block reached
 * the node itself it was on the bus (detection latency, provider time included).
 */
export class LiveStats {
  intents = 0;
  cancels = 0;
  readonly detectionMs: number[] = [];
  readonly recent: RecentFill[] = [];

  constructor(private readonly blockSeenAtMs: ReadonlyMap<string, number>, private readonly keep = 2000) {}

  async attach(bus: IntentBus): Promise<void> {
    const shards = Array.from({ length: bus.shardCount }, (_, i) => i);
    await bus.subscribe(shards, (message) => {
      if (message.kind === "cancel") {
        this.cancels++;
        return;
      }
      this.intents++;
      const produced = this.blockSeenAtMs.get(message.source.blockHash);
      const detectMs = produced === undefined ? undefined : preciseNowMs() - produced;
      if (detectMs !== undefined) {
        this.detectionMs.push(detectMs);
        if (this.detectionMs.length > this.keep) this.detectionMs.shift();
      }
      this.recent.unshift({ atMs: Date.now(), subscriber: message.subscriberId, side: message.order.side, leader: message.leader, detectMs });
      this.recent.length = Math.min(this.recent.length, 8);
    });
  }
}
