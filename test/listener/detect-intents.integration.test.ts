import { startListenerStack, intentsFor, LEADER_A, LEADER_B, NOT_FOLLOWED, type ListenerStack } from "../support/listener-stack";

/** Leader fills on a real anvil chain, through four local providers, into intents on the bus. */
describe("listener: leader fill → intents (anvil + four local providers)", () => {
  let stack: ListenerStack;
  beforeAll(async () => {
    stack = await startListenerStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("a leader's maker fill yields one intent per following subscriber, sized by each one's policy", async () => {
    const submitted = await stack.sim.leaderAsMaker({ leader: LEADER_A, side: "BUY", counterparties: 1 });
    const [fill] = submitted.leaderFills;
    await stack.waitFor("intents of leader A's fill", () => intentsFor(stack.intents, fill.txHash).length >= 2);
    const intents = intentsFor(stack.intents, fill.txHash);
    expect(intents.map((i) => i.subscriberId).sort()).toEqual(["alice", "bob"]);
    const alice = intents.find((i) => i.subscriberId === "alice")!;
    const bob = intents.find((i) => i.subscriberId === "bob")!;
    expect(alice.order).toMatchObject({ side: "BUY", tokenId: fill.tokenId, collateralAmount: fill.collateralAmount / 10n });
    expect(bob.order).toMatchObject({ side: "BUY", collateralAmount: 10_000_000n });
    expect(alice.source).toMatchObject({ logIndex: fill.logIndex, blockNumber: fill.blockNumber, blockHash: fill.blockHash.toLowerCase(), blockTimestamp: fill.blockTimestamp });
    expect(alice.timestamps.intentCreatedAtMs).toBeGreaterThanOrEqual(alice.timestamps.fillFirstSeenAtMs);
  });

  it("a leader who takes liquidity is matched on the aggregated taker fill only, never on the counterparties' fills", async () => {
    const submitted = await stack.sim.leaderAsTaker({ leader: LEADER_B, side: "SELL", counterparties: 3 });
    expect(submitted.fills.length).toBe(4);
    const [fill] = submitted.leaderFills;
    await stack.waitFor("intents of leader B's taker fill", () => intentsFor(stack.intents, fill.txHash).length >= 2);
    await stack.waitBlocks(2);
    const intents = intentsFor(stack.intents, fill.txHash);
    expect(intents.map((i) => [i.subscriberId, i.source.logIndex]).sort()).toEqual([
      ["bob", fill.logIndex],
      ["carol", fill.logIndex],
    ]);
    const carol = intents.find((i) => i.subscriberId === "carol")!;
    expect(carol.order).toMatchObject({ side: "SELL", shareAmount: fill.shareAmount / 2n });
  });

  it("one transaction with two leaders' fills yields intents per (tx hash, log index), nothing for unfollowed makers", async () => {
    const submitted = await stack.sim.multiFill({ makers: [LEADER_A, NOT_FOLLOWED, LEADER_B], leaders: [LEADER_A, LEADER_B] });
    expect(submitted.leaderFills).toHaveLength(2);
    await stack.waitFor("four intents of the multi-fill", () => intentsFor(stack.intents, submitted.txHash).length >= 4);
    await stack.waitBlocks(2);
    const intents = intentsFor(stack.intents, submitted.txHash);
    const byLog = new Map(submitted.leaderFills.map((f) => [f.logIndex, f.maker]));
    expect(intents).toHaveLength(4);
    for (const intent of intents) expect(byLog.get(intent.source.logIndex)).toBe(intent.leader);
    expect(new Set(intents.map((i) => i.id)).size).toBe(4);
  });

  it("exports the stage metrics and reports ready", async () => {
    expect(await stack.metric("polysync_listener_leader_fills_total")).toBeGreaterThanOrEqual(4);
    const res = await fetch(`${stack.service.httpUrl}/readyz`);
    expect(res.status).toBe(200);
    const metrics = await (await fetch(`${stack.service.httpUrl}/metrics`)).text();
    for (const stage of ["decode", "intent", "publish", "detect", "published"]) {
      expect(metrics).toMatch(new RegExp(`polysync_listener_stage_duration_seconds_count\\{service="listener",stage="${stage}"\\} [1-9]`));
    }
    expect(metrics).toMatch(/polysync_listener_provider_arrival_lag_seconds_count\{service="listener",provider="[a-z]+",kind="head"\} [1-9]/);
  });
});
