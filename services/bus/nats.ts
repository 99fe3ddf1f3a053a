import { setTimeout as sleep } from "node:timers/promises";
import {
  AckPolicy,
  connect,
  DeliverPolicy,
  nanos,
  NatsError,
  RetentionPolicy,
  StorageType,
  type Consumer,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type NatsConnection,
} from "nats";
import { decodeBatch, encodeBatch } from "../intents/batch";
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

export interface NatsBusOptions {
  /** e.g. "nats://nats-1:4222"; credentials go in user/pass/token, never in the URL (they would end up in logs). */
  servers: string | string[];
  shardCount: number;
  user?: string;
  pass?: string;
  token?: string;
  /** Connection name shown by the server's monitoring, e.g. "listener-eu-1". */
  name?: string;
  /** Durable consumers are named `<consumerPrefix>-shard-<n>`: executors with the same prefix share a shard's work. */
  consumerPrefix?: string;
  streamName?: string;
  /** Messages for shard n go to `<subjectPrefix>.<n>`. */
  subjectPrefix?: string;
  /** Publishes of one message id within this window are stored once. Default 2 minutes, JetStream's default. */
  duplicateWindowMs?: number;
  /** How long the stream keeps messages. An intent older than this is stale anyway. Default 1 day. */
  maxAgeMs?: number;
  /** Stream replicas: 1 for a single server, 3 in a cluster. */
  replicas?: number;
  /** Attempts per message before it is given up. Default 5. */
  maxDeliver?: number;
  /** Unacknowledged messages are redelivered after this. Default 30 s. */
  ackWaitMs?: number;
  /** Pause before redelivering a message whose handler threw. Default 1 s. */
  retryDelayMs?: number;
  connectTimeoutMs?: number;
}

const DEFAULTS = {
  consumerPrefix: "executor",
  streamName: "POLYSYNC_INTENTS",
  subjectPrefix: "polysync.intents",
  duplicateWindowMs: 120_000,
  maxAgeMs: 86_400_000,
  replicas: 1,
  maxDeliver: 5,
  ackWaitMs: 30_000,
  retryDelayMs: 1_000,
  connectTimeoutMs: 5_000,
};

type Settings = typeof DEFAULTS & { shardCount: number; servers: string[] };

/**
 * Bus messages one pull asks for: each is a batch (of ~30 intents in a large fan-out), so a pull brings a fan-out's
 * share of a shard at once instead of one round trip per message.
 */
const FETCH_MAX_MESSAGES = 16;
/** How long one pull waits on an idle shard before the loop pulls again: the client's minimum, see handBack. */
const FETCH_EXPIRES_MS = 1_000;
/** Handed-back messages are redelivered once any pull of ours has expired, so the server cannot send them back to it. */
const HAND_BACK_DELAY_MS = FETCH_EXPIRES_MS + 250;
const JS_STREAM_NOT_FOUND = 10059;
const JS_STREAM_NAME_IN_USE = 10058;
const JS_CONSUMER_NOT_FOUND = 10014;

/**
 * IntentBus on NATS JetStream. One stream holds every shard's subject; each bus message is published with its id (see
 * IntentBus) as `Nats-Msg-Id`, so the stream's duplicate window drops the copy a second listener (another region)
 * publishes.
 * Each shard has a durable pull consumer with explicit acknowledgement: a restarted executor resumes where the last
 * acknowledgement left off. Stream and consumers are created or updated idempotently by whoever connects first.
 */
export class NatsBus implements IntentBus {
  readonly shardCount: number;
  private readonly subscriptions = new Set<BusSubscription>();
  private closed = false;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly settings: Settings,
  ) {
    this.shardCount = settings.shardCount;
  }

  /** Connects, checks JetStream, and creates or updates the stream. Errors name the server(s), never credentials. */
  static async connect(options: NatsBusOptions): Promise<NatsBus> {
    assertShardCount(options.shardCount);
    const { servers, user, pass, token, name, ...tunables } = options;
    const settings: Settings = {
      ...DEFAULTS,
      ...definedOnly(tunables),
      servers: typeof servers === "string" ? [servers] : [...servers],
      shardCount: options.shardCount,
    };
    const where = `NATS at ${settings.servers.map(redactUrl).join(", ")}`;
    let nc: NatsConnection;
    try {
      nc = await connect({
        servers: settings.servers,
        timeout: settings.connectTimeoutMs,
        ...definedOnly({ name, user, pass, token }),
      });
    } catch (err) {
      throw new Error(`cannot connect to ${where}: ${describe(err)}`);
    }
    try {
      const jsm = await nc.jetstreamManager();
      const bus = new NatsBus(nc, nc.jetstream(), jsm, settings);
      await bus.ensureStream();
      return bus;
    } catch (err) {
      await nc.close();
      const hint =
        err instanceof NatsError && err.code === "503" ? " (is JetStream enabled? start nats-server with -js)" : "";
      throw new Error(`${where}: cannot set up stream ${settings.streamName}: ${describe(err)}${hint}`);
    }
  }

  async publish(message: BusMessage): Promise<PublishResult> {
    if (this.closed) throw new Error("NATS intent bus is closed");
    const shard = shardOf(message.subscriberId, this.shardCount);
    return { shard, duplicate: await this.store(shard, messageId(message), encodeMessage(message)) };
  }

  async publishBatch(batchId: string, messages: readonly BusMessage[]): Promise<BatchPart[]> {
    if (this.closed) throw new Error("NATS intent bus is closed");
    return Promise.all(
      batchGroups(messages, this.shardCount).map(({ shard, group, messages: carried }) =>
        this.store(shard, batchMessageId(batchId, { shard, group }), encodeBatch(carried)).then(
          (duplicate): BatchPart => ({ shard, messages: carried, ok: true, duplicate }),
          (err): BatchPart => ({ shard, messages: carried, ok: false, error: asError(err) }),
        ),
      ),
    );
  }

  async subscribe(shards: number | readonly number[], handler: MessageHandler, options: SubscribeOptions = {}): Promise<BusSubscription> {
    return this.subscribeBatches(shards, oneAtATime(handler), options);
  }

  async subscribeBatches(
    shards: number | readonly number[],
    handler: BatchHandler,
    options: SubscribeOptions = {},
  ): Promise<BusSubscription> {
    if (this.closed) throw new Error("NATS intent bus is closed");
    const list = shardList(shards, this.shardCount);
    const consumers: { shard: number; consumer: Consumer }[] = [];
    for (const shard of list) {
      const durable = await this.ensureConsumer(shard);
      consumers.push({ shard, consumer: await this.js.consumers.get(this.settings.streamName, durable) });
    }
    const stop = new Stop();
    const loops = Promise.all(
      consumers.map(({ shard, consumer }) =>
        this.run(shard, consumer, handler, options, stop).catch((err) =>
          options.onError?.({ shard, error: asError(err), final: false }),
        ),
      ),
    );
    const subscription: BusSubscription = {
      shards: list,
      unsubscribe: async () => stop.trigger(),
      drain: async () => {
        stop.trigger();
        await loops;
      },
    };
    // Tracked until its loops end (not just until unsubscribe), so close() never cuts off a message in hand.
    this.subscriptions.add(subscription);
    void loops.then(() => this.subscriptions.delete(subscription));
    return subscription;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.drain()));
    // drain() flushes pending acknowledgements before closing, so nothing handled here is redelivered elsewhere.
    await this.nc.drain();
  }

  /** Resolves true when the stream already held `id` (within its duplicate window) and stored nothing. */
  private async store(shard: number, id: string, payload: string): Promise<boolean> {
    const ack = await this.js.publish(this.subject(shard), encoder.encode(payload), {
      msgID: id,
      expect: { streamName: this.settings.streamName },
    });
    return ack.duplicate;
  }

  /**
   * Pulls up to FETCH_MAX_MESSAGES at a time and handles them one after the other. A pull stays open on the server
   * until it has them all or expires (FETCH_EXPIRES_MS), so it can outlive the subscription: what it still brings
   * after a stop is handed back (handBack).
   */
  private async run(
    shard: number,
    consumer: Consumer,
    handler: BatchHandler,
    options: SubscribeOptions,
    stop: Stop,
  ): Promise<void> {
    const pullFailed = async (err: unknown) => {
      options.onError?.({ shard, error: new Error(`pull from shard ${shard} failed: ${describe(err)}`), final: false });
      await sleep(this.settings.retryDelayMs);
    };
    while (!stop.stopped) {
      let pulled: AsyncIterator<JsMsg>;
      try {
        pulled = (await consumer.fetch({ max_messages: FETCH_MAX_MESSAGES, expires: FETCH_EXPIRES_MS }))[Symbol.asyncIterator]();
      } catch (err) {
        if (stop.stopped || this.nc.isClosed()) return;
        await pullFailed(err);
        continue;
      }
      for (;;) {
        const pending = pulled.next();
        let next: IteratorResult<JsMsg> | "stopped";
        try {
          next = await Promise.race([pending, stop.signal]);
        } catch (err) {
          if (stop.stopped || this.nc.isClosed()) return;
          await pullFailed(err);
          break;
        }
        if (next === "stopped") return handBack(pending, pulled);
        if (next.done) break;
        await this.deliver(shard, next.value, handler, options, stop);
        if (stop.stopped) return handBack(pulled.next(), pulled);
      }
    }
  }

  /**
   * Retries a failing handler here, in place, rather than by nak: a nak lets the next message overtake this one, and
   * a subscriber's messages must stay in order. The server's delivery count carries over a restart in between.
   */
  private async deliver(
    shard: number,
    msg: JsMsg,
    handler: BatchHandler,
    options: SubscribeOptions,
    stop: Stop,
  ): Promise<void> {
    const { messages, rejected } = decodeBatch(msg.data);
    // An item that does not decode never will: report it and hand over the rest.
    for (const error of rejected) options.onError?.({ shard, error, final: true });
    if (messages.length === 0) {
      msg.term();
      return;
    }
    for (let attempt = msg.info.deliveryCount; ; attempt++) {
      try {
        await handler(messages, { shard, attempt });
        msg.ack();
        return;
      } catch (err) {
        const final = attempt >= this.settings.maxDeliver;
        options.onError?.({ shard, error: asError(err), messages, final });
        if (final) {
          msg.term();
          return;
        }
      }
      msg.working();
      await Promise.race([sleep(this.settings.retryDelayMs), stop.signal]);
      if (stop.stopped) {
        // Delayed like handBack's: this pull may still be open.
        msg.nak(HAND_BACK_DELAY_MS);
        return;
      }
    }
  }

  private subject(shard: number): string {
    return `${this.settings.subjectPrefix}.${shard}`;
  }

  private async ensureStream(): Promise<void> {
    const { streamName, subjectPrefix, duplicateWindowMs, maxAgeMs, replicas } = this.settings;
    const mutable = {
      subjects: [`${subjectPrefix}.*`],
      duplicate_window: nanos(duplicateWindowMs),
      max_age: nanos(maxAgeMs),
      num_replicas: replicas,
    };
    try {
      await this.jsm.streams.info(streamName);
    } catch (err) {
      if (apiErrorCode(err) !== JS_STREAM_NOT_FOUND) throw err;
      try {
        await this.jsm.streams.add({
          name: streamName,
          retention: RetentionPolicy.Limits,
          storage: StorageType.File,
          ...mutable,
        });
        return;
      } catch (addErr) {
        // Another process created it between our info and add: fall through to update it like an existing one.
        if (apiErrorCode(addErr) !== JS_STREAM_NAME_IN_USE) throw addErr;
      }
    }
    await this.jsm.streams.update(streamName, mutable);
  }

  private async ensureConsumer(shard: number): Promise<string> {
    const durable = `${this.settings.consumerPrefix}-shard-${shard}`;
    const mutable = { max_deliver: this.settings.maxDeliver, ack_wait: nanos(this.settings.ackWaitMs) };
    try {
      await this.jsm.consumers.info(this.settings.streamName, durable);
      await this.jsm.consumers.update(this.settings.streamName, durable, mutable);
    } catch (err) {
      if (apiErrorCode(err) !== JS_CONSUMER_NOT_FOUND) throw err;
      // Adding a durable with an identical config is a no-op on the server, so a concurrent add from a peer is fine.
      await this.jsm.consumers.add(this.settings.streamName, {
        durable_name: durable,
        filter_subject: this.subject(shard),
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ...mutable,
      });
    }
    return durable;
  }
}

const encoder = new TextEncoder();

/**
 * Messages a stopped subscription's pull still brings (fetched ahead, or arriving until the pull expires) were never
 * started: each is handed back for redelivery, delayed past the pull's expiry so that it goes to the next consumer
 * rather than straight back into this pull, which would spend its delivery attempts.
 */
function handBack(pending: Promise<IteratorResult<JsMsg>>, pulled: AsyncIterator<JsMsg>): void {
  void (async () => {
    try {
      for (let next = await pending; !next.done; next = await pulled.next()) next.value.nak(HAND_BACK_DELAY_MS);
    } catch {
      // The connection is closing: the server redelivers them after ackWait instead.
    }
  })();
}

/** Resolves `signal` once, for every loop of a subscription to see. */
class Stop {
  stopped = false;
  private resolve!: (value: "stopped") => void;
  readonly signal = new Promise<"stopped">((resolve) => (this.resolve = resolve));

  trigger(): void {
    this.stopped = true;
    this.resolve("stopped");
  }
}

function apiErrorCode(err: unknown): number | undefined {
  return err instanceof NatsError ? err.api_error?.err_code : undefined;
}

/** Drops user:password@ from a server URL before it goes into a message. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, "$1");
}

function describe(err: unknown): string {
  if (err instanceof NatsError) {
    return err.code && err.code !== err.message ? `${err.message} (${err.code})` : err.message;
  }
  return asError(err).message;
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
