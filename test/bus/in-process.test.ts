import { setTimeout as sleep } from "node:timers/promises";
import type { Delivery, DeliveryError } from "../../services/bus/bus";
import { InProcessBus } from "../../services/bus/in-process";
import { shardOf } from "../../services/bus/shard";
import { cancelOf, idsByShard, intent, label, until } from "./messages";

describe("InProcessBus", () => {
  test("routes by subscriber shard; each subscription sees only its shards", async () => {
    const bus = new InProcessBus({ shardCount: 4 });
    const ids = idsByShard(4);
    const seen: { sub: string; shard: number; subscriberId: string }[] = [];
    await bus.subscribe([0, 1], (m, d) => void seen.push({ sub: "a", shard: d.shard, subscriberId: m.subscriberId }));
    await bus.subscribe([2, 3], (m, d) => void seen.push({ sub: "b", shard: d.shard, subscriberId: m.subscriberId }));
    for (const [shard, id] of ids.entries())
      expect(await bus.publish(intent(id, 1))).toEqual({ shard, duplicate: false });
    await until(() => seen.length === 4, "four deliveries");
    expect(seen.sort((x, y) => x.shard - y.shard)).toEqual(
      ids.map((subscriberId, shard) => ({ sub: shard < 2 ? "a" : "b", shard, subscriberId })),
    );
    await bus.close();
  });

  test("delivers asynchronously and in publish order per shard, cancels included", async () => {
    const bus = new InProcessBus({ shardCount: 2 });
    const got: string[] = [];
    await bus.subscribe([0, 1], async (m) => {
      await sleep(Math.random() * 3);
      got.push(label(m));
    });
    const sent: string[] = [];
    for (let i = 0; i < 20; i++) {
      const m = intent("alice", i);
      await bus.publish(m);
      sent.push(label(m));
      if (i % 5 === 0) {
        await bus.publish(cancelOf(m));
        sent.push(label(cancelOf(m)));
      }
    }
    expect(got).toEqual([]);
    await until(() => got.length === sent.length, "all messages");
    expect(got).toEqual(sent);
    await bus.close();
  });

  test("a message id published twice within the window is delivered once; after the window it is new again", async () => {
    let now = 1_000_000;
    const bus = new InProcessBus({ shardCount: 1, duplicateWindowMs: 60_000, now: () => now });
    const got: string[] = [];
    await bus.subscribe(0, (m) => void got.push(label(m)));
    const m = intent("alice", 1);
    expect(await bus.publish(m)).toEqual({ shard: 0, duplicate: false });
    expect(await bus.publish(m)).toEqual({ shard: 0, duplicate: true });
    // A cancel has its own id: it is not a duplicate of the intent it cancels.
    expect(await bus.publish(cancelOf(m))).toEqual({ shard: 0, duplicate: false });
    expect(await bus.publish(cancelOf(m))).toEqual({ shard: 0, duplicate: true });
    now += 59_999;
    expect((await bus.publish(m)).duplicate).toBe(true);
    now += 1;
    expect((await bus.publish(m)).duplicate).toBe(false);
    await until(() => got.length === 3, "three deliveries");
    await sleep(20);
    expect(got).toEqual(["intent:alice:1", label(cancelOf(m)), "intent:alice:1"]);
    await bus.close();
  });

  test("messages wait for a subscriber, and a new subscription resumes after the last handled one", async () => {
    const bus = new InProcessBus({ shardCount: 1 });
    await bus.publish(intent("alice", 1));
    const first: string[] = [];
    const sub = await bus.subscribe(0, (m) => void first.push(label(m)));
    await until(() => first.length === 1, "the early message");
    await sub.unsubscribe();
    await bus.publish(intent("alice", 2));
    await bus.publish(intent("alice", 3));
    await sleep(20);
    expect(first).toEqual(["intent:alice:1"]);
    const second: string[] = [];
    await bus.subscribe(0, (m) => void second.push(label(m)));
    await until(() => second.length === 2, "messages published while unsubscribed");
    expect(second).toEqual(["intent:alice:2", "intent:alice:3"]);
    await bus.close();
  });

  test("a throwing handler gets the message again, up to maxDeliver attempts, then the shard moves on", async () => {
    const bus = new InProcessBus({ shardCount: 1, maxDeliver: 3, retryDelayMs: 1 });
    const attempts: [string, Delivery][] = [];
    const errors: DeliveryError[] = [];
    await bus.subscribe(
      0,
      (m, d) => {
        attempts.push([label(m), d]);
        if (m.kind === "intent" && m.source.logIndex === 1) throw new Error("venue down");
        if (m.kind === "intent" && m.source.logIndex === 2 && d.attempt === 1) throw new Error("blip");
      },
      { onError: (e) => errors.push(e) },
    );
    await bus.publish(intent("alice", 1));
    await bus.publish(intent("alice", 2));
    await until(() => attempts.length === 5, "five attempts");
    expect(attempts.map(([l, d]) => `${l}#${d.attempt}`)).toEqual([
      "intent:alice:1#1",
      "intent:alice:1#2",
      "intent:alice:1#3",
      "intent:alice:2#1",
      "intent:alice:2#2",
    ]);
    expect(errors.map((e) => [e.error.message, e.final])).toEqual([
      ["venue down", false],
      ["venue down", false],
      ["venue down", true],
      ["blip", false],
    ]);
    await bus.close();
  });

  test("unsubscribe returns at once; the message in hand still completes and is not delivered again", async () => {
    const bus = new InProcessBus({ shardCount: 1 });
    let finished = false;
    const sub = await bus.subscribe(0, async () => {
      await sleep(50);
      finished = true;
    });
    await bus.publish(intent("alice", 1));
    await sleep(10);
    await sub.unsubscribe();
    expect(finished).toBe(false);
    await until(() => finished, "the message in hand");
    const again: string[] = [];
    await bus.subscribe(0, (m) => void again.push(label(m)));
    await sleep(20);
    expect(again).toEqual([]);
    await bus.close();
  });

  test("drain waits for the message in hand", async () => {
    const bus = new InProcessBus({ shardCount: 1 });
    let finished = false;
    const sub = await bus.subscribe(0, async () => {
      await sleep(50);
      finished = true;
    });
    await bus.publish(intent("alice", 1));
    await sleep(10);
    await sub.drain();
    expect(finished).toBe(true);
    await bus.close();
  });

  test("one subscription per shard; nothing after close", async () => {
    const bus = new InProcessBus({ shardCount: 2 });
    await bus.subscribe(1, () => undefined);
    await expect(bus.subscribe([0, 1], () => undefined)).rejects.toThrow(
      "shard(s) 1 already have a subscriber in this process",
    );
    await bus.close();
    await expect(bus.publish(intent("alice", 1))).rejects.toThrow("in-process intent bus is closed");
  });

  test("a malformed message is never handed to the handler: reported as final, and the shard keeps moving", async () => {
    const bus = new InProcessBus({ shardCount: 1 });
    const handled: string[] = [];
    const errors: string[] = [];
    await bus.subscribe(0, (m) => void handled.push(label(m)), { onError: (f) => void errors.push(`${f.final}:${f.error.message}`) });
    await bus.publish({ ...intent("alice", 1), subscriberId: "bob" });
    await bus.publish(intent("alice", 2));
    await until(() => handled.length === 1, "the good message");
    expect(handled).toEqual([label(intent("alice", 2))]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^true:bad intent payload: id: does not match/);
    await bus.close();
  });
});

describe("InProcessBus batches", () => {
  const many = (n: number, logIndex: number) => Array.from({ length: n }, (_, i) => intent(`sub-${i}`, logIndex));

  test("one bus message per (shard, group), handed over whole and in order; a second publish of the batch is dropped", async () => {
    const bus = new InProcessBus({ shardCount: 2 });
    const batches: { shard: number; labels: string[] }[] = [];
    await bus.subscribeBatches([0, 1], (messages, d) => void batches.push({ shard: d.shard, labels: messages.map(label) }));
    const fill = many(40, 1);
    const parts = await bus.publishBatch("fill:137:0xcd:1", fill);
    // Each subscriber in exactly one part, on its own shard.
    expect(parts.flatMap((p) => p.messages.map(label)).sort()).toEqual(fill.map(label).sort());
    expect(parts.length).toBeGreaterThan(2);
    expect(parts.length).toBeLessThan(fill.length);
    for (const part of parts) for (const m of part.messages) expect(shardOf(m.subscriberId, 2)).toBe(part.shard);
    expect(parts.every((p) => p.ok && !p.duplicate)).toBe(true);
    // Another listener (region) publishing the same fill, even with one follower fewer, adds nothing.
    const again = await bus.publishBatch("fill:137:0xcd:1", fill.slice(1));
    expect(again.every((p) => p.ok && p.duplicate)).toBe(true);
    await until(() => batches.length === parts.length, "every part");
    await sleep(20);
    for (const shard of [0, 1]) {
      expect(batches.filter((b) => b.shard === shard).map((b) => b.labels)).toEqual(parts.filter((p) => p.shard === shard).map((p) => p.messages.map(label)));
    }
    await bus.close();
  });

  test("a subscriber lands in the same group whoever else is in the batch, so the same intent never travels twice", async () => {
    const bus = new InProcessBus({ shardCount: 1 });
    const got: string[] = [];
    await bus.subscribe(0, (m) => void got.push(label(m)));
    const fill = many(30, 2);
    await bus.publishBatch("fill:x", fill.slice(0, 20));
    // A listener that saw different followers (10–29): those it shares with the first are in groups already taken.
    const second = await bus.publishBatch("fill:x", fill.slice(10));
    await sleep(30);
    const counts = new Map<string, number>();
    for (const l of got) counts.set(l, (counts.get(l) ?? 0) + 1);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    // What the second publish added are groups the first never had: none of the first listener's intents.
    const added = second.filter((p) => p.ok && !p.duplicate).flatMap((p) => p.messages.map(label));
    expect(added.filter((l) => fill.slice(0, 20).map(label).includes(l))).toEqual([]);
    expect(got.sort()).toEqual([...fill.slice(0, 20).map(label), ...added].sort());
    await bus.close();
  });

  test("per-message subscribers see a batch's messages one at a time, in order; cancels follow their intents", async () => {
    const bus = new InProcessBus({ shardCount: 1 });
    const got: string[] = [];
    await bus.subscribe(0, async (m) => {
      await sleep(Math.random() * 2);
      got.push(label(m));
    });
    const fill = many(12, 3);
    await bus.publishBatch("fill:y", fill);
    await bus.publishBatch("cancel:fill:y", fill.map(cancelOf));
    await until(() => got.length === 24, "intents and cancels");
    const position = (l: string) => got.indexOf(l);
    for (const m of fill) expect(position(label(m))).toBeLessThan(position(label(cancelOf(m))));
    await bus.close();
  });

  test("a failing batch handler gets the whole batch again; a bad item is reported and its siblings delivered", async () => {
    const bus = new InProcessBus({ shardCount: 1, retryDelayMs: 1 });
    const attempts: { attempt: number; size: number }[] = [];
    const errors: DeliveryError[] = [];
    await bus.subscribeBatches(
      0,
      (messages, d) => {
        attempts.push({ attempt: d.attempt, size: messages.length });
        if (d.attempt === 1) throw new Error("half way");
      },
      { onError: (e) => errors.push(e) },
    );
    const good = many(3, 4);
    // The first item carries another subscriber's id, so it does not decode; the second does.
    await bus.publishBatch("fill:z", [{ ...good[0]!, subscriberId: "sub-2" }, good[2]!]);
    await until(() => attempts.length === 2, "the retry");
    expect(attempts).toEqual([
      { attempt: 1, size: 1 },
      { attempt: 2, size: 1 },
    ]);
    expect(errors.map((e) => [e.error.message.replace(/:.*$/s, ""), e.final, e.messages?.length])).toEqual([
      ["bad intent payload (item 1 of 2)", true, undefined],
      ["half way", false, 1],
    ]);
    await bus.close();
  });
});
