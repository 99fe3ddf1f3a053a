import fs, { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Hex } from "viem";
import { IntentJournal } from "../../../services/executor/journal";

const id = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as Hex;
const claim = (n: number, at: number) => ({
  id: id(n),
  at,
  subscriberId: "alice",
  orderHash: id(1000 + n),
  order: "{}",
  tokenId: "42",
  marketNotional: "5000000",
  dayNotional: "5000000",
  utcDay: 20_000,
  deadlineAt: at + 2_000,
});

function tempFile(): string {
  return path.join(mkdtempSync(path.join(os.tmpdir(), "journal-")), "executor.journal");
}

describe("IntentJournal", () => {
  it("takes an id once, even for concurrent deliveries, and remembers it across a reopen", async () => {
    const file = tempFile();
    const journal = await IntentJournal.open(file, { retentionMs: 3_600_000 });
    expect(journal.take(id(1))).toBe(true);
    expect(journal.take(id(1))).toBe(false);
    await journal.claim(claim(1, Date.now()));
    await journal.settle(id(1), "accepted");
    await journal.close();

    const reopened = await IntentJournal.open(file, { retentionMs: 3_600_000 });
    expect(reopened.take(id(1))).toBe(false);
    expect(reopened.entry(id(1))?.outcome?.outcome).toBe("accepted");
    expect(reopened.unsettled()).toEqual([]);
    await reopened.close();
  });

  it("reports claims without an outcome after a restart, so they are resent or written off", async () => {
    const file = tempFile();
    const journal = await IntentJournal.open(file, { retentionMs: 3_600_000 });
    journal.take(id(2));
    await journal.claim(claim(2, Date.now()));
    await journal.close();
    const reopened = await IntentJournal.open(file, { retentionMs: 3_600_000 });
    expect(reopened.unsettled().map((c) => c.id)).toEqual([id(2)]);
    await reopened.close();
  });

  it("groups concurrent claims into one write and makes every one of them durable", async () => {
    const file = tempFile();
    const journal = await IntentJournal.open(file, { retentionMs: 3_600_000 });
    const now = Date.now();
    await Promise.all(Array.from({ length: 500 }, (_, n) => journal.claim(claim(n + 10, now))));
    await journal.close();
    expect(readFileSync(file, "utf8").trim().split("\n")).toHaveLength(500);
  });

  it("compacts records older than the retention window on open", async () => {
    const file = tempFile();
    const now = Date.now();
    writeFileSync(file, `${JSON.stringify({ t: "claim", ...claim(3, now - 10_000) })}\n${JSON.stringify({ t: "claim", ...claim(4, now) })}\n`);
    const journal = await IntentJournal.open(file, { retentionMs: 5_000, nowMs: now });
    expect(journal.take(id(3))).toBe(true);
    expect(journal.take(id(4))).toBe(false);
    await journal.close();
    expect(readFileSync(file, "utf8")).not.toContain(id(3));
  });

  it("drops a torn last line (power loss mid-write) but refuses a damaged line in the middle", async () => {
    const file = tempFile();
    writeFileSync(file, `${JSON.stringify({ t: "claim", ...claim(5, Date.now()) })}\n`);
    appendFileSync(file, '{"t":"claim","id":"0x');
    const journal = await IntentJournal.open(file, { retentionMs: 3_600_000 });
    expect(journal.take(id(5))).toBe(false);
    await journal.close();

    const damaged = tempFile();
    writeFileSync(damaged, `not json\n${JSON.stringify({ t: "claim", ...claim(6, Date.now()) })}\n`);
    await expect(IntentJournal.open(damaged, { retentionMs: 3_600_000 })).rejects.toThrow(/line 1 is damaged/);
  });

  it("drops damage after the last claim (outcomes are not synced on their own), but not before a claim", async () => {
    const file = tempFile();
    const now = Date.now();
    const outcome = (n: number) => JSON.stringify({ t: "outcome", id: id(n), at: now, outcome: "accepted" });
    // A power loss can leave unsynced outcome lines garbled anywhere after the last fdatasync'd claim.
    writeFileSync(file, `${JSON.stringify({ t: "claim", ...claim(7, now) })}\n${"\u0000".repeat(40)}\n${outcome(7)}\n`);
    const journal = await IntentJournal.open(file, { retentionMs: 3_600_000 });
    expect(journal.entry(id(7))?.outcome?.outcome).toBe("accepted");
    await journal.close();

    const damaged = tempFile();
    writeFileSync(damaged, `${outcome(8)}\n{"t":"outc\n${JSON.stringify({ t: "claim", ...claim(9, now) })}\n`);
    await expect(IntentJournal.open(damaged, { retentionMs: 3_600_000 })).rejects.toThrow(/line 2 is damaged/);
  });

  it("fdatasyncs claims and records asked to be durable, not outcomes on their own", async () => {
    const probe = await open(tempFile(), "w");
    const syncs = jest.spyOn(Object.getPrototypeOf(probe) as { datasync: () => Promise<void> }, "datasync");
    await probe.close();
    const journal = await IntentJournal.open(tempFile(), { retentionMs: 3_600_000 });
    await journal.claim(claim(10, Date.now()));
    expect(syncs).toHaveBeenCalledTimes(1);
    await journal.settle(id(10), "accepted");
    expect(syncs).toHaveBeenCalledTimes(1);
    await journal.settle(id(11), "cancelled", "reorg", { durable: true });
    expect(syncs).toHaveBeenCalledTimes(2);
    await journal.close();
    syncs.mockRestore();
  });

  describe("group commit", () => {
    /** datasync calls that finish only when the test says so. */
    async function heldSyncs() {
      const probe = await open(tempFile(), "w");
      const prototype = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
      await probe.close();
      const held: (() => void)[] = [];
      const spy = jest.spyOn(prototype, "datasync").mockImplementation(() => new Promise<void>((resolve) => held.push(resolve)));
      return { held, restore: () => spy.mockRestore() };
    }
    const settledYet = (promise: Promise<void>) => {
      const state = { done: false };
      void promise.then(() => (state.done = true));
      return state;
    };
    const turn = () => new Promise((resolve) => setImmediate(resolve));

    it("a claim written while an fdatasync runs waits for the next fdatasync, not that one", async () => {
      const syncs = await heldSyncs();
      const journal = await IntentJournal.open(tempFile(), { retentionMs: 3_600_000 });
      const first = settledYet(journal.claim(claim(20, Date.now())));
      await turn();
      expect(syncs.held).toHaveLength(1);
      const second = settledYet(journal.claim(claim(21, Date.now())));
      await turn();
      // Written, but the running sync may have started before the write: it waits for a sync of its own.
      expect(readFileSync(journal.file, "utf8")).toContain(id(21));
      expect(syncs.held).toHaveLength(1);
      syncs.held[0]!();
      await turn();
      expect([first.done, second.done]).toEqual([true, false]);
      expect(syncs.held).toHaveLength(2);
      syncs.held[1]!();
      await turn();
      expect(second.done).toBe(true);
      await journal.close();
      syncs.restore();
    });

    it("writes one event-loop turn's records in one write, and outcomes do not wait for a running fdatasync", async () => {
      const syncs = await heldSyncs();
      const journal = await IntentJournal.open(tempFile(), { retentionMs: 3_600_000 });
      const writes = jest.spyOn(fs, "writeSync");
      const claimed = settledYet(journal.claim(claim(30, Date.now())));
      await turn();
      const outcomes = Array.from({ length: 100 }, (_, n) => journal.settle(id(100 + n), "accepted"));
      await Promise.all(outcomes);
      expect(writes).toHaveBeenCalledTimes(2);
      expect(claimed.done).toBe(false);
      expect(readFileSync(journal.file, "utf8").trim().split("\n")).toHaveLength(101);
      syncs.held[0]!();
      await journal.close();
      writes.mockRestore();
      syncs.restore();
    });
  });
});
