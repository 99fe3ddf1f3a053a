import { recheckRisk, intentNotional } from "../../../services/executor/decide/recheck-risk";
import { freshness } from "../../../services/executor/decide/staleness";
import { intent } from "../../bus/messages";
import { aliceRule } from "./rule-fixture";

const rule = aliceRule({ maxOrderNotional: 10_000_000n, maxMarketExposure: 20_000_000n, maxDailyNotional: 30_000_000n });

describe("freshness", () => {
  const base = intent("alice", 1);
  const at = (firstSeen: number) => ({ ...base, timestamps: { fillFirstSeenAtMs: firstSeen, intentCreatedAtMs: firstSeen } });

  it("is fresh up to and including the deadline, stale one millisecond after", () => {
    expect(freshness(at(1_000), 1_750, 750)).toEqual({ fresh: true, ageMs: 750 });
    const late = freshness(at(1_000), 1_751, 750);
    expect(late.fresh).toBe(false);
    expect(!late.fresh && late.detail).toMatch(/751 ms ago, deadline 750 ms/);
  });

  it("treats an intent from a clock ahead of ours as age 0, not stale", () => {
    expect(freshness(at(5_000), 4_000, 750)).toEqual({ fresh: true, ageMs: 0 });
  });
});

describe("recheckRisk", () => {
  const buy = intent("alice", 1); // BUY 5 at 0.51
  const none = { market: 0n, day: 0n };

  it("allows an intent within every cap and reports its notional", () => {
    expect(recheckRisk(buy, rule, none, false)).toEqual({ allowed: true, notional: 5_000_000n });
  });

  it("blocks on the global and subscriber kill switches and a rule that no longer exists", () => {
    expect(recheckRisk(buy, rule, none, true)).toMatchObject({ allowed: false, reason: "kill-switch-global" });
    expect(recheckRisk(buy, { ...rule, killSwitch: true }, none, false)).toMatchObject({ allowed: false, reason: "kill-switch-subscriber" });
    expect(recheckRisk(buy, undefined, none, false)).toMatchObject({ allowed: false, reason: "no-rule" });
  });

  it("blocks whole (never clamps) when current exposure leaves no room; exactly at a cap passes", () => {
    expect(recheckRisk(buy, rule, { market: 15_000_000n, day: 0n }, false)).toMatchObject({ allowed: true });
    expect(recheckRisk(buy, rule, { market: 15_000_001n, day: 0n }, false)).toMatchObject({ allowed: false, reason: "cap-per-market" });
    expect(recheckRisk(buy, rule, { market: 0n, day: 25_000_001n }, false)).toMatchObject({ allowed: false, reason: "cap-per-day" });
    const lowered = { ...rule, risk: { ...rule.risk, maxOrderNotional: 4_000_000n } };
    expect(recheckRisk(buy, lowered, none, false)).toMatchObject({ allowed: false, reason: "cap-per-order" });
  });

  it("holds SELLs to the day cap only, valued at their limit price", () => {
    const sell = { ...buy, source: { ...buy.source, side: "SELL" as const }, order: { side: "SELL" as const, tokenId: 42n, shareAmount: 10_000_000n, limitPriceMicros: 500_000n, maxSlippageBps: 200 } };
    expect(intentNotional(sell)).toBe(5_000_000n);
    expect(recheckRisk(sell, rule, { market: 20_000_000n, day: 0n }, false)).toMatchObject({ allowed: true });
    expect(recheckRisk(sell, rule, { market: 0n, day: 25_000_001n }, false)).toMatchObject({ allowed: false, reason: "cap-per-day" });
  });
});
