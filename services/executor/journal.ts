import { mkdirSync, readFileSync, renameSync, writeFileSync, writeSync } from "node:fs";
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
 * memory synchronously (so two concurrent deliveries cannot both pass) and its claim is fdatasync'd before the order
 * is sent.
 *
 * Records of one event-loop turn go out in one write, made synchronously: it only copies into the page cache (tens
 * of microseconds for a turn's worth of lines), where an asynchronous write would cost the same syscall plus a
 * thread-pool round trip on the executor's one core and a promise per batch. fdatasync stays asynchronous, since it
 * waits for the disk: claims written while one runs wait for the next (group commit), so a fan-out of a thousand
 * intents pays for a few syncs, and writes never wait for a sync.
 *
 * Outcomes are written but not synced on their own: after a power loss the claim alone decides (a claim without its
 * outcome is resent byte for byte, and the venue keeps one order per hash), and the next claim's fdatasync makes them
 * durable anyway. A caller whose record must survive by itself (a cancel, which has no claim) asks for `durable`.
 * Opening compacts the file to the retention window, atomically (write + rename).
 */
export class IntentJournal {
  private readonly entries = new Map<Hex, JournalEntry>();
  private readonly taken = new Set<Hex>();
  /** Lines of this event-loop turn, written together by the next flush. */
  private batch: Batch | undefined;
  /** Written batches waiting for an fdatasync that starts after their write. */
  private unsynced: Deferred[] = [];
  private syncing: Promise<void> | undefined;
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
    while (this.batch || this.syncing) {
      if (this.batch) await this.batch.flushed;
      if (this.syncing) await this.syncing;
    }
    await this.handle.close();
  }

  private append(record: JournalRecord, durable: boolean): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`journal ${this.file} is closed`));
    this.apply(record);
    const batch = (this.batch ??= this.newBatch());
    batch.lines.push(`${JSON.stringify(record)}\n`);
    return durable ? (batch.durable ??= deferred()).promise : (batch.written ??= deferred()).promise;
  }

  private newBatch(): Batch {
    let flushed!: () => void;
    const batch: Batch = { lines: [], flushed: new Promise<void>((resolve) => (flushed = resolve)) };
    setImmediate(() => {
      this.batch = undefined;
      this.write(batch);
      flushed();
    });
    return batch;
  }

  private write(batch: Batch): void {
    try {
      const bytes = Buffer.from(batch.lines.join(""));
      for (let offset = 0; offset < bytes.length; ) offset += writeSync(this.handle.fd, bytes, offset);
    } catch (err) {
      const error = new Error(`journal ${this.file}: write failed: ${(err as Error).message}`);
      batch.written?.reject(error);
      batch.durable?.reject(error);
      return;
    }
    batch.written?.resolve();
    if (!batch.durable) return;
    this.unsynced.push(batch.durable);
    this.sync();
  }

  /** One fdatasync at a time; whatever was written while it ran waits for the next one. */
  private sync(): void {
    if (this.syncing || this.unsynced.length === 0) return;
    const waiting = this.unsynced;
    this.unsynced = [];
    this.syncing = this.handle.datasync().then(
      () => waiting.forEach((w) => w.resolve()),
      (err: Error) => {
        const error = new Error(`journal ${this.file}: fdatasync failed: ${err.message}`);
        waiting.forEach((w) => w.reject(error));
      },
    );
    void this.syncing.then(() => {
      this.syncing = undefined;
      this.sync();
    });
  }

  private apply(record: JournalRecord): void {
    const entry = this.entries.get(record.id) ?? {};
    if (record.t === "claim") entry.claim = record;
    else entry.outcome = record;
    this.entries.set(record.id, entry);
  }
}

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: Error) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((ok, fail) => ((resolve = ok), (reject = fail)));
  return { promise, resolve, reject };
}

/** One event-loop turn's records: one promise for those that wait for the write, one for those that wait for a sync. */
interface Batch {
  lines: string[];
  written?: Deferred;
  durable?: Deferred;
  /** Settles once the batch has been written (or failed to be). */
  flushed: Promise<void>;
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
