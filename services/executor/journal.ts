import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import path from "node:path";
import type { Hex } from "viem";

/** Written, and made durable, before an order leaves this process: its existence means "never build another". */
export interface ClaimRecord {
  t: "claim";
  id: Hex;
  at: number;
  subscriberId: string;
  orderHash: Hex;
  /** The signed order as submitted (JSON): resent byte for byte after a crash, never rebuilt. */
  order: string;
  /** What the claim charged to the subscriber's caps, replayed into the exposure ledger on restart. */
  tokenId: string;
  marketNotional: string;
  dayNotional: string;
  utcDay: number;
  /** Past this epoch ms the order is not resent. */
  deadlineAt: number;
}

export interface OutcomeRecord {
  t: "outcome";
  id: Hex;
  at: number;
  outcome: string;
  reason?: string;
}

export type JournalRecord = ClaimRecord | OutcomeRecord;

export interface JournalEntry {
  claim?: ClaimRecord;
  outcome?: OutcomeRecord;
}

export interface JournalOptions {
  retentionMs: number;
  nowMs?: number;
}

/**
 * The executor's local at-most-once record, one JSON line per event in an append-only file. An intent id is taken in
 * memory synchronously (so two concurrent deliveries cannot both pass) and its claim is fsync'd before the order is
 * sent. Records arriving together share one write, and claims one fdatasync (group commit): a fan-out of a thousand
 * intents pays for a few syncs, not a thousand.
 *
 * Outcomes are written but not synced on their own: after a power loss the claim alone decides (a claim without its
 * outcome is resent byte for byte, and the venue keeps one order per hash), and the next claim's fdatasync makes them
 * durable anyway. A caller whose record must survive by itself (a cancel, which has no claim) asks for `durable`.
 * Opening compacts the file to the retention window, atomically (write + rename).
 */
export class IntentJournal {
  private readonly entries = new Map<Hex, JournalEntry>();
  private readonly taken = new Set<Hex>();
  private pending: { line: string; durable: boolean; done: () => void; failed: (err: Error) => void }[] = [];
  private flushing: Promise<void> | undefined;
  private closed = false;

  private constructor(readonly file: string, private readonly handle: FileHandle) {}

  static async open(file: string, options: JournalOptions): Promise<IntentJournal> {
    mkdirSync(path.dirname(file), { recursive: true });
    const horizon = (options.nowMs ?? Date.now()) - options.retentionMs;
    const kept = readRecords(file).filter((record) => record.at >= horizon);
    const compacted = `${file}.compact`;
    writeFileSync(compacted, kept.map((record) => `${JSON.stringify(record)}\n`).join(""), { flag: "w" });
    renameSync(compacted, file);
    const journal = new IntentJournal(file, await open(file, "a"));
    for (const record of kept) journal.apply(record);
    return journal;
  }

  get size(): number {
    return this.entries.size;
  }

  entry(id: Hex): JournalEntry | undefined {
    return this.entries.get(id);
  }

  /** Takes an intent id for this process; false when it is known (journaled before, or taken by a concurrent delivery). */
  take(id: Hex): boolean {
    if (this.taken.has(id) || this.entries.has(id)) return false;
    this.taken.add(id);
    return true;
  }

  /** Gives back a taken id that was never claimed (the intent was dropped before an order existed). */
  release(id: Hex): void {
    this.taken.delete(id);
  }

  /** Durable once resolved: only then may the order be sent. */
  claim(record: Omit<ClaimRecord, "t">): Promise<void> {
    return this.append({ t: "claim", ...record }, true);
  }

  /** Resolves once written to the file; with `durable`, once fdatasync'd too. */
  settle(id: Hex, outcome: string, reason?: string, options: { durable?: boolean; at?: number } = {}): Promise<void> {
    return this.append({ t: "outcome", id, at: options.at ?? Date.now(), outcome, ...(reason ? { reason } : {}) }, options.durable ?? false);
  }

  /** Claims without an outcome: the process stopped between sending and hearing back. */
  unsettled(): ClaimRecord[] {
    return [...this.entries.values()].flatMap((entry) => (entry.claim && !entry.outcome ? [entry.claim] : []));
  }

  claims(): ClaimRecord[] {
    return [...this.entries.values()].flatMap((entry) => (entry.claim ? [entry.claim] : []));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.flushing) await this.flushing;
    await this.handle.close();
  }

  private append(record: JournalRecord, durable: boolean): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`journal ${this.file} is closed`));
    this.apply(record);
    return new Promise<void>((done, failed) => {
      this.pending.push({ line: `${JSON.stringify(record)}\n`, durable, done, failed });
      if (!this.flushing) this.flushing = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.flush());
    });
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      try {
        await this.handle.write(batch.map((p) => p.line).join(""));
        if (batch.some((p) => p.durable)) await this.handle.datasync();
        for (const p of batch) p.done();
      } catch (err) {
        const error = new Error(`journal ${this.file}: write failed: ${(err as Error).message}`);
        for (const p of batch) p.failed(error);
      }
    }
    this.flushing = undefined;
  }

  private apply(record: JournalRecord): void {
    const entry = this.entries.get(record.id) ?? {};
    if (record.t === "claim") entry.claim = record;
    else entry.outcome = record;
    this.entries.set(record.id, entry);
  }
}

/**
 * Reads the journal. Everything after the last intact claim may be lost or torn by a power loss (outcomes are not
 * synced on their own, and a claim in flight had not been made durable, so no order followed it): damaged lines there
 * are dropped. A damaged line before an intact claim was synced by that claim's fdatasync, so the file is not ours or
 * is damaged: that stops the start.
 */
function readRecords(file: string): JournalRecord[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw new Error(`journal ${file}: cannot read: ${(err as Error).message}`);
  }
  const records: JournalRecord[] = [];
  let firstDamage: { line: number; problem: string } | undefined;
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    let record: JournalRecord;
    try {
      record = JSON.parse(line) as JournalRecord;
      if ((record.t !== "claim" && record.t !== "outcome") || typeof record.id !== "string" || typeof record.at !== "number") {
        throw new Error("not a journal record");
      }
    } catch (err) {
      firstDamage ??= { line: i + 1, problem: (err as Error).message };
      return;
    }
    if (record.t === "claim" && firstDamage) throw new Error(`journal ${file}: line ${firstDamage.line} is damaged: ${firstDamage.problem}`);
    records.push(record);
  });
  return records;
}
