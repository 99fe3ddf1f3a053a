/**
 * The baseline: a naive executor as one would first write it. It takes the listener's intents off NATS, and for each
 * in turn builds the same order the executor would (buildOrder), signs it with viem's `account.signTypedData`, and
 * POSTs it with one `fetch`, waiting for the answer before the next. No journal, no retries, no risk re-check: less
 * work than the executor does per order, so any lead the executor has is its design, not skipped safety.
 *
 * As a child: `fanout-naive.ts --nats <url> --venue <url> --accounts <file> --expect N --wait-ms T` (keys in the
 * environment). Prints "ready" once subscribed, then one JSON line (NaiveResult) after `expect` intents, or after
 * `wait-ms` without them.
 */
import { connect } from "nats";
import { parseArgs } from "node:util";
import type { Hex } from "viem";
import { buildOrder } from "../../services/executor/order/build-order";
import { decodeBatch } from "../../services/intents/batch";
import type { CopyIntent } from "../../services/intents/intent";
import { hashOrder, ORDER_TYPES, typedDataDomain } from "../../services/polymarket/order";
import { preciseNowMs } from "../../services/rpc/clock";
import { l2Headers } from "../../services/venue/l2-auth";
import { toPostOrderBody } from "../../services/venue/order-wire";
import { holdUntilReleased, loadBenchAccounts, READY, runPinnedChild, type BenchAccount, type PinnedChild } from "./fanout-child";
import { FANOUT_TICK_SIZE } from "./fanout-fixture";

export interface NaiveOrder {
  intentId: Hex;
  orderHash: Hex;
  /** HTTP status of the venue's answer; 0 when the request failed. */
  status: number;
  /** The venue's error text when it refused; empty when accepted. */
  error: string;
  signMs: number;
  postMs: number;
  /** When the answer was back (epoch ms, this process's clock). */
  answeredAtMs: number;
}

export interface NaiveResult {
  orders: NaiveOrder[];
}

async function handle(intent: CopyIntent, accounts: Map<string, BenchAccount>, venueUrl: string): Promise<NaiveOrder> {
  const who = accounts.get(intent.subscriberId);
  if (!who) throw new Error(`no account for ${intent.subscriberId}`);
  const signStarted = performance.now();
  const { domain, order } = buildOrder(intent, who.account, { tickSize: FANOUT_TICK_SIZE });
  const signature = await who.viem.signTypedData({ domain: typedDataDomain(domain), types: ORDER_TYPES, primaryType: "Order", message: order });
  const signMs = performance.now() - signStarted;
  const postStarted = performance.now();
  const { api } = who.account;
  const body = JSON.stringify(toPostOrderBody({ domain, order, signature }, api.credentials.key, "FAK"));
  const headers = l2Headers(api.address, api.credentials, { method: "POST", requestPath: "/order", body, timestampSec: Math.floor(Date.now() / 1000) });
  let status = 0;
  let error = "";
  try {
    const res = await fetch(`${venueUrl}/order`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body, signal: AbortSignal.timeout(5000) });
    status = res.status;
    const answer = (await res.json()) as { error?: string; success?: boolean };
    if (status !== 200 || answer.success !== true) error = answer.error ?? JSON.stringify(answer).slice(0, 200);
  } catch (err) {
    error = (err as Error).message;
  }
  return { intentId: intent.id, orderHash: hashOrder(domain, order), status, error, signMs, postMs: performance.now() - postStarted, answeredAtMs: preciseNowMs() };
}

async function childMain(): Promise<void> {
  const { values } = parseArgs({
    options: { nats: { type: "string" }, venue: { type: "string" }, accounts: { type: "string" }, expect: { type: "string" }, "wait-ms": { type: "string" } },
  });
  if (!values.nats || !values.venue || !values.accounts || !values.expect || !values["wait-ms"]) {
    throw new Error("usage: fanout-naive.ts --nats <url> --venue <url> --accounts <file> --expect N --wait-ms T");
  }
  const expect = Number(values.expect);
  const accounts = await loadBenchAccounts(values.accounts);
  const nc = await connect({ servers: values.nats, name: "fanout-naive-executor", timeout: 5000 });
  // A plain subscription: the naive design has no durable consumer, no acknowledgements, no shards.
  const subscription = nc.subscribe("polysync.intents.*");
  await nc.flush();
  process.stdout.write(`${READY}\n`);
  const orders: NaiveOrder[] = [];
  const waitUntil = Date.now() + Number(values["wait-ms"]);
  const giveUp = setTimeout(() => subscription.unsubscribe(), Number(values["wait-ms"]));
  for await (const msg of subscription) {
    for (const message of decodeBatch(msg.data).messages) {
      if (message.kind === "intent") orders.push(await handle(message, accounts, values.venue));
    }
    if (orders.length >= expect || Date.now() > waitUntil) break;
  }
  clearTimeout(giveUp);
  await nc.close();
  process.stdout.write(`${JSON.stringify({ orders } satisfies NaiveResult)}\n`);
  await holdUntilReleased();
}

/** Starts the naive executor under `prefix` (the executor's core); await `ready` before the leader trades. */
export function startNaiveExecutor(
  input: { natsUrl: string; venueUrl: string; accountsFile: string; expect: number; waitMs: number },
  prefix: readonly string[],
  env: NodeJS.ProcessEnv,
): PinnedChild<NaiveResult> {
  const args = ["--nats", input.natsUrl, "--venue", input.venueUrl, "--accounts", input.accountsFile, "--expect", String(input.expect), "--wait-ms", String(input.waitMs)];
  return runPinnedChild<NaiveResult>(__filename, args, prefix, env, input.waitMs + 30_000);
}

if (require.main === module) {
  childMain().catch((err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exitCode = 1;
  });
}
