/**
 * The executor's own CPU per order, without the bus and HTTP: a fan-out's intents through Executor.handleBatch with
 * the real journal (on local disk), one local key per subscriber signed with the chosen engine, and a venue that
 * accepts each order a few milliseconds later. CPU is process.cpuUsage (user + system, all threads), not wall
 * time: the box this runs on is shared.
 *
 * `tsx test/bench/fanout-executor-cpu.ts [--engine native|noble] [--orders N] [--batch N] [--venue-ms N] [--runs N]`; prints one
 * JSON line. `--batch` is the intents per handleBatch call, one shard's fetch (default: 1,000 intents over 4 shards).
 * Pin it to a core (taskset -c 1) to match the fan-out bench.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pino from "pino";
import { Registry } from "prom-client";
import { generatePrivateKey } from "viem/accounts";
import type { SubscriberAccount } from "../../services/executor/accounts";
import { Executor } from "../../services/executor/executor";
import { IntentJournal } from "../../services/executor/journal";
import { loadEcdsaEngine, SIGNING_ENGINES, type SigningEngineName } from "../../services/executor/signer/ecdsa-engine";
import { localSigner } from "../../services/executor/signer/local-signer";
import type { CopyIntent } from "../../services/intents/intent";
import { ExposureLedger } from "../../services/listener/sizing/exposure";
import { EXECUTOR_METRICS } from "../../services/metrics/catalogue";
import { createInstruments } from "../../services/metrics/registry";
import { hashOrder, type SignedOrder } from "../../services/polymarket/order";
import { apiCredentials } from "../../services/venue/l2-auth";
import type { OrderVenue, SubmitOutcome } from "../../services/venue/venue";
import { intent } from "../bus/messages";
import { aliceRule } from "../executor/core/rule-fixture";
import { summarize } from "./stats";

const LEADER = "0x1000000000000000000000000000000000000001";

/** Answers after a random 0–`maxMs` ms, so answers, and the claims of the intents waiting for their slots, trickle. */
class AcceptingVenue implements OrderVenue {
  constructor(private readonly maxMs: number) {}
  async submit(order: SignedOrder): Promise<SubmitOutcome> {
    await new Promise((resolve) => setTimeout(resolve, Math.random() * this.maxMs));
    return { kind: "accepted", orderHash: hashOrder(order.domain, order.order), status: "live", venueOrderId: "1" };
  }
}

function accounts(n: number, engine: SigningEngineName): Map<string, SubscriberAccount> {
  const signing = loadEcdsaEngine(engine);
  const credentials = apiCredentials({ key: "k", secret: Buffer.alloc(32, 1).toString("base64"), passphrase: "p" });
  return new Map(
    Array.from({ length: n }, (_, i) => {
      const key = localSigner(generatePrivateKey(), signing);
      const subscriberId = `s${i}`;
      return [subscriberId, { subscriberId, maker: key.address, signer: key.address, signatureType: 0, key, api: { address: key.address, credentials } }];
    }),
  );
}

async function oneRun(dir: string, all: Map<string, SubscriberAccount>, batch: number, venueMs: number, run: number): Promise<number> {
  const journal = await IntentJournal.open(path.join(dir, `run-${run}.journal`), { retentionMs: 3_600_000 });
  const now = Date.now();
  const rules = new Map([...all.keys()].map((id) => [id, { ...aliceRule({ maxOrderNotional: 10_000_000n, maxMarketExposure: 12_000_000n, maxDailyNotional: 100_000_000n }), subscriberId: id }]));
  const executor = new Executor({
    accounts: all,
    rule: (subscriberId, leader) => (leader === LEADER ? rules.get(subscriberId) : undefined),
    globalKillSwitch: () => false,
    venue: new AcceptingVenue(venueMs),
    journal,
    ledger: new ExposureLedger(),
    deadlineMs: 60_000,
    submitTimeoutMs: 2_000,
    maxInFlight: 64,
    orderType: "FAK",
    metrics: createInstruments(new Registry(), EXECUTOR_METRICS),
    log: pino({ level: "silent" }),
    now: () => now,
  });
  const intents: CopyIntent[] = [...all.keys()].map((id, i) => ({ ...intent(id, run * all.size + i), timestamps: { fillFirstSeenAtMs: now, intentCreatedAtMs: now } }));
  const cpu = process.cpuUsage();
  const batches = [];
  for (let i = 0; i < intents.length; i += batch) batches.push(executor.handleBatch(intents.slice(i, i + batch)));
  await Promise.all(batches);
  await executor.settled();
  const used = process.cpuUsage(cpu);
  await journal.close();
  return (used.user + used.system) / intents.length;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      engine: { type: "string", default: "native" },
      orders: { type: "string", default: "1000" },
      batch: { type: "string", default: "250" },
      "venue-ms": { type: "string", default: "10" },
      runs: { type: "string", default: "7" },
    },
  });
  const engine = values.engine as SigningEngineName;
  if (!SIGNING_ENGINES.includes(engine)) throw new Error(`--engine must be one of ${SIGNING_ENGINES.join(", ")}`);
  const [orders, batch, runs, venueMs] = [Number(values.orders), Number(values.batch), Number(values.runs), Number(values["venue-ms"])];
  const all = accounts(orders, engine);
  const dir = mkdtempSync(path.join(os.tmpdir(), "executor-cpu-"));
  try {
    await oneRun(dir, all, batch, venueMs, 0);
    const perOrderUs = [];
    for (let run = 1; run <= runs; run++) perOrderUs.push(await oneRun(dir, all, batch, venueMs, run));
    process.stdout.write(`${JSON.stringify({ node: process.version, engine, orders, batch, venueMs, runs, cpuPerOrderUs: summarize(perOrderUs) })}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
