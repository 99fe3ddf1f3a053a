import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { JournalTail, LineReader } from "./fanout-journal";

describe("LineReader", () => {
  it("holds a line back until its newline arrives, and skips blank lines", () => {
    const reader = new LineReader();
    expect(reader.push('{"a":1}\n{"b"')).toEqual(['{"a":1}']);
    expect(reader.push(':2}\n\n')).toEqual(['{"b":2}']);
  });
});

describe("JournalTail", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), "journal-tail-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const claim = (id: string) => `${JSON.stringify({ t: "claim", id, at: 1, subscriberId: "s", orderHash: `0xh${id}`, order: "{}", tokenId: "1", marketNotional: "0", dayNotional: "0", utcDay: 1, deadlineAt: 9 })}\n`;
  const outcome = (id: string, at: number) => `${JSON.stringify({ t: "outcome", id, at, outcome: "accepted", reason: "matched → ok" })}\n`;

  it("starts at the end of what is there, then picks up claims and outcomes as they are appended, torn lines included", () => {
    const file = path.join(dir, "executor.journal");
    writeFileSync(file, claim("0xold") + outcome("0xold", 5));
    const tail = new JournalTail(file);
    tail.poll();
    expect(tail.claims.size).toBe(0);

    const record = outcome("0x1", 42);
    appendFileSync(file, claim("0x1") + record.slice(0, 20));
    tail.poll();
    expect(tail.claims.get("0x1")?.orderHash).toBe("0xh0x1");
    expect(tail.outcomes.size).toBe(0);
    appendFileSync(file, record.slice(20));
    tail.poll();
    expect(tail.outcomes.get("0x1")).toMatchObject({ at: 42, outcome: "accepted", reason: "matched → ok" });
  });

  it("waits for a journal that does not exist yet", () => {
    const file = path.join(dir, "later.journal");
    const tail = new JournalTail(file);
    writeFileSync(file, claim("0x2"));
    tail.poll();
    expect(tail.claims.has("0x2")).toBe(true);
  });
});
