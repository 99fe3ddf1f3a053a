/**
 * Signing throughput per core: the executor's per-order CPU work, one operation at a time on one thread, pinned to
 * the executor's core, over the real intents of a fan-out round. Each operation runs once over all of them to warm
 * up, then `passes` times measured; every call is timed on its own so p99 and max are per operation.
 *
 * As a child: `fanout-signing.ts --accounts <file> --intents <jsonl> --passes N` (keys in the environment, as the
 * executor gets them); prints one JSON line (SigningResult).
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { buildOrder, type BuiltOrder } from "../../services/executor/order/build-order";
import { signOrder } from "../../services/executor/order/sign-order";
import { decodeIntent, decodeMessage, type CopyIntent } from "../../services/intents/intent";
import { hashOrder, ORDER_TYPES, typedDataDomain } from "../../services/polymarket/order";
import { loadBenchAccounts, runPinnedChild, type BenchAccount } from "./fanout-child";
import { FANOUT_TICK_SIZE } from "./fanout-fixture";
import { summarize, type Summary } from "./stats";

export interface OpResult {
  op: string;
  /** Timed calls. */
  n: number;
  /** Calls per second of wall time over the measured passes, timer reads included. */
  perSecond: number;
  /** Per call, microseconds. */
  perCallUs: Summary;
}

export interface SigningResult {
  node: string;
  orders: number;
  passes: number;
  ops: OpResult[];
}

/** Times `op` on every item, once unmeasured to warm up, then `passes` times. */
export async function timeOp<T>(op: string, items: readonly T[], passes: number, run: (item: T) => unknown): Promise<OpResult> {
  for (const item of items) await run(item);
  const durations: number[] = [];
  const started = performance.now();
  for (let pass = 0; pass < passes; pass++) {
    for (const item of items) {
      const t = performance.now();
      await run(item);
      durations.push(performance.now() - t);
    }
  }
  const wallMs = performance.now() - started;
  return { op, n: durations.length, perSecond: durations.length / (wallMs / 1000), perCallUs: summarize(durations.map((ms) => ms * 1000)) };
}

interface Case {
  raw: string;
  intent: CopyIntent;
  who: BenchAccount;
  built: BuiltOrder;
}

async function childMain(): Promise<void> {
  const { values } = parseArgs({ options: { accounts: { type: "string" }, intents: { type: "string" }, passes: { type: "string", default: "3" } } });
  if (!values.accounts || !values.intents) throw new Error("usage: fanout-signing.ts --accounts <file> --intents <jsonl> [--passes N]");
  const passes = Number(values.passes);
  const accounts = await loadBenchAccounts(values.accounts);
  const market = { tickSize: FANOUT_TICK_SIZE };
  const cases: Case[] = readFileSync(values.intents, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((raw) => {
      const intent = decodeIntent(raw);
      const who = accounts.get(intent.subscriberId);
      if (!who) throw new Error(`no account for ${intent.subscriberId}`);
      return { raw, intent, who, built: buildOrder(intent, who.account, market) };
    });
  const ops = [
    await timeOp("decode intent (JSON + validation + id check, as the bus does)", cases, passes, (c) => decodeMessage(c.raw)),
    await timeOp("buildOrder", cases, passes, (c) => buildOrder(c.intent, c.who.account, market)),
    await timeOp("hashOrder (EIP-712 digest)", cases, passes, (c) => hashOrder(c.built.domain, c.built.order)),
    await timeOp("buildOrder + signOrder, local key (the executor's sign stage)", cases, passes, (c) => {
      const built = buildOrder(c.intent, c.who.account, market);
      return signOrder(c.who.account.key, built.domain, built.order);
    }),
    await timeOp("viem account.signTypedData (the naive baseline's signing)", cases, passes, (c) =>
      c.who.viem.signTypedData({ domain: typedDataDomain(c.built.domain), types: ORDER_TYPES, primaryType: "Order", message: c.built.order }),
    ),
  ];
  const result: SigningResult = { node: process.version, orders: cases.length, passes, ops };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Runs the microbenchmark as a child under `prefix` (the executor's core), with the keys in `env`. */
export function runSigningBench(accountsFile: string, intentsFile: string, passes: number, prefix: readonly string[], env: NodeJS.ProcessEnv): Promise<SigningResult> {
  return runPinnedChild<SigningResult>(__filename, ["--accounts", accountsFile, "--intents", intentsFile, "--passes", String(passes)], prefix, env, 300_000).result;
}

if (require.main === module) {
  childMain().catch((err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exitCode = 1;
  });
}
