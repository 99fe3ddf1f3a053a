import { setTimeout as sleep } from "node:timers/promises";
import { connect, nanos } from "nats";
import type { DeliveryError } from "../../services/bus/bus";
import { NatsBus, type NatsBusOptions } from "../../services/bus/nats";
import type { BusMessage } from "../../services/intents/intent";
import { freePort, startNatsServer, type NatsServer } from "../support/nats-server";
import { cancelOf, idsByShard, intent, label, until } from "./messages";

let nats: NatsServer;
let url: string;

beforeAll(async () => {
  nats = await startNatsServer();
  url = nats.url;
});

afterAll(async () => {
  await nats?.stop();
});

let streams = 0;
/** Each test gets its own stream and subjects, so durable consumers of one test never see another's messages. */
function isolated(shardCount: number, overrides: Partial<NatsBusOptions> = {}): NatsBusOptions {
  streams += 1;
  return {
    servers: url,
    shardCount,
    streamName: `TEST_INTENTS_${streams}`,
    subjectPrefix: `test${streams}.intents`,
    retryDelayMs: 20,
    ...overrides,
  };
}

function collector() {
  const got: { label: string; shard: number; attempt: number }[] = [];
  return {
    got,
    labels: () => got.map((g) => g.label),
    handler: (m: BusMessage, d: { shard: number; attempt: number }) =>
      void got.push({ label: label(m), shard: d.shard, attempt: d.attempt }),
  };
}

describe("NatsBus", () => {
  test("creates the stream once and updates it idempotently on every connect", async () => {
    const options = isolated(2);
    const first = await NatsBus.connect(options);
    const second = await NatsBus.connect(options);
    const third = await NatsBus.connect({ ...options, duplicateWindowMs: 30_000 });
    const nc = await connect({ servers: url });
    const info = await (await nc.jetstreamManager()).streams.info(options.streamName!);
    expect(info.config.subjects).toEqual([`${options.subjectPrefix}.*`]);
    expect(info.config.duplicate_window).toBe(nanos(30_000));
    await Promise.all([first.close(), second.close(), third.close(), nc.close()]);
  });

  test("publishes across shards; each executor consumes only its shards, in order", async () => {
    const options = isolated(3);
    const listener = await NatsBus.connect(options);
    const executorA = await NatsBus.connect(options);
    const executorB = await NatsBus.connect(options);
    const a = collector();
    const b = collector();
    await executorA.subscribe(0, a.handler);
    await executorB.subscribe([1, 2], b.handler);
    const ids = idsByShard(3);
    for (let n = 1; n <= 5; n++) {
      for (const [shard, id] of ids.entries())
        expect(await listener.publish(intent(id, n))).toEqual({ shard, duplicate: false });
    }
    await until(() => a.got.length === 5 && b.got.length === 10, "15 deliveries");
    expect(a.labels()).toEqual([1, 2, 3, 4, 5].map((n) => `intent:${ids[0]}:${n}`));
    expect(new Set(b.got.map((g) => g.shard))).toEqual(new Set([1, 2]));
    for (const shard of [1, 2]) {
      expect(b.got.filter((g) => g.shard === shard).map((g) => g.label)).toEqual(
        [1, 2, 3, 4, 5].map((n) => `intent:${ids[shard]}:${n}`),
      );
    }
    await Promise.all([listener.close(), executorA.close(), executorB.close()]);
  });

  test("the same intent published by two listeners is delivered once", async () => {
    const options = isolated(1);
    const regionA = await NatsBus.connect(options);
    const regionB = await NatsBus.connect(options);
    const executor = await NatsBus.connect(options);
    const c = collector();
    await executor.subscribe(0, c.handler);
    const m = intent("alice", 7);
    expect(await regionA.publish(m)).toEqual({ shard: 0, duplicate: false });
    expect(await regionB.publish(m)).toEqual({ shard: 0, duplicate: true });
    expect(await regionA.publish(intent("alice", 8))).toEqual({ shard: 0, duplicate: false });
    await until(() => c.got.length === 2, "two deliveries");
    await sleep(300);
    expect(c.labels()).toEqual(["intent:alice:7", "intent:alice:8"]);
    await Promise.all([regionA.close(), regionB.close(), executor.close()]);
  });

  test("cancels travel on the subscriber's shard after the intent, and are deduplicated separately", async () => {
    const options = isolated(4);
    const listener = await NatsBus.connect(options);
    const executor = await NatsBus.connect(options);
    const c = collector();
    await executor.subscribe([0, 1, 2, 3], c.handler);
    const m = intent("alice", 1);
    await listener.publish(m);
    expect((await listener.publish(cancelOf(m))).duplicate).toBe(false);
    expect((await listener.publish(cancelOf(m))).duplicate).toBe(true);
    await until(() => c.got.length === 2, "intent and cancel");
    expect(c.labels()).toEqual([label(m), label(cancelOf(m))]);
    await Promise.all([listener.close(), executor.close()]);
  });

  test("a restarted consumer resumes from its last acknowledgement: nothing lost, nothing repeated", async () => {
    const options = isolated(1);
    const listener = await NatsBus.connect(options);
    const before = collector();
    const first = await NatsBus.connect(options);
    await first.subscribe(0, before.handler);
    for (const n of [1, 2]) await listener.publish(intent("alice", n));
    await until(() => before.got.length === 2, "first two");
    await first.close();

    for (const n of [3, 4, 5]) await listener.publish(intent("alice", n));
    const after = collector();
    const restarted = await NatsBus.connect(options);
    await restarted.subscribe(0, after.handler);
    await until(() => after.got.length === 3, "messages published while down");
    await sleep(300);
    expect(after.labels()).toEqual(["intent:alice:3", "intent:alice:4", "intent:alice:5"]);
    await Promise.all([listener.close(), restarted.close()]);
  });

  test("a stopped subscription finishes the message in hand and leaves no pull behind on a live connection", async () => {
    // With a 60 s ack wait, a message sent into a leftover pull would miss this test's 5 s deadline.
    const options = isolated(1, { ackWaitMs: 60_000 });
    const listener = await NatsBus.connect(options);
    const first = await NatsBus.connect(options);
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const handled: string[] = [];
    const subscription = await first.subscribe(0, async (m) => {
      handled.push(label(m));
      await blocked;
    });
    await listener.publish(intent("alice", 1));
    await until(() => handled.length === 1, "the first message in hand");
    await subscription.unsubscribe();
    release();
    for (const n of [2, 3]) await listener.publish(intent("alice", n));

    const next = collector();
    const second = await NatsBus.connect(options);
    await second.subscribe(0, next.handler);
    await until(() => next.got.length === 2, "messages published after the first consumer stopped");
    await sleep(300);
    expect(handled).toEqual(["intent:alice:1"]);
    expect(next.labels()).toEqual(["intent:alice:2", "intent:alice:3"]);
    await Promise.all([listener.close(), first.close(), second.close()]);
  });

  test("a throwing handler is retried in order up to maxDeliver; a payload that cannot decode is terminated", async () => {
    const options = isolated(1, { maxDeliver: 2 });
    const listener = await NatsBus.connect(options);
    const executor = await NatsBus.connect(options);
    const attempts: string[] = [];
    const errors: DeliveryError[] = [];
    await executor.subscribe(
      0,
      (m, d) => {
        attempts.push(`${label(m)}#${d.attempt}`);
        if (m.kind === "intent" && m.source.logIndex === 1) throw new Error("venue down");
      },
      { onError: (e) => errors.push(e) },
    );
    const raw = await connect({ servers: url });
    await raw.jetstream().publish(`${options.subjectPrefix}.0`, new TextEncoder().encode('{"kind":"intent"}'));
    await listener.publish(intent("alice", 1));
    await listener.publish(intent("alice", 2));
    await until(() => attempts.length === 3, "three handler calls");
    expect(attempts).toEqual(["intent:alice:1#1", "intent:alice:1#2", "intent:alice:2#1"]);
    expect(errors.map((e) => [e.error.message.split(":")[0], e.final])).toEqual([
      ["bad intent payload", true],
      ["venue down", false],
      ["venue down", true],
    ]);
    await Promise.all([listener.close(), executor.close(), raw.close()]);
  });

  test("a batch travels as a few bus messages; a second listener's publish of it is dropped; cancels follow", async () => {
    const options = isolated(2);
    const regionA = await NatsBus.connect(options);
    const regionB = await NatsBus.connect(options);
    const executor = await NatsBus.connect(options);
    const batches: { shard: number; labels: string[] }[] = [];
    await executor.subscribeBatches([0, 1], (messages, d) => void batches.push({ shard: d.shard, labels: messages.map(label) }));
    const fill = Array.from({ length: 60 }, (_, i) => intent(`sub-${i}`, 9));
    const parts = await regionA.publishBatch("fill:137:0xcd:9", fill);
    expect(parts.every((p) => p.ok && !p.duplicate)).toBe(true);
    expect(parts.length).toBeLessThanOrEqual(16);
    expect((await regionB.publishBatch("fill:137:0xcd:9", fill)).every((p) => p.ok && p.duplicate)).toBe(true);
    await regionA.publishBatch("cancel:fill:137:0xcd:9", fill.slice(0, 5).map(cancelOf));
    const delivered = () => batches.flatMap((b) => b.labels);
    await until(() => delivered().length === 65, "60 intents and 5 cancels");
    await sleep(300);
    expect(delivered().filter((l) => l.startsWith("intent")).sort()).toEqual(fill.map(label).sort());
    for (const m of fill.slice(0, 5)) expect(delivered().indexOf(label(m))).toBeLessThan(delivered().indexOf(label(cancelOf(m))));
    await Promise.all([regionA.close(), regionB.close(), executor.close()]);
  });

  test("a batch whose consumer stops before acknowledging is redelivered whole, with what was fetched ahead of it", async () => {
    const options = isolated(1, { ackWaitMs: 60_000 });
    const listener = await NatsBus.connect(options);
    const first = await NatsBus.connect(options);
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const inHand: string[][] = [];
    const subscription = await first.subscribeBatches(0, async (messages) => {
      inHand.push(messages.map(label));
      await blocked;
      throw new Error("stopped half way");
    });
    // Enough followers that some groups carry several: the first group is in hand, the others fetched ahead.
    const fill = Array.from({ length: 24 }, (_, i) => intent(`sub-${i}`, 1));
    const parts = await listener.publishBatch("fill:a", fill);
    await until(() => inHand.length === 1, "the first batch in hand");
    await subscription.unsubscribe();
    release();
    const next: { labels: string[]; attempt: number }[] = [];
    const second = await NatsBus.connect(options);
    await second.subscribeBatches(0, (messages, d) => void next.push({ labels: messages.map(label), attempt: d.attempt }));
    await until(() => next.length === parts.length, "every batch again");
    expect(next.map((n) => n.labels)).toContainEqual(inHand[0]);
    expect(inHand[0]!.length).toBeGreaterThan(1);
    expect(next.flatMap((n) => n.labels).sort()).toEqual(fill.map(label).sort());
    expect(next.every((n) => n.attempt === 2)).toBe(true);
    await Promise.all([listener.close(), first.close(), second.close()]);
  });

  test("connection errors name the server without its credentials", async () => {
    const port = await freePort();
    await expect(NatsBus.connect({ servers: `nats://127.0.0.1:${port}`, shardCount: 1 })).rejects.toThrow(
      `cannot connect to NATS at nats://127.0.0.1:${port}`,
    );
    const failure = await NatsBus.connect({
      servers: `nats://svc:hunter2@127.0.0.1:${port}`,
      shardCount: 1,
      pass: "hunter3",
    }).catch((err: Error) => err);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toContain(`nats://127.0.0.1:${port}`);
    expect((failure as Error).message).not.toMatch(/hunter|svc/);
  });
});
