import { startListenerStack, intentsFor, LEADER_A, type ListenerStack } from "../support/listener-stack";
import type { SubmittedMatch } from "../../services/devchain/simulator";

jest.setTimeout(90_000);

/** Sends `count` leader-A fills one per block and waits for every one to be mined. */
async function leaderFills(stack: ListenerStack, count: number): Promise<SubmittedMatch[]> {
  const out: SubmittedMatch[] = [];
  for (let i = 0; i < count; i++) out.push(await stack.sim.leaderAsMaker({ leader: LEADER_A, side: i % 2 ? "SELL" : "BUY" }));
  return out;
}

/** Every fill got exactly alice's and bob's intent, no more. */
async function expectEachCopiedOnce(stack: ListenerStack, fills: SubmittedMatch[]): Promise<void> {
  for (const f of fills) {
    await stack.waitFor(`intents of ${f.txHash}`, () => intentsFor(stack.intents, f.txHash).length >= 2);
  }
  await stack.waitBlocks(3);
  for (const f of fills) {
    const intents = intentsFor(stack.intents, f.txHash);
    expect(intents.map((i) => i.subscriberId).sort()).toEqual(["alice", "bob"]);
  }
  expect(new Set(stack.intents.map((i) => i.id)).size).toBe(stack.intents.length);
}

/** Detection latency: intent's first-seen time minus the block's arrival at anvil itself (no proxy in between). */
function detectionLatenciesMs(stack: ListenerStack, fills: SubmittedMatch[]): number[] {
  return fills.map((f) => {
    const intent = intentsFor(stack.intents, f.txHash)[0];
    const produced = stack.blockSeenAtMs.get(f.blockHash);
    if (produced === undefined) throw new Error(`block ${f.blockHash} was not seen at anvil`);
    return intent.timestamps.fillFirstSeenAtMs - produced;
  });
}

const WS_LATENCY = { baseMs: 10, jitterMs: 0, tailProbability: 0 };
const PROFILES = {
  quicknode: { ws: { ...WS_LATENCY, baseMs: 2 }, http: { ...WS_LATENCY, baseMs: 2 } },
  alchemy: { ws: { ...WS_LATENCY, baseMs: 6 }, http: WS_LATENCY },
  infura: { ws: { ...WS_LATENCY, baseMs: 20 }, http: WS_LATENCY },
  drpc: { ws: { ...WS_LATENCY, baseMs: 30 }, http: WS_LATENCY },
};

describe("listener under provider faults (anvil + four local providers)", () => {
  let stack: ListenerStack | undefined;
  afterEach(async () => {
    await stack?.stop();
    stack = undefined;
  });

  it("the fastest provider silently stalls: no fill is missed and detection latency stays at the next provider's", async () => {
    stack = await startListenerStack({ latency: PROFILES });
    const before = await leaderFills(stack, 4);
    await expectEachCopiedOnce(stack, before);
    stack.providers.providers.quicknode.setFault({ kind: "stall" });
    const during = await leaderFills(stack, 8);
    await expectEachCopiedOnce(stack, during);
    const latencies = detectionLatenciesMs(stack, during);
    // The stall costs one provider's head start (2 ms → 6 ms), never a timeout or a stall-detection period.
    expect(Math.max(...latencies)).toBeLessThan(100);
    expect(await stack.metric("polysync_rpc_reconnects_total", { provider: "quicknode", reason: "stalled" })).toBeGreaterThanOrEqual(1);
    expect(await stack.metric("polysync_rpc_provider_state", { provider: "quicknode", state: "healthy" })).toBe(0);
  });

  it("every WebSocket drops its subscriptions: HTTP polling and backfill keep detection going, nothing missed or doubled", async () => {
    stack = await startListenerStack();
    const before = await leaderFills(stack, 2);
    await expectEachCopiedOnce(stack, before);
    for (const p of Object.values(stack.providers.providers)) p.setFault({ kind: "drop-subscriptions", mode: "silent" });
    const during = await leaderFills(stack, 6);
    await expectEachCopiedOnce(stack, during);
    expect(await stack.metric("polysync_listener_backfills_total")).toBeGreaterThan(0);
    for (const p of Object.values(stack.providers.providers)) p.clearFaults();
    const after = await leaderFills(stack, 2);
    await expectEachCopiedOnce(stack, after);
  });

  it("the same log from four providers yields one set of intents", async () => {
    stack = await startListenerStack();
    const fills = await leaderFills(stack, 3);
    await expectEachCopiedOnce(stack, fills);
    for (const name of ["alchemy", "quicknode", "infura", "drpc"]) {
      expect(await stack.metric("polysync_listener_logs_total", { source: name })).toBeGreaterThanOrEqual(3);
    }
    expect(stack.intents).toHaveLength(6);
  });

  it("a provider on the wrong chain is excluded and reported; the others carry on", async () => {
    stack = await startListenerStack({ initialFaults: { infura: [{ kind: "wrong-chain", chainId: 1 }] } });
    const fills = await leaderFills(stack, 3);
    await expectEachCopiedOnce(stack, fills);
    expect(await stack.metric("polysync_rpc_provider_state", { provider: "infura", state: "wrong_chain" })).toBe(1);
    expect(await stack.metric("polysync_rpc_errors_total", { provider: "infura", kind: "wrong_chain" })).toBeGreaterThanOrEqual(1);
    expect(await stack.metric("polysync_listener_logs_total", { source: "infura" })).toBe(0);
  });

  it("a stale-head provider is marked lagging and not asked for recent blocks", async () => {
    stack = await startListenerStack();
    const stale = stack.providers.providers.drpc;
    stale.setFault({ kind: "stale-head", lagBlocks: 5 });
    await stack.waitBlocks(8);
    stale.resetStats();
    const fills = await leaderFills(stack, 3);
    await expectEachCopiedOnce(stack, fills);
    await stack.waitFor("drpc lagging", () => stack!.service.detector.snapshot().providers.find((p) => p.name === "drpc")!.state === "lagging");
    expect(await stack.metric("polysync_rpc_head_lag_blocks", { provider: "drpc" })).toBeGreaterThanOrEqual(4);
    expect(stale.stats().requestsByMethod.eth_getLogs ?? 0).toBe(0);
    expect(stack.service.detector.snapshot().bestHead).toBeGreaterThan(stack.service.detector.snapshot().providers.find((p) => p.name === "drpc")!.head!);
  });

  it("a malformed log or RPC response is counted and skipped; the process keeps running", async () => {
    stack = await startListenerStack();
    stack.providers.providers.alchemy.setFault({ kind: "malformed", mode: "wrong-shape" });
    stack.providers.providers.infura.setFault({ kind: "malformed", mode: "invalid-json" });
    const fills = await leaderFills(stack, 3);
    await expectEachCopiedOnce(stack, fills);
    expect(await stack.metric("polysync_listener_malformed_total")).toBeGreaterThan(0);
    const res = await fetch(`${stack.service.httpUrl}/healthz`);
    expect(res.status).toBe(200);
  });
});

describe("listener on providers whose logs carry no blockTimestamp (nodes before geth 1.16)", () => {
  it("takes each fill's block time from the block's header, so intents still carry the block timestamp", async () => {
    const stack = await startListenerStack({
      initialFaults: Object.fromEntries(["alchemy", "quicknode", "infura", "drpc"].map((name) => [name, [{ kind: "legacy-logs" as const }]])),
    });
    try {
      const fills = await leaderFills(stack, 3);
      await expectEachCopiedOnce(stack, fills);
      for (const f of fills) {
        for (const intent of intentsFor(stack.intents, f.txHash)) expect(intent.source.blockTimestamp).toBe(f.leaderFills[0]!.blockTimestamp);
      }
      expect(stack.providers.providers.alchemy.stats().faultsApplied["legacy-logs"] ?? 0).toBeGreaterThan(0);
    } finally {
      await stack.stop();
    }
  });
});

describe("listener on a reorg (anvil_reorg)", () => {
  it("a fill whose block is reorged out has its intents cancelled", async () => {
    const stack = await startListenerStack();
    try {
      await stack.waitBlocks(3);
      const [fill] = await leaderFills(stack, 1);
      await stack.waitFor("intents before the reorg", () => intentsFor(stack.intents, fill.txHash).length === 2);
      const reorg = await stack.sim.reorg(2, fill.txHash);
      expect(reorg.removed.map((b) => b.hash)).toContain(fill.blockHash);
      const ids = intentsFor(stack.intents, fill.txHash).map((i) => i.id).sort();
      await stack.waitFor("cancels for both intents", () => stack.cancels.filter((c) => ids.includes(c.id)).length === 2);
      expect(stack.cancels.filter((c) => ids.includes(c.id)).map((c) => c.reason)).toEqual(["reorg", "reorg"]);
      expect(await stack.metric("polysync_listener_reorgs_total", { source: "head" })).toBeGreaterThanOrEqual(1);
      expect(await stack.metric("polysync_listener_intents_cancelled_total")).toBe(2);
      const [later] = await leaderFills(stack, 1);
      await stack.waitFor("detection continues after the reorg", () => intentsFor(stack.intents, later.txHash).length === 2);
    } finally {
      await stack.stop();
    }
  });
});
