import pino from "pino";
import { getAddress } from "viem";
import { InProcessBus } from "../../services/bus/in-process";
import type { BusMessage } from "../../services/intents/intent";
import { CopyPipeline } from "../../services/listener/copy-pipeline";
import type { Fill } from "../../services/listener/fill";
import { ExposureLedger, utcDay } from "../../services/listener/sizing/exposure";
import { copyRulesByLeader, parseSubscribers } from "../../services/listener/subscribers/load";
import { LISTENER_METRICS } from "../../services/metrics/catalogue";
import { createInstruments, createServiceRegistry } from "../../services/metrics/registry";

const LEADER = getAddress("0x1111111111111111111111111111111111111111");
const rules = copyRulesByLeader(
  parseSubscribers(
    JSON.stringify({
      leaders: [{ address: LEADER }],
      subscribers: ["a", "b"].map((id) => ({
        id,
        sizing: { policy: "fixed", amount: "5" },
        risk: { maxOrderNotional: "10", maxMarketExposure: "100", maxDailyNotional: "100", maxSlippageBps: 100 },
        follows: [{ leader: LEADER }],
      })),
    }),
    "s.json",
  ),
);

function fill(blockNumber: bigint, logIndex: number): Fill {
  return {
    chainId: 137,
    exchange: getAddress("0xE111180000d2663C0091e4f400237545B87B996B"),
    layout: "v2",
    blockNumber,
    blockHash: `0x${"b".repeat(63)}${logIndex}`,
    blockTimestamp: 1_764_000_000,
    txHash: `0x${"a".repeat(63)}${logIndex}`,
    logIndex,
    orderHash: `0x${"c".repeat(64)}`,
    maker: LEADER,
    side: "BUY",
    tokenId: 7n,
    collateralAmount: 50_000_000n,
    shareAmount: 100_000_000n,
    price: 0.5,
    fee: 0n,
  };
}

describe("CopyPipeline", () => {
  it("publishes one intent per follower, cancels them on a reorg and gives the exposure back", async () => {
    const bus = new InProcessBus({ shardCount: 1 });
    const got: BusMessage[] = [];
    await bus.subscribe(0, (m) => void got.push(m));
    const ledger = new ExposureLedger();
    const metrics = createInstruments(createServiceRegistry("t"), LISTENER_METRICS);
    const pipeline = new CopyPipeline({ rules: () => rules, globalKillSwitch: () => false, ledger, bus, metrics, log: pino({ level: "silent" }) });
    const copies = await pipeline.onFill(fill(10n, 1), performance.timeOrigin + performance.now());
    expect(copies.map((c) => c.subscriberId)).toEqual(["a", "b"]);
    expect(ledger.usage("a", 7n, utcDay(Date.now())).market).toBe(5_000_000n);
    await pipeline.onFillRemoved(fill(10n, 1), "head");
    await new Promise((r) => setTimeout(r, 20));
    expect(got.map((m) => m.kind)).toEqual(["intent", "intent", "cancel", "cancel"]);
    expect(ledger.usage("a", 7n, utcDay(Date.now())).market).toBe(0n);
    await bus.close();
  });

  it("forgets fills older than the reorg horizon, so memory stays bounded and no late cancel is sent", async () => {
    const bus = new InProcessBus({ shardCount: 1 });
    const got: BusMessage[] = [];
    await bus.subscribe(0, (m) => void got.push(m));
    const metrics = createInstruments(createServiceRegistry("t"), LISTENER_METRICS);
    const ledger = new ExposureLedger();
    const pipeline = new CopyPipeline({ rules: () => rules, globalKillSwitch: () => false, ledger, bus, metrics, log: pino({ level: "silent" }) });
    await pipeline.onFill(fill(10n, 1), performance.timeOrigin + performance.now());
    await pipeline.onFill(fill(300n, 2), performance.timeOrigin + performance.now());
    const perFill = ledger.openReservations / 2;
    const charged = ledger.usage("a", 7n, utcDay(Date.now()));
    pipeline.forgetBefore(100n);
    // The old fill's reservation records go; what they charged stays.
    expect(ledger.openReservations).toBe(perFill);
    expect(ledger.usage("a", 7n, utcDay(Date.now()))).toEqual(charged);
    await pipeline.onFillRemoved(fill(10n, 1), "head");
    await pipeline.onFillRemoved(fill(300n, 2), "head");
    await new Promise((r) => setTimeout(r, 20));
    expect(got.filter((m) => m.kind === "cancel")).toHaveLength(2);
    expect(got.filter((m) => m.kind === "cancel").every((m) => m.id !== got[0].id)).toBe(true);
    await bus.close();
  });
});
