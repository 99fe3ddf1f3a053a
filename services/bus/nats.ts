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
import { decodeMessage, encodeMessage, type BusMessage } from "../intents/intent";
import {
  messageId,
  type BusSubscription,
  type IntentBus,
  type MessageHandler,
  type PublishResult,
  type SubscribeOptions,
} from "./bus";
import { assertShardCount, shardList, shardOf } from "./shard";

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

/** How long one pull waits on an idle shard before the loop pulls again. */
const PULL_EXPIRES_MS = 5_000;
const JS_STREAM_NOT_FOUND = 10059;
const JS_STREAM_NAME_IN_USE = 10058;
const JS_CONSUMER_NOT_FOUND = 10014;

/**
 * IntentBus on NATS JetStream. One stream holds every shard's subject; each message is published with its message id
 * as `Nats-Msg-Id`, so the stream's duplicate window drops the copy a second listener (another region) publishes.
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
    const ack = await this.js.publish(this.subject(shard), new TextEncoder().encode(encodeMessage(message)), {
      msgID: messageId(message),
      expect: { streamName: this.settings.streamName },
    });
    return { shard, duplicate: ack.duplicate };
  }

  async subscribe(
    shards: number | readonly number[],
    handler: MessageHandler,
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

  /**
   * Pulls one message at a time and pulls the next only after handling it. A long-lived batch pull would keep a
   * request open on the server after the subscription stops, and messages sent into it (including ones we hand back)
   * would sit unacknowledged until ackWait: a one-message pull completes as soon as it is answered.
   */
  private async run(
    shard: number,
    consumer: Consumer,
    handler: MessageHandler,
    options: SubscribeOptions,
    stop: Stop,
  ): Promise<void> {
    while (!stop.stopped) {
      const pull = consumer.next({ expires: PULL_EXPIRES_MS });
      let msg: JsMsg | null | "stopped";
      try {
        msg = await Promise.race([pull, stop.signal]);
      } catch (err) {
        if (stop.stopped || this.nc.isClosed()) return;
        options.onError?.({
          shard,
          error: new Error(`pull from shard ${shard} failed: ${describe(err)}`),
          final: false,
        });
        await sleep(this.settings.retryDelayMs);
        continue;
      }
      if (msg === "stopped") {
        // A message that still arrives for this pull is not ours to handle any more: hand it straight back.
        pull.then(
          (late) => {
            try {
              late?.nak();
            } catch {
              // The connection is closing: the server redelivers it after ackWait instead.
            }
          },
          () => undefined,
        );
        return;
      }
      if (msg) await this.deliver(shard, msg, handler, options, stop);
    }
  }

  /**
   * Retries a failing handler here, in place, rather than by nak: a nak lets the next message overtake this one, and
   * a subscriber's messages must stay in order. The server's delivery count carries over a restart in between.
   */
  private async deliver(
    shard: number,
    msg: JsMsg,
    handler: MessageHandler,
    options: SubscribeOptions,
    stop: Stop,
  ): Promise<void> {
    let message: BusMessage;
    try {
      message = decodeMessage(msg.data);
    } catch (err) {
      // A payload that does not decode never will: terminate it rather than retry it.
      msg.term();
      options.onError?.({ shard, error: asError(err), final: true });
      return;
    }
    for (let attempt = msg.info.deliveryCount; ; attempt++) {
      try {
        await handler(message, { shard, attempt });
        msg.ack();
        return;
      } catch (err) {
        const final = attempt >= this.settings.maxDeliver;
        options.onError?.({ shard, error: asError(err), message, final });
        if (final) {
          msg.term();
          return;
        }
      }
      msg.working();
      await Promise.race([sleep(this.settings.retryDelayMs), stop.signal]);
      if (stop.stopped) {
        msg.nak();
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
