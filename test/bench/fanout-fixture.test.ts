import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadExecutorConfig } from "../../services/executor/config";
import { loadListenerConfig } from "../../services/listener/config";
import { copyRulesByLeader, loadSubscribers } from "../../services/listener/subscribers/load";
import { createDevAccounts } from "../../services/local-stack/dev-accounts";
import { SIGNATURE_TYPES } from "../../services/polymarket/order";
import { loadBenchAccounts } from "./fanout-child";
import { FANOUT_LEADER, subscriberIds, writeExecutorConfig, writeFanoutFiles, writeListenerConfig } from "./fanout-fixture";

describe("fan-out bench fixture", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), "fanout-fixture-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("numbers subscribers so they sort in creation order", () => {
    expect(subscriberIds(3)).toEqual(["sub-1", "sub-2", "sub-3"]);
    expect(subscriberIds(1000).slice(0, 2)).toEqual(["sub-0001", "sub-0002"]);
    expect(subscriberIds(1000).at(-1)).toBe("sub-1000");
  });

  it("writes files the services' own loaders accept: every subscriber follows the one leader, each with a type-0 account", async () => {
    const ids = subscriberIds(25);
    // Type 0 needs nothing on chain, so no anvil here.
    const dev = await createDevAccounts("http://127.0.0.1:9", ids, SIGNATURE_TYPES.EOA);
    const files = writeFanoutFiles(dir, ids, dev, path.join(dir, "journal"));
    const rules = copyRulesByLeader(loadSubscribers(files.subscribersFile)).get(FANOUT_LEADER) ?? [];
    expect(rules.map((r) => r.subscriberId)).toEqual(ids);
    expect(rules.every((r) => r.risk.tickSize === 1_000n && r.sizing.policy === "fixed")).toBe(true);

    const common = { natsUrl: "nats://127.0.0.1:4222", shardCount: 16, port: 0, logLevel: "warn" };
    const listener = loadListenerConfig(writeListenerConfig(files, { ...common, anvil: { httpUrl: "http://127.0.0.1:8545", wsUrl: "ws://127.0.0.1:8545" }, blockTimeMs: 1000, keepWarmMs: 0 }));
    expect(listener.providers).toHaveLength(1);
    expect(listener.bus).toEqual({ kind: "nats", servers: [common.natsUrl], shardCount: 16 });
    const executor = loadExecutorConfig(writeExecutorConfig(files, { ...common, venueUrl: "http://127.0.0.1:1234", chainRpcUrl: "http://127.0.0.1:8545", deadlineMs: 10_000 }));
    expect(executor.journalFile).toBe(path.join(dir, "journal", "executor.journal"));
    expect(executor.http.host).toBe("127.0.0.1");

    const accounts = await loadBenchAccounts(files.accountsFile, dev.env);
    const first = accounts.get(ids[0]!)!;
    expect(first.account.maker).toBe(first.account.signer);
    expect(first.viem.address).toBe(first.account.key.address);
  });
});
