import pino from "pino";
import { createPublicClient, http, isAddressEqual, type Hex } from "viem";
import { loadAccountsFile } from "../../services/executor/accounts";
import type { ExecutionReport } from "../../services/executor/executor";
import type { CopyIntent } from "../../services/intents/intent";
import { startLocalStack, type LocalStack } from "../../services/local-stack/stack";
import { EXCHANGE_V2_EVENTS } from "../../services/polymarket/abi";
import { POLYGON_EXCHANGES } from "../../services/polymarket/exchanges";
import { LEADER_A, LEADER_B, TEST_SUBSCRIBERS } from "../support/listener-stack";
import { waitFor } from "../support/wait";

const BLOCK_MS = 400;
const ORDER_EXCHANGES = POLYGON_EXCHANGES.filter((e) => e.layout === "v2").map((e) => e.address);

interface Run {
  stack: LocalStack;
  intents: { region: string; intent: CopyIntent }[];
  reports: { region: string; report: ExecutionReport }[];
}

async function start(regions: number): Promise<Run> {
  const run = { intents: [], reports: [] } as unknown as Run;
  run.stack = await startLocalStack({
    blockTimeMs: BLOCK_MS,
    subscribers: TEST_SUBSCRIBERS,
    log: pino({ level: "silent" }),
    latency: "zero",
    regions,
    seed: `e2e-${regions}`,
    execution: { onReport: (region, report) => run.reports.push({ region, report }) },
    onPublish: (region, message) => {
      if (message.kind === "intent") run.intents.push({ region, intent: message });
    },
  });
  return run;
}

/** Every subscriber OrderFilled on the order exchanges for this order hash (the venue's settlement of the copy). */
async function fillsOf(run: Run, orderHash: Hex) {
  const chain = createPublicClient({ transport: http(run.stack.anvil.httpUrl) });
  return chain.getLogs({ address: ORDER_EXCHANGES, event: EXCHANGE_V2_EVENTS[0], args: { orderHash }, fromBlock: 0n, toBlock: "latest" });
}

describe("end to end: leader fill → intents → signed orders → venue → subscriber fill on chain", () => {
  let run: Run;
  beforeAll(async () => {
    run = await start(1);
  }, 60_000);
  afterAll(async () => {
    await run?.stack.stop();
  });

  it("copies a leader's fill for each following subscriber, and each copy fills on chain with maker = the subscriber's wallet", async () => {
    const submitted = await run.stack.sim.leaderAsMaker({ leader: LEADER_A, side: "BUY", counterparties: 1 });
    const fill = submitted.leaderFills[0]!;
    const filled = () => run.reports.filter((r) => r.report.outcome === "filled" && r.report.leaderBlock === fill.blockNumber);
    await waitFor("both copies filled on chain", () => filled().length >= 2, 20_000, 20);

    const wallets = new Map(loadAccountsFile(run.stack.executor!.config.accountsFile).map((a) => [a.subscriberId, a.wallet]));
    for (const { report } of filled()) {
      const intent = run.intents.find((i) => i.intent.id === report.intentId)!.intent;
      const logs = await fillsOf(run, report.orderHash!);
      expect(logs).toHaveLength(1);
      const log = logs[0]!;
      expect(isAddressEqual(log.args.maker!, wallets.get(report.subscriberId)!)).toBe(true);
      expect(log.args.side).toBe(0);
      expect(log.args.tokenId).toBe(fill.tokenId);
      // A BUY spends at most what the intent allowed, rounded down to the venue's precision.
      expect(log.args.makerAmountFilled!).toBeLessThanOrEqual(intent.order.side === "BUY" ? intent.order.collateralAmount : 0n);
      expect(log.args.makerAmountFilled!).toBeGreaterThan(0n);
      expect(report.fill!.blockNumber).toBeGreaterThan(fill.blockNumber);
    }
    expect(filled().map((r) => r.report.subscriberId).sort()).toEqual(["alice", "bob"]);
    const metrics = await run.stack.executor!.registry.metrics();
    expect(metrics).toMatch(/polysync_executor_copy_latency_seconds_count\{service="executor",milestone="accepted"\} [1-9]/);
    expect(metrics).toMatch(/polysync_executor_copy_latency_seconds_count\{service="executor",milestone="filled"\} [1-9]/);
    expect(metrics).toMatch(/polysync_executor_copy_latency_blocks_count\{service="executor"\} [1-9]/);
    for (const stage of ["queue_wait", "risk", "sign", "journal", "submit", "venue_ack", "onchain_fill"]) {
      expect(metrics).toMatch(new RegExp(`polysync_executor_stage_duration_seconds_count\\{service="executor",stage="${stage}"\\} [1-9]`));
    }
  }, 40_000);
});

describe("two regions (two listeners, two executors, separate providers) against one chain and one venue", () => {
  let run: Run;
  beforeAll(async () => {
    run = await start(2);
  }, 90_000);
  afterAll(async () => {
    await run?.stack.stop();
  });

  it("executes every intent exactly once: one order accepted and filled, the other region's identical order refused as a duplicate", async () => {
    const submitted = [
      await run.stack.sim.leaderAsMaker({ leader: LEADER_A, side: "BUY", counterparties: 2 }),
      await run.stack.sim.leaderAsTaker({ leader: LEADER_B, side: "BUY", counterparties: 2 }),
    ];
    const leaderFills = submitted.flatMap((s) => s.leaderFills);
    const expectedCopies = 2 + 2; // leader A: alice, bob; leader B: bob, carol
    const ids = () => new Set(run.intents.filter((i) => leaderFills.some((f) => f.txHash.toLowerCase() === i.intent.source.txHash)).map((i) => i.intent.id));
    const settledIn = (id: Hex) => run.reports.filter((r) => r.report.intentId === id && r.report.outcome !== "filled");
    await waitFor("both regions settled every intent", () => ids().size === expectedCopies && [...ids()].every((id) => settledIn(id).length === 2), 30_000, 20);
    await waitFor("every copy filled on chain", () => [...ids()].every((id) => run.reports.some((r) => r.report.intentId === id && r.report.outcome === "filled")), 20_000, 20);

    for (const id of ids()) {
      const outcomes = settledIn(id).map((r) => r.report.outcome).sort();
      expect(outcomes).toEqual(["accepted", "duplicate"]);
      // Both regions built the same order: the duplicate names the same hash the accepted one has.
      const hashes = new Set(settledIn(id).map((r) => r.report.orderHash));
      expect(hashes.size).toBe(1);
      expect(await fillsOf(run, [...hashes][0]!)).toHaveLength(1);
    }
    // Each region's listener published every intent itself (separate providers, separate buses).
    for (const region of ["local", "local-2"]) {
      expect(new Set(run.intents.filter((i) => i.region === region).map((i) => i.intent.id))).toEqual(ids());
    }
  }, 60_000);
});
