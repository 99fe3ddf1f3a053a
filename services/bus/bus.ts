import type { BusMessage } from "../intents/intent";

export interface PublishResult {
  shard: number;
  /** True when the same message id was already published within the duplicate window: nothing new was enqueued. */
  duplicate: boolean;
}

export interface Delivery {
  shard: number;
  /** 1 on first delivery; higher after the handler failed or a consumer stopped before acknowledging. */
  attempt: number;
}

export type MessageHandler = (message: BusMessage, delivery: Delivery) => Promise<void> | void;

/** Takes the valid messages of one bus message (a batch, or a batch of one), in publish order. */
export type BatchHandler = (messages: readonly BusMessage[], delivery: Delivery) => Promise<void> | void;

export interface DeliveryError {
  shard: number;
  error: Error;
  /** The batch whose handler failed; absent when a payload (or one item of a batch) could not be decoded. */
  messages?: readonly BusMessage[];
  /** True when the bus gives up (attempts exhausted, or a payload that can never decode). */
  final: boolean;
}

export interface SubscribeOptions {
  /** Told about every failed delivery; the bus has no logger of its own. */
  onError?: (failure: DeliveryError) => void;
}

export interface BusSubscription {
  readonly shards: readonly number[];
  /**
   * Stops taking messages and returns at once. The bus message in hand is acknowledged if its handler succeeds, and
   * otherwise handed back for redelivery; so is anything fetched ahead of it.
   */
  unsubscribe(): Promise<void>;
  /** Like unsubscribe, but resolves once the message in hand is finished: the way to stop before exiting. */
  drain(): Promise<void>;
}

/** What became of one bus message of a publishBatch: the messages it carried, and whether the bus took it. */
export type BatchPart =
  | { shard: number; messages: readonly BusMessage[]; ok: true; duplicate: boolean }
  | { shard: number; messages: readonly BusMessage[]; ok: false; error: Error };

/**
 * Carries copy intents and cancels from listeners to executors, sharded by subscriber (see shardOf).
 *
 * A bus message carries one message (publish) or a batch (publishBatch): a listener publishes a leader fill's intents
 * for one shard as a few bus messages (see batchGroups), not one per subscriber. Delivery is at least once per bus
 * message: it is acknowledged when its handler resolves; a handler that throws gets the whole batch again after a
 * delay, up to a bounded number of attempts, before the shard moves on (so a retry never lets a later message
 * overtake). Handlers must be idempotent on the intent id: a crash between handling and acknowledging, or a retry of a
 * batch whose handler failed half way, redelivers what was already handled. Within one subscription a shard's bus
 * messages are handled one at a time, in publish order.
 *
 * A bus message id published again within the duplicate window is dropped, which is how two listeners publishing the
 * same intents yield one delivery: for publish the id is the message's own (the intent id, or `cancel:<intent id>`);
 * for publishBatch it is `<batch id>/<shard>.<group>`, where the caller's batch id names what the batch is (e.g. one
 * leader fill's intents) and the group depends on the subscriber alone, so each intent travels under the same id
 * whichever listener publishes it and whoever else is in its batch. Where two listeners disagree on a fill's followers
 * (a rules reload seen by one first), the first publish of a group decides for the whole group: an intent only the
 * second listener built, in a group the first already published, is not copied. Never copied twice.
 */
export interface IntentBus {
  readonly shardCount: number;
  publish(message: BusMessage): Promise<PublishResult>;
  /** Resolves when every part has been answered; a part that failed is reported, not thrown. */
  publishBatch(batchId: string, messages: readonly BusMessage[]): Promise<BatchPart[]>;
  /** Hands the messages over one at a time, in order; a throw gets the bus message's whole batch delivered again. */
  subscribe(shards: number | readonly number[], handler: MessageHandler, options?: SubscribeOptions): Promise<BusSubscription>;
  subscribeBatches(shards: number | readonly number[], handler: BatchHandler, options?: SubscribeOptions): Promise<BusSubscription>;
  /** Drains every subscription, then releases the bus; publishing afterwards fails. */
  close(): Promise<void>;
}

/** The dedupe key of a single message on the bus. */
export function messageId(message: BusMessage): string {
  return message.kind === "intent" ? message.id : `cancel:${message.id}`;
}

/** A per-message handler as a batch handler: the messages one after the other, in publish order. */
export function oneAtATime(handler: MessageHandler): BatchHandler {
  return async (messages, delivery) => {
    for (const message of messages) await handler(message, delivery);
  };
}
