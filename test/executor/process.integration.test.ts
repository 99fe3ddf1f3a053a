import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { connect } from "nats";
import type { Hex } from "viem";
import { NatsBus } from "../../services/bus/nats";
import { shardOf } from "../../services/bus/shard";
import { startAnvil, type Anvil } from "../../services/devchain/anvil";
import { installStandInExchanges } from "../../services/devchain/exchanges";
import { startOrderBook, type OrderBook } from "../../services/devchain/order-book/server";
import { tokenIdFor } from "../../services/devchain/simulator";
import type { CopyIntent } from "../../services/intents/intent";
import { createDevAccounts, type DevAccounts } from "../../services/local-stack/dev-accounts";
import { intent } from "../bus/messages";
import { expectNoKey } from "../support/key-leaks";
import { LEADER_A, TEST_SUBSCRIBERS } from "../support/listener-stack";
import { freePort, startNatsServer, type NatsServer } from "../support/nats-server";
import { runServiceProcess, type ServiceProcess } from "../support/service-process";
import { waitFor } from "../support/wait";

jest.setTimeout(60_000);

const SHARDS = 4;
const children: ServiceProcess[] = [];

function run(configFile: string, env: Record<string, string>): ServiceProcess {
  const proc = runServiceProcess("executor", configFile, env);
  children.push(proc);
  return proc;
}

/** An intent for a real order on the stand-in venue: alice buys 5 pUSD of the default market, seen just now. */
function freshIntent(logIndex: number): CopyIntent {
  const base = intent("alice", logIndex);
  const now = Date.now();
  return {
    ...base,
    leader: LEADER_A,
    source: { ...base.source, tokenId: tokenIdFor("default"), blockTimestamp: Math.floor(now / 1000) },
    order: { ...base.order, tokenId: tokenIdFor("default") } as CopyIntent["order"],
    timestamps: { fillFirstSeenAtMs: now, intentCreatedAtMs: now },
  };
}

/** The production entry point (`executor --config`) as its own process, taking intents from a real NATS JetStream. */
describe("executor process (main.ts) on NATS", () => {
  let anvil: Anvil;
  let book: OrderBook;
  let nats: NatsServer;
  let dev: DevAccounts;
  let dir: string;

  beforeAll(async () => {
    anvil = await startAnvil({ blockTimeMs: 300 });
    await installStandInExchanges(anvil.httpUrl);
    dev = await createDevAccounts(anvil.httpUrl, ["alice", "bob"]);
    book = await startOrderBook({ rpcUrl: anvil.httpUrl, accounts: dev.bookAccounts, markets: [], defaultExchange: "0xE111180000d2663C0091e4f400237545B87B996B" });
    nats = await startNatsServer();
    dir = mkdtempSync(path.join(tmpdir(), "executor-process-"));
    writeFileSync(path.join(dir, "subscribers.json"), JSON.stringify(TEST_SUBSCRIBERS));
    writeFileSync(path.join(dir, "accounts.json"), JSON.stringify({ accounts: dev.accounts }));
  });
  afterEach(() => {
    for (const { child } of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  });
  afterAll(async () => {
    await book?.stop();
    await nats?.stop();
    await anvil?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function config(port: number, overrides: Record<string, unknown> = {}) {
    return {
      region: "local",
      subscribersFile: "subscribers.json",
      accountsFile: "accounts.json",
      bus: { kind: "nats", servers: [nats.url], shardCount: SHARDS },
      venue: { url: book.url },
      journalFile: "state/executor.journal",
      chainRpcUrl: anvil.httpUrl,
      http: { host: "127.0.0.1", port },
      ...overrides,
    };
  }

  it("refuses a bad payload without sending anything, executes a valid intent once, keeps secrets out, drains on SIGTERM", async () => {
    const port = await freePort();
    const file = path.join(dir, "executor.json");
    writeFileSync(file, JSON.stringify(config(port)));
    const proc = run(file, dev.env);
    const base = `http://127.0.0.1:${port}`;
    await waitFor("readyz 200", async () => (await fetch(`${base}/readyz`).catch(() => undefined))?.status === 200, 20_000, 50);

    // Raw bytes on alice's shard subject: what a buggy or hostile publisher could put there.
    const nc = await connect({ servers: nats.url });
    const subject = `polysync.intents.${shardOf("alice", SHARDS)}`;
    await nc.jetstream().publish(subject, new TextEncoder().encode('{"kind":"intent","version":1,"id":"0x12"}'));
    await nc.close();
    const metric = async (pattern: RegExp) => Number(pattern.exec(await (await fetch(`${base}/metrics`)).text())?.[1] ?? 0);
    await waitFor("the bad payload counted", async () => (await metric(/polysync_executor_outcomes_total\{[^}]*outcome="invalid",reason="bad_payload"[^}]*\} (\d+)/)) === 1, 10_000, 50);
    expect(book.orderCount).toBe(0);

    const publisher = await NatsBus.connect({ servers: nats.url, shardCount: SHARDS });
    const valid = freshIntent(1);
    await publisher.publish(valid);
    await publisher.publish(valid);
    await waitFor("the intent accepted", async () => (await metric(/polysync_executor_outcomes_total\{[^}]*outcome="accepted"[^}]*\} (\d+)/)) === 1, 10_000, 50);
    await publisher.close();
    expect(book.orderCount).toBe(1);

    proc.child.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
    expect(proc.output.text).toContain("executor started");
    expect(proc.output.text).toMatch(/bad intent payload: id: must be a 32-byte hex string/);
    for (const [name, value] of Object.entries(dev.env)) {
      if (name.startsWith("POLYSYNC_DEV_KEY_")) expectNoKey(proc.output.text, value as Hex);
      if (name.includes("SECRET") || name.includes("PASSPHRASE")) expect(proc.output.text).not.toContain(value);
    }
  });

  it("after a restart, a redelivered intent is not executed again", async () => {
    const port = await freePort();
    const file = path.join(dir, "executor.json");
    writeFileSync(file, JSON.stringify(config(port)));
    const before = book.orderCount;
    const proc = run(file, dev.env);
    await waitFor("readyz 200", async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status === 200, 20_000, 50);
    // The journal from the first run is on disk; a second region or a replayed stream delivers the same intent again.
    const publisher = await NatsBus.connect({ servers: nats.url, shardCount: SHARDS, duplicateWindowMs: 100 });
    await new Promise((resolve) => setTimeout(resolve, 150));
    await publisher.publish({ ...freshIntent(1), timestamps: { fillFirstSeenAtMs: Date.now(), intentCreatedAtMs: Date.now() } });
    await publisher.close();
    const metrics = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    await waitFor("the duplicate counted", async () => /outcome="duplicate",reason="local"[^}]*\} 1/.test(await metrics()), 10_000, 50);
    expect(book.orderCount).toBe(before);
    proc.child.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
  });

  it("a bad config or a missing key stops at start with a message naming what is wrong", async () => {
    const bad = path.join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify(config(0, { deadlineMs: "soon" })));
    const first = run(bad, dev.env);
    expect(await first.exited).toBe(1);
    expect(first.output.text).toMatch(/bad\.json: deadlineMs: Invalid input: expected number, received string/);

    const good = path.join(dir, "nokey.json");
    writeFileSync(good, JSON.stringify(config(0)));
    const env = { ...dev.env, POLYSYNC_DEV_KEY_ALICE: "" };
    const second = run(good, env);
    expect(await second.exited).toBe(1);
    expect(second.output.text).toContain("environment variable POLYSYNC_DEV_KEY_ALICE is not set");
  });
});
