import {
  decideCopy,
  type CopyDecision,
  type CopyTerms,
  type FillTerms,
  type RiskLimits,
} from "../../services/listener/sizing/decide";
import { limitPriceMicros } from "../../services/listener/sizing/limit-price";
import { parseFixed } from "../../services/listener/sizing/units";

const usd = (value: string) => parseFixed(value, 6)!;
const TOKEN = 1234n;

const risk: RiskLimits = {
  maxOrderNotional: usd("100"),
  maxMarketExposure: usd("500"),
  maxDailyNotional: usd("1000"),
  minOrderNotional: usd("1"),
  minPrice: usd("0.05"),
  maxPrice: usd("0.95"),
  maxSlippageBps: 200,
  tickSize: usd("0.001"),
};

function terms(overrides: Partial<CopyTerms> = {}, riskOverrides: Partial<RiskLimits> = {}): CopyTerms {
  return {
    sizing: { policy: "percentage", ratioPpm: 100_000n },
    risk: { ...risk, ...riskOverrides },
    killSwitch: false,
    ...overrides,
  };
}

function fixed(amount: string): CopyTerms {
  return terms({ sizing: { policy: "fixed", amount: usd(amount) } });
}

/** A leader fill of `collateral` pUSD for `shares` shares. */
function fill(side: "BUY" | "SELL", collateral: string, shares: string): FillTerms {
  return { side, tokenId: TOKEN, collateralAmount: usd(collateral), shareAmount: usd(shares) };
}

const idle = { market: 0n, day: 0n };

function order(decision: CopyDecision) {
  if (decision.kind !== "order") throw new Error(`expected an order, got skip ${decision.reason}: ${decision.detail}`);
  return decision.order;
}

function skipReason(decision: CopyDecision) {
  if (decision.kind !== "skip") throw new Error(`expected a skip, got an order of ${decision.order.notional}`);
  return decision.reason;
}

describe("copy orders", () => {
  test("BUY spends the policy notional at leader price + slippage", () => {
    const o = order(decideCopy(fill("BUY", "50", "100"), terms(), idle, false));
    expect(o).toEqual({
      side: "BUY",
      tokenId: TOKEN,
      notional: usd("5"),
      collateralAmount: usd("5"),
      limitPriceMicros: usd("0.51"),
      maxSlippageBps: 200,
      clampedBy: [],
    });
  });

  test("SELL is sized by the same policy, converted to shares at the leader's own ratio", () => {
    const o = order(decideCopy(fill("SELL", "50", "100"), terms(), idle, false));
    expect(o).toMatchObject({
      side: "SELL",
      notional: usd("5"),
      shareAmount: usd("10"),
      limitPriceMicros: usd("0.49"),
    });
  });
});

describe("kill switches", () => {
  test("global switch wins over everything, then the subscriber's", () => {
    expect(skipReason(decideCopy(fill("BUY", "50", "100"), terms({ killSwitch: true }), idle, true))).toBe(
      "kill-switch-global",
    );
    expect(skipReason(decideCopy(fill("BUY", "50", "100"), terms(), idle, true))).toBe("kill-switch-global");
    expect(skipReason(decideCopy(fill("SELL", "50", "100"), terms({ killSwitch: true }), idle, false))).toBe(
      "kill-switch-subscriber",
    );
  });
});

describe("price bounds (inclusive)", () => {
  test.each([
    ["exactly minPrice", "5", true],
    ["one micro-unit under minPrice", "4.9999", false],
    ["exactly maxPrice", "95", true],
    ["one micro-unit over maxPrice", "95.0001", false],
  ])("%s", (_label, collateralFor100Shares, copied) => {
    const decision = decideCopy(fill("BUY", collateralFor100Shares, "100"), fixed("5"), idle, false);
    if (copied) expect(decision.kind).toBe("order");
    else expect(skipReason(decision)).toBe("price-out-of-bounds");
  });

  test("compares the exact ratio, not a rounded price", () => {
    // 0.0499999999… is under 0.05 although it rounds to 0.05 at 6 decimals.
    expect(skipReason(decideCopy(fill("BUY", "4.999999", "99.999999"), fixed("5"), idle, false))).toBe(
      "price-out-of-bounds",
    );
  });

  test("a fill without shares or collateral is not priced", () => {
    expect(skipReason(decideCopy(fill("BUY", "1", "0"), fixed("5"), idle, false))).toBe("degenerate-fill");
    expect(skipReason(decideCopy(fill("SELL", "0", "10"), fixed("5"), idle, false))).toBe("degenerate-fill");
  });
});

describe("minimum order", () => {
  test("exactly the minimum is copied, one micro-unit less is skipped", () => {
    // 10 % of 10 = 1.000000; 10 % of 9.99999 = 0.999999
    expect(order(decideCopy(fill("BUY", "10", "20"), terms(), idle, false)).notional).toBe(usd("1"));
    expect(skipReason(decideCopy(fill("BUY", "9.99999", "20"), terms(), idle, false))).toBe("below-minimum");
  });
});

describe("per-order cap clamps", () => {
  test("at the cap passes untouched; one micro-unit over is clamped to the cap", () => {
    expect(order(decideCopy(fill("BUY", "50", "100"), fixed("100"), idle, false))).toMatchObject({
      notional: usd("100"),
      clampedBy: [],
    });
    expect(order(decideCopy(fill("BUY", "50", "100"), fixed("100.000001"), idle, false))).toMatchObject({
      notional: usd("100"),
      collateralAmount: usd("100"),
      clampedBy: ["cap-per-order"],
    });
  });
});

describe("per-market cap (BUY only)", () => {
  test("a copy that exactly fills the remaining room passes; more is clamped to the room", () => {
    const used = { market: usd("450"), day: 0n };
    expect(order(decideCopy(fill("BUY", "50", "100"), fixed("50"), used, false)).clampedBy).toEqual([]);
    expect(order(decideCopy(fill("BUY", "50", "100"), fixed("50.000001"), used, false))).toMatchObject({
      notional: usd("50"),
      clampedBy: ["cap-per-market"],
    });
  });

  test("room below the minimum order skips with the cap as reason", () => {
    expect(
      skipReason(decideCopy(fill("BUY", "50", "100"), fixed("5"), { market: usd("499.000001"), day: 0n }, false)),
    ).toBe("cap-per-market");
    expect(skipReason(decideCopy(fill("BUY", "50", "100"), fixed("5"), { market: usd("500"), day: 0n }, false))).toBe(
      "cap-per-market",
    );
  });

  test("a SELL is not held to the market cap", () => {
    expect(
      order(decideCopy(fill("SELL", "50", "100"), fixed("5"), { market: usd("500"), day: 0n }, false)).notional,
    ).toBe(usd("5"));
  });
});

describe("per-day cap (both sides)", () => {
  test("room exactly at the minimum is used; one micro-unit less skips", () => {
    expect(
      order(decideCopy(fill("SELL", "50", "100"), fixed("5"), { market: 0n, day: usd("999") }, false)),
    ).toMatchObject({
      notional: usd("1"),
      shareAmount: usd("2"),
      clampedBy: ["cap-per-day"],
    });
    expect(
      skipReason(decideCopy(fill("BUY", "50", "100"), fixed("5"), { market: 0n, day: usd("999.000001") }, false)),
    ).toBe("cap-per-day");
  });

  test("caps apply in order and every clamp is reported", () => {
    const o = order(decideCopy(fill("BUY", "50", "100"), fixed("300"), { market: usd("440"), day: usd("980") }, false));
    expect(o).toMatchObject({ notional: usd("20"), clampedBy: ["cap-per-order", "cap-per-market", "cap-per-day"] });
  });
});

describe("limit price", () => {
  const price = (collateral: string, shares: string) => [usd(collateral), usd(shares)] as const;

  test("rounds toward the leader's price so slippage never exceeds the setting", () => {
    expect(limitPriceMicros("BUY", ...price("50", "100"), 150, 1_000n)).toBe(usd("0.507")); // 0.5075 down
    expect(limitPriceMicros("SELL", ...price("50", "100"), 150, 1_000n)).toBe(usd("0.493")); // 0.4925 up
  });

  test("zero slippage on an off-tick price lands on the tick on the safe side", () => {
    expect(limitPriceMicros("BUY", ...price("0.5005", "1"), 0, 1_000n)).toBe(usd("0.5"));
    expect(limitPriceMicros("SELL", ...price("0.5005", "1"), 0, 1_000n)).toBe(usd("0.501"));
  });

  test("clamps near 1 and near 0 into [tick, 1 - tick]", () => {
    expect(limitPriceMicros("BUY", ...price("0.99", "1"), 200, 1_000n)).toBe(usd("0.999"));
    expect(limitPriceMicros("BUY", ...price("0.99", "1"), 200, 10_000n)).toBe(usd("0.99"));
    expect(limitPriceMicros("SELL", ...price("0.0005", "1"), 200, 1_000n)).toBe(usd("0.001"));
    expect(limitPriceMicros("SELL", ...price("0.5", "1"), 9_999, 1_000n)).toBe(usd("0.001"));
    expect(limitPriceMicros("BUY", ...price("0.0001", "1"), 0, 1_000n)).toBe(usd("0.001"));
  });

  test("the tick is configurable", () => {
    expect(limitPriceMicros("BUY", ...price("50", "100"), 150, 10_000n)).toBe(usd("0.5"));
    expect(limitPriceMicros("SELL", ...price("50", "100"), 150, 10_000n)).toBe(usd("0.5"));
  });
});
