/**
 * The journal's CPU per order: `cycles` claim + outcome pairs through IntentJournal the way the executor makes them
 * during a fan-out (`inFlight` orders at once; a claim awaited before the order goes out, its outcome written when
 * the venue's answer arrives in a later event-loop turn). CPU is process.cpuUsage (user + system, every thread, so
 * the thread pool's writes and fdatasyncs count), not wall time: the box this runs on is shared.
 *
 * `tsx test/bench/fanout-journal-cpu.ts [--cycles N] [--in-flight N] [--runs N] [--dir DIR]`; prints one JSON line.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { keccak256, toHex, type Hex } from "viem";
import { IntentJournal } from "../../services/executor/journal";
import { summarize } from "./stats";

/** About the size of a real claim's signed order (services/polymarket/order.ts encodeSignedOrder). */
const ORDER = JSON.stringify({ order: { salt: "1".repeat(16), maker: `0x${"a".repeat(40)}`, tokenId: "9".repeat(77), signature: `0x${"b".repeat(130)}` }, pad: "x".repeat(700) });

async function oneRun(dir: string, cycles: number, inFlight: number, run: number): Promise<{ cpuUs: number; wallMs: number }> {
  const journal = await IntentJournal.open(path.join(dir, `run-${run}.journal`), { retentionMs: 3_600_000 });
  let next = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < cycles) {
        const n = next++;
        const id: Hex = keccak256(toHex(`${run}:${n}`));
        const at = Date.now();
        journal.take(id);
        await journal.claim({ id, at, subscriberId: `s${n}`, orderHash: id, order: ORDER, tokenId: "42", marketNotional: "5000000", dayNotional: "5000000", utcDay: 20_000, deadlineAt: at + 2_000 });
        // The venue's answer comes back in a later turn of the event loop.
        await new Promise((resolve) => setImmediate(resolve));
        await journal.settle(id, "accepted", "live");
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  const wallMs = performance.now() - started;
  await journal.close();
  return { cpuUs: used.user + used.system, wallMs };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      cycles: { type: "string", default: "1000" },
      "in-flight": { type: "string", default: "64" },
      runs: { type: "string", default: "7" },
      dir: { type: "string" },
    },
  });
  const [cycles, inFlight, runs] = [Number(values.cycles), Number(values["in-flight"]), Number(values.runs)];
  const dir = mkdtempSync(path.join(values.dir ?? os.tmpdir(), "journal-cpu-"));
  try {
    await oneRun(dir, cycles, inFlight, -1);
    const results = [];
    for (let run = 0; run < runs; run++) results.push(await oneRun(dir, cycles, inFlight, run));
    const cpuPerOrderUs = summarize(results.map((r) => r.cpuUs / cycles));
    const wallMs = summarize(results.map((r) => r.wallMs));
    process.stdout.write(`${JSON.stringify({ node: process.version, cycles, inFlight, runs, cpuPerOrderUs, wallMs })}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
