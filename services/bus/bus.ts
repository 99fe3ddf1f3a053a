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

export interface DeliveryError {
  shard: number;
  error: Error;
  /** Absent when the payload itself could not be decoded. */
  message?: BusMessage;
  /** True when the bus gives up on the message (attempts exhausted, or a payload that can never decode). */
  final: boolean;
}

export interface SubscribeOptions {
  /** Told about every failed delivery; the bus has no logger of its own. */
  onError?: (failure: DeliveryError) => void;
}

export interface BusSubscription {
  readonly shards: readonly number[];
  /**
   * Stops taking messages and returns at once. Nothing is fetched ahead, so the only message affected is the one in
   * hand: it is acknowledged if its handler succeeds, and otherwise handed back for redelivery.
   */
  unsubscribe(): Promise<void>;
  /** Like unsubscribe, but resolves once the message in hand is finished: the way to stop before exiting. */
  drain(): Promise<void>;
}

/**
 * Carries copy intents and cancels from listeners to executors, sharded by subscriber (see shardOf).
 *
 * Delivery is at least once: a message is acknowledged when its handler resolves; a handler that throws gets the
 * message again after a delay, up to a bounded number of attempts, before the shard moves on (so a retry never lets a
 * later message overtake). Handlers must be idempotent on the intent id: a crash between handling and acknowledging
 * redelivers. Within one subscription a shard's messages are handled one at a time, in publish order. A message id (the intent
 * id, or `cancel:<intent id>`) published again within the duplicate window is dropped, which is how two listeners
 * publishing the same intent yield one delivery.
 */
export interface IntentBus {
  readonly shardCount: number;
  publish(message: BusMessage): Promise<PublishResult>;
  subscribe(
    shards: number | readonly number[],
    handler: MessageHandler,
    options?: SubscribeOptions,
  ): Promise<BusSubscription>;
  /** Drains every subscription, then releases the bus; publishing afterwards fails. */
  close(): Promise<void>;
}

/** The dedupe key of a message on the bus. */
export function messageId(message: BusMessage): string {
  return message.kind === "intent" ? message.id : `cancel:${message.id}`;
}
