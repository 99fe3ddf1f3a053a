/**
 * Reads the executor's journal (services/executor/journal.ts) as it grows: a claim per order (its hash, durable before
 * the order left) and an outcome per intent (what became of it, stamped when the executor heard back). The bench
 * learns from it which order each intent became and when each was settled, without asking the executor process for
 * anything during a round.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { StringDecoder } from "node:string_decoder";
import type { Hex } from "viem";
import type { ClaimRecord, JournalRecord, OutcomeRecord } from "../../services/executor/journal";

/** Lines appended since the last read; a line still being written is held back until its newline arrives. */
export class LineReader {
  private partial = "";

  push(text: string): string[] {
    const parts = (this.partial + text).split("\n");
    this.partial = parts.pop() ?? "";
    return parts.filter((line) => line.trim() !== "");
  }
}

export class JournalTail {
  readonly claims = new Map<Hex, ClaimRecord>();
  readonly outcomes = new Map<Hex, OutcomeRecord>();
  private offset = 0;
  private readonly lines = new LineReader();
  /** A multi-byte character split across two reads stays whole. */
  private readonly decoder = new StringDecoder("utf8");
  /** One buffer for every read: the bench polls during rounds, on the core the venue and the listener need. */
  private readonly chunk = Buffer.allocUnsafe(1 << 20);

  /** Starts at the file's current end: what the executor journaled before is not this bench's business. */
  constructor(private readonly file: string) {
    this.read(false);
  }

  /** Reads what was appended since the last call. */
  poll(): void {
    this.read(true);
  }

  private read(keep: boolean): void {
    let fd: number;
    try {
      fd = openSync(this.file, "r");
    } catch {
      return; // not created yet
    }
    try {
      for (;;) {
        const n = readSync(fd, this.chunk, 0, this.chunk.length, this.offset);
        if (n === 0) break;
        this.offset += n;
        const lines = this.lines.push(this.decoder.write(this.chunk.subarray(0, n)));
        if (keep) for (const line of lines) this.apply(JSON.parse(line) as JournalRecord);
      }
    } finally {
      closeSync(fd);
    }
  }

  private apply(record: JournalRecord): void {
    if (record.t === "claim") this.claims.set(record.id, record);
    else this.outcomes.set(record.id, record);
  }
}
