import type { Hex } from "viem";
import { decodeIntent, encodeIntent } from "../../services/intents/intent";
import { intentId } from "../../services/intents/intent-id";
import type { Fill } from "../../services/listener/fill";
import { buildIntents, type BuildIntentsContext } from "../../services/listener/intents/build-intents";
import { ExposureLedger, utcDay } from "../../services/listener/sizing/exposure";
import { copyRulesByLeader, parseSubscribers } from "../../services/listener/subscribers/load";

const LEADER = "0x1000000000000000000000000000000000000001";
const OTHER_LEADER = "0x2000000000000000000000000000000000000002";
const MIDNIGHT = Date.UTC(2026, 5, 2);
const risk = {
  maxOrderNotional: "20",
  maxMarketExposure: "30",
  maxDailyNotional: "50",
  maxSlippageBps: 200,
  minPrice: 0.05,
  maxPrice: 0.95,
};

const rules = copyRulesByLeader(
  parseSubscribers(
    JSON.stringify({
      subscribers: [
        { id: "alice", sizing: { policy: "percentage", percent: 10 }, risk, follows: [{ leader: LEADER }] },
        {
          id: "bob",
          sizing: { policy: "fixed", amount: 15 },
          risk,
          follows: [{ leader: LEADER }, { leader: OTHER_LEADER }],
        },
        { id: "carol", killSwitch: true, sizing: { policy: "fixed", amount: 5 }, risk, follows: [{ leader: LEADER }] },
        {
          id: "dave",
          sizing: { policy: "fixed", amount: 5 },
          risk: { ...risk, maxPrice: 0.4 },
          follows: [{ leader: LEADER }],
        },
      ],
    }),
    "subscribers.json",
  ),
);

let logIndex = 0;
function leaderFill(overrides: Partial<Fill> = {}): Fill {
  logIndex += 1;
  return {
    chainId: 137,
    exchange: "0xE111180000d2663C0091e4f400237545B87B996B",
    layout: "v2",
    blockNumber: 70_000_000n,
    blockHash: `0x${"ab".repeat(32)}`,
    blockTimestamp: 1_764_000_000,
    txHash: `0x${"cd".repeat(32)}`,
    logIndex,
    orderHash: `0x${"ef".repeat(32)}`,
    maker: LEADER,
    side: "BUY",
    tokenId: 42n,
    collateralAmount: 50_000_000n,
    shareAmount: 100_000_000n,
    price: 0.5,
    fee: 0n,
    ...overrides,
  };
}

const context = (nowMs = MIDNIGHT + 3_600_000): BuildIntentsContext => ({
  nowMs,
  fillFirstSeenAtMs: nowMs - 40,
  globalKillSwitch: false,
});

/** What the listener does with a result: publish (not here) and reserve. */
function buildAndReserve(fill: Fill, ledger: ExposureLedger, ctx: BuildIntentsContext) {
  const built = buildIntents(fill, rules, ledger, ctx);
  for (const reservation of built.reservations) ledger.reserve(reservation);
  return built;
}

describe("buildIntents", () => {
  test("one intent per follower that copies, one skip with a reason per follower that does not", () => {
    const fill = leaderFill();
    const ctx = context();
    const built = buildIntents(fill, rules, new ExposureLedger(), ctx);
    expect(built.intents.map((i) => [i.subscriberId, i.order])).toEqual([
      [
        "alice",
        { side: "BUY", tokenId: 42n, collateralAmount: 5_000_000n, limitPriceMicros: 510_000n, maxSlippageBps: 200 },
      ],
      [
        "bob",
        { side: "BUY", tokenId: 42n, collateralAmount: 15_000_000n, limitPriceMicros: 510_000n, maxSlippageBps: 200 },
      ],
    ]);
    expect(built.skipped).toEqual([
      { subscriberId: "carol", reason: "kill-switch-subscriber", detail: expect.any(String) },
      { subscriberId: "dave", reason: "price-out-of-bounds", detail: "price 0.500000 outside [0.05, 0.4]" },
    ]);
    const [alice] = built.intents;
    expect(alice).toMatchObject({
      kind: "intent",
      version: 1,
      id: intentId(137, fill.txHash, fill.logIndex, "alice"),
      chainId: 137,
      leader: LEADER,
      source: {
        txHash: fill.txHash,
        logIndex: fill.logIndex,
        blockHash: fill.blockHash,
        side: "BUY",
        price: 0.5,
        collateralAmount: 50_000_000n,
      },
      timestamps: { fillFirstSeenAtMs: ctx.fillFirstSeenAtMs, intentCreatedAtMs: ctx.nowMs },
    });
    expect(built.reservations).toEqual([
      {
        intentId: built.intents[0]!.id,
        subscriberId: "alice",
        tokenId: 42n,
        marketNotional: 5_000_000n,
        utcDay: utcDay(ctx.nowMs),
        dayNotional: 5_000_000n,
      },
      {
        intentId: built.intents[1]!.id,
        subscriberId: "bob",
        tokenId: 42n,
        marketNotional: 15_000_000n,
        utcDay: utcDay(ctx.nowMs),
        dayNotional: 15_000_000n,
      },
    ]);
  });

  test("every built intent passes the wire schema", () => {
    for (const side of ["BUY", "SELL"] as const) {
      for (const intent of buildIntents(leaderFill({ side }), rules, new ExposureLedger(), context()).intents) {
        expect(decodeIntent(encodeIntent(intent))).toEqual(intent);
      }
    }
  });

  test("the same fill always yields the same ids; another log index yields others", () => {
    const fill = leaderFill();
    const ids = (f: Fill) => buildIntents(f, rules, new ExposureLedger(), context()).intents.map((i) => i.id);
    expect(ids(fill)).toEqual(ids({ ...fill }));
    expect(ids(fill)).not.toEqual(ids({ ...fill, logIndex: fill.logIndex + 1 }));
  });

  test("a SELL is reserved against the day but not the market", () => {
    const built = buildIntents(leaderFill({ side: "SELL" }), rules, new ExposureLedger(), context());
    expect(built.intents[0]!.order).toEqual({
      side: "SELL",
      tokenId: 42n,
      shareAmount: 10_000_000n,
      limitPriceMicros: 490_000n,
      maxSlippageBps: 200,
    });
    expect(built.reservations[0]).toMatchObject({ marketNotional: 0n, dayNotional: 5_000_000n });
  });

  test("fills of unfollowed makers produce nothing; the maker's letter case does not matter", () => {
    expect(
      buildIntents(
        leaderFill({ maker: "0x4000000000000000000000000000000000000004" }),
        rules,
        new ExposureLedger(),
        context(),
      ),
    ).toEqual({
      intents: [],
      reservations: [],
      skipped: [],
    });
    const lower = buildIntents(
      leaderFill({ maker: OTHER_LEADER.toLowerCase() as Hex }),
      rules,
      new ExposureLedger(),
      context(),
    );
    expect(lower.intents.map((i) => i.subscriberId)).toEqual(["bob"]);
  });

  test("the global kill switch skips every follower", () => {
    const built = buildIntents(leaderFill(), rules, new ExposureLedger(), { ...context(), globalKillSwitch: true });
    expect(built.intents).toEqual([]);
    expect(built.skipped.map((s) => s.reason)).toEqual(Array(4).fill("kill-switch-global"));
  });

  test("reserved exposure fills the market cap, and a cancelled intent frees its room", () => {
    const ledger = new ExposureLedger();
    const ctx = context();
    buildAndReserve(leaderFill(), ledger, ctx); // bob 15 of 30
    const second = buildAndReserve(leaderFill(), ledger, ctx); // bob 15 more: exactly at the cap
    expect(second.intents.find((i) => i.subscriberId === "bob")!.order).toMatchObject({
      collateralAmount: 15_000_000n,
    });
    const third = buildAndReserve(leaderFill(), ledger, ctx);
    expect(third.skipped).toContainEqual({ subscriberId: "bob", reason: "cap-per-market", detail: expect.any(String) });

    ledger.release(second.intents.find((i) => i.subscriberId === "bob")!.id);
    const afterCancel = buildIntents(leaderFill(), rules, ledger, ctx);
    expect(afterCancel.intents.map((i) => i.subscriberId)).toContain("bob");
  });

  test("the per-day cap resets at UTC midnight", () => {
    const ledger = new ExposureLedger();
    const lateEvening = context(MIDNIGHT - 1);
    // bob: 15 per fill on fresh tokens (no market cap in play), day cap 50 → 15 + 15 + 15 + clamp 5
    for (const tokenId of [1n, 2n, 3n]) buildAndReserve(leaderFill({ tokenId }), ledger, lateEvening);
    const clamped = buildAndReserve(leaderFill({ tokenId: 4n }), ledger, lateEvening);
    expect(clamped.intents.find((i) => i.subscriberId === "bob")!.order).toMatchObject({
      collateralAmount: 5_000_000n,
    });
    expect(buildIntents(leaderFill({ tokenId: 5n }), rules, ledger, lateEvening).skipped).toContainEqual(
      expect.objectContaining({ subscriberId: "bob", reason: "cap-per-day" }),
    );
    const afterMidnight = buildIntents(leaderFill({ tokenId: 5n }), rules, ledger, context(MIDNIGHT));
    expect(afterMidnight.intents.find((i) => i.subscriberId === "bob")!.order).toMatchObject({
      collateralAmount: 15_000_000n,
    });
  });
});
