import type { Logger } from "pino";
import type { Address, Hex } from "viem";
import type { BatchPart, IntentBus } from "../bus/bus";
import { INTENT_VERSION, type BusMessage, type CancelIntent } from "../intents/intent";
import { preciseNowMs } from "../rpc/clock";
import type { ListenerInstruments } from "./detector";
import { fillKey, type Fill } from "./fill";
import { buildIntents } from "./intents/build-intents";
import type { ExposureLedger } from "./sizing/exposure";
import type { CopyRule } from "./subscribers/schema";

export interface PublishedCopy {
  intentId: Hex;
  subscriberId: string;
}

export interface CopyPipelineOptions {
  rules: () => ReadonlyMap<Address, readonly CopyRule[]>;
  globalKillSwitch: () => boolean;
  ledger: ExposureLedger;
  bus: IntentBus;
  metrics: ListenerInstruments;
  log: Logger;
}

/**
 * Leader fill → sized copy intents on the bus, and reorged fill → cancels. Reservations are charged before publishing,
 * given back if the bus refuses an intent or its fill is cancelled, so exposure caps follow what executors may act on.
 */
export class CopyPipeline {
  private readonly published = new Map<string, { fill: Fill; copies: PublishedCopy[] }>();
  /** Bound once: a label lookup per observation is measurable on the detect → intent path. */
  private readonly stages;

  constructor(private readonly options: CopyPipelineOptions) {
    const stage = (name: string) => options.metrics.stageDuration.labels({ stage: name });
    this.stages = { intent: stage("intent"), detect: stage("detect"), publish: stage("publish"), published: stage("published") };
  }

  async onFill(fill: Fill, firstSeenAtMs: number): Promise<PublishedCopy[]> {
    const { metrics, ledger, bus, log } = this.options;
    const started = performance.now();
    const built = buildIntents(fill, this.options.rules(), ledger, {
      // The same clock as fillFirstSeenAtMs, so intentCreatedAtMs − fillFirstSeenAtMs is our time, never negative.
      nowMs: preciseNowMs(),
      fillFirstSeenAtMs: firstSeenAtMs,
      globalKillSwitch: this.options.globalKillSwitch(),
    });
    const intentSeconds = (performance.now() - started) / 1000;
    // Reserve before publishing: a second fill decided while this publish is in flight must already see the room taken.
    for (const reservation of built.reservations) ledger.reserve(reservation);
    const detectSeconds = Math.max(0, preciseNowMs() - firstSeenAtMs) / 1000;
    // Every fill of one socket read is sized before any of them pays the bus's serialisation (~0.2 ms per intent on
    // NATS) or the stage histograms' label hashing: the microtask queue runs once the read's last message is handled.
    await Promise.resolve();
    this.stages.intent.observe(intentSeconds);
    this.stages.detect.observe(detectSeconds);
    const handedAt = performance.now();
    const pending = publishAll(bus, fillBatchId(fill), built.intents);
    for (const skip of built.skipped) {
      metrics.intents.inc({ outcome: skip.reason });
      log.info({ subscriber: skip.subscriberId, reason: skip.reason, detail: skip.detail, tx: fill.txHash, logIndex: fill.logIndex }, "copy skipped");
    }
    const parts = await pending;
    this.stages.publish.observe((performance.now() - handedAt) / 1000);
    this.stages.published.observe(Math.max(0, preciseNowMs() - firstSeenAtMs) / 1000);
    const copies: PublishedCopy[] = [];
    for (const part of parts) {
      for (const intent of part.messages) {
        if (!part.ok) {
          ledger.release(intent.id);
          metrics.intents.inc({ outcome: "publish_failed" });
          log.error({ intent: intent.id, subscriber: intent.subscriberId, err: part.error.message }, "intent publish failed");
          continue;
        }
        metrics.intents.inc({ outcome: "published" });
        copies.push({ intentId: intent.id, subscriberId: intent.subscriberId });
      }
    }
    if (copies.length > 0) this.published.set(fillKey(fill), { fill, copies });
    log.info(
      { tx: fill.txHash, logIndex: fill.logIndex, leader: fill.maker, side: fill.side, price: fill.price, intents: copies.length, skipped: built.skipped.length },
      "leader fill",
    );
    return copies;
  }

  /** The fill left the canonical chain: every intent it produced is withdrawn and its reservation given back. */
  async onFillRemoved(fill: Fill, source: string): Promise<void> {
    const key = fillKey(fill);
    const entry = this.published.get(key);
    if (!entry) return;
    this.published.delete(key);
    const cancelledAtMs = Date.now();
    const cancels = entry.copies.map(
      (copy): CancelIntent => ({ kind: "cancel", version: INTENT_VERSION, id: copy.intentId, subscriberId: copy.subscriberId, reason: "reorg", cancelledAtMs }),
    );
    for (const part of await publishAll(this.options.bus, `cancel:${fillBatchId(fill)}`, cancels)) {
      for (const cancel of part.messages) {
        if (!part.ok) {
          this.options.log.error({ intent: cancel.id, err: part.error.message }, "cancel publish failed");
          continue;
        }
        this.options.ledger.release(cancel.id);
        this.options.metrics.intentsCancelled.inc({ reason: "reorg" });
      }
    }
    this.options.log.warn({ tx: fill.txHash, logIndex: fill.logIndex, source, cancelled: entry.copies.length }, "fill reorged out; intents cancelled");
  }

  /** Forget fills too old to be reorged; their intents' reservations stay charged but are no longer tracked. */
  forgetBefore(blockNumber: bigint): void {
    for (const [key, entry] of this.published) {
      if (entry.fill.blockNumber >= blockNumber) continue;
      this.published.delete(key);
      for (const copy of entry.copies) this.options.ledger.settle(copy.intentId);
    }
  }
}

/**
 * Names a fill's batch on the bus: every listener (every region) derives the same, so the duplicate window drops the
 * second listener's publish of it, as it did the intent ids when each intent was its own bus message.
 */
function fillBatchId(fill: Fill): string {
  return `fill:${fill.chainId}:${fillKey(fill)}`;
}

/** publishBatch, with a bus that refuses the whole batch reported like a part that failed. */
async function publishAll(bus: IntentBus, batchId: string, messages: readonly BusMessage[]): Promise<BatchPart[]> {
  if (messages.length === 0) return [];
  try {
    return await bus.publishBatch(batchId, messages);
  } catch (err) {
    return [{ shard: -1, messages, ok: false, error: err as Error }];
  }
}
