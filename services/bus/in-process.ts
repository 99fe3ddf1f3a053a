import { setTimeout as sleep } from "node:timers/promises";
import { decodeBatch, encodeBatch, type DecodedBatch } from "../intents/batch";
import { encodeMessage, type BusMessage } from "../intents/intent";
import {
  messageId,
  oneAtATime,
  type BatchHandler,
  type BatchPart,
  type BusSubscription,
  type IntentBus,
  type MessageHandler,
  type PublishResult,
  type SubscribeOptions,
} from "./bus";
import { assertShardCount, batchGroups, batchMessageId, shardList, shardOf } from "./shard";

export interface InProcessBusOptions {
  shardCount: number;
  /** Same role as JetStream's duplicate window. Default 2 minutes. */
  duplicateWindowMs?: number;
  /** Attempts per message before it is given up. Default 5. */
  maxDeliver?: number;
  /** Pause before redelivering a message whose handler threw. Default 100 ms. */
  retryDelayMs?: number;
  now?: () => number;
  /**
   * Sees every message accepted for delivery (duplicates excluded), besides the subscribers: the local stack's view
   * watches intents while the executor owns every shard.
   */
  onPublish?: (message: BusMessage) => void;
}

interface ShardState {
  /** Encoded payloads: messages cross the bus serialised, as on NATS, so the local stack exercises the codec. */
  queue: QueuedPayload[];
  consumer?: ShardConsumer;
  /** The delivery loop running on this shard, and whose it is (a drained subscription waits only for its own). */
  pumping?: { consumer: ShardConsumer; done: Promise<void> };
}

interface QueuedPayload {
  payload: string;
  attempts: number;
  /** Decoded at the first delivery; a retry hands over the same messages. */
  decoded?: DecodedBatch;
}

interface ShardConsumer {
  handler: BatchHandler;
  options: SubscribeOptions;
  stopped: boolean;
}

/**
 * IntentBus inside one process, for the local stack and tests. It keeps NatsBus's semantics that callers can observe:
 * asynchronous delivery, per-shard order, a batch group as one bus message (one id, one payload, delivered and retried
 * whole), at-least-once with bounded retries, duplicate window, and messages that wait
 * for a subscriber (published before anyone subscribed, or between an unsubscribe and the next subscribe). One
 * subscription per shard at a time: shards are the unit of work sharing.
 */
export class InProcessBus implements IntentBus {
  readonly shardCount: number;
  private readonly shards: ShardState[];
  private readonly seen = new Map<string, number>();
  private readonly subscriptions = new Set<BusSubscription>();
  private readonly duplicateWindowMs: number;
  private readonly maxDeliver: number;
  private readonly retryDelayMs: number;
  private readonly now: () => number;
  private readonly onPublish: ((message: BusMessage) => void) | undefined;
  private closed = false;

  constructor(options: InProcessBusOptions) {
    assertShardCount(options.shardCount);
    this.shardCount = options.shardCount;
    this.shards = Array.from({ length: options.shardCount }, () => ({ queue: [] }));
    this.duplicateWindowMs = options.duplicateWindowMs ?? 120_000;
    this.maxDeliver = options.maxDeliver ?? 5;
    this.retryDelayMs = options.retryDelayMs ?? 100;
    this.now = options.now ?? Date.now;
    this.onPublish = options.onPublish;
  }

  async publish(message: BusMessage): Promise<PublishResult> {
    if (this.closed) throw new Error("in-process intent bus is closed");
    const shard = shardOf(message.subscriberId, this.shardCount);
    return { shard, duplicate: !this.enqueue(shard, messageId(message), encodeMessage(message), [message]) };
  }

  async publishBatch(batchId: string, messages: readonly BusMessage[]): Promise<BatchPart[]> {
    if (this.closed) throw new Error("in-process intent bus is closed");
    return batchGroups(messages, this.shardCount).map((group) => ({
      shard: group.shard,
      messages: group.messages,
      ok: true,
      duplicate: !this.enqueue(group.shard, batchMessageId(batchId, group), encodeBatch(group.messages), group.messages),
    }));
  }

  async subscribe(shards: number | readonly number[], handler: MessageHandler, options: SubscribeOptions = {}): Promise<BusSubscription> {
    return this.subscribeBatches(shards, oneAtATime(handler), options);
  }

  async subscribeBatches(
    shards: number | readonly number[],
    handler: BatchHandler,
    options: SubscribeOptions = {},
  ): Promise<BusSubscription> {
    if (this.closed) throw new Error("in-process intent bus is closed");
    const list = shardList(shards, this.shardCount);
    const taken = list.filter((shard) => this.shards[shard]!.consumer);
    if (taken.length > 0) throw new Error(`shard(s) ${taken.join(", ")} already have a subscriber in this process`);
    const consumer: ShardConsumer = { handler, options, stopped: false };
    for (const shard of list) {
      this.shards[shard]!.consumer = consumer;
      this.kick(shard);
    }
    const stop = () => {
      consumer.stopped = true;
      for (const shard of list) if (this.shards[shard]!.consumer === consumer) delete this.shards[shard]!.consumer;
      this.subscriptions.delete(subscription);
    };
    const subscription: BusSubscription = {
      shards: list,
      unsubscribe: async () => stop(),
      drain: async () => {
        stop();
        const own = list.map((shard) => this.shards[shard]!.pumping).filter((p) => p?.consumer === consumer);
        await Promise.all(own.map((p) => p!.done));
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.drain()));
  }

  /** False when `id` was published within the duplicate window: nothing is enqueued. */
  private enqueue(shard: number, id: string, payload: string, messages: readonly BusMessage[]): boolean {
    const now = this.now();
    this.forgetExpired(now);
    if (this.seen.has(id)) return false;
    this.seen.set(id, now);
    this.shards[shard]!.queue.push({ payload, attempts: 0 });
    if (this.onPublish) for (const message of messages) this.onPublish(message);
    this.kick(shard);
    return true;
  }

  private kick(shard: number): void {
    const state = this.shards[shard]!;
    if (state.pumping || !state.consumer || state.queue.length === 0) return;
    const consumer = state.consumer;
    state.pumping = {
      consumer,
      done: this.pump(shard, consumer).finally(() => {
        state.pumping = undefined;
        this.kick(shard);
      }),
    };
  }

  private async pump(shard: number, consumer: ShardConsumer): Promise<void> {
    const state = this.shards[shard]!;
    // Yield first so publish() returns before any handler runs, as it would over the network.
    await sleep(0);
    while (!consumer.stopped && state.queue.length > 0) {
      const entry = state.queue[0]!;
      entry.attempts += 1;
      if (!entry.decoded) {
        entry.decoded = decodeBatch(entry.payload);
        // An item that does not decode never will: say so, and hand over the rest.
        for (const error of entry.decoded.rejected) consumer.options.onError?.({ shard, error, final: true });
      }
      const { messages } = entry.decoded;
      if (messages.length === 0) {
        state.queue.shift();
        continue;
      }
      try {
        await consumer.handler(messages, { shard, attempt: entry.attempts });
        state.queue.shift();
      } catch (err) {
        const final = entry.attempts >= this.maxDeliver;
        if (final) state.queue.shift();
        consumer.options.onError?.({ shard, error: asError(err), messages, final });
        if (!final) await sleep(this.retryDelayMs);
      }
    }
  }

  private forgetExpired(now: number): void {
    // Map iteration follows insertion order, which is publish-time order: stop at the first live entry.
    for (const [id, at] of this.seen) {
      if (now - at < this.duplicateWindowMs) break;
      this.seen.delete(id);
    }
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
