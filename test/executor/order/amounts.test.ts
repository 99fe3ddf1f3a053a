import { orderAmounts, TICK_SIZES, type AmountRequest, type TickSize } from "../../../services/executor/order/amounts";

const TICK_MICROS: Record<TickSize, bigint> = { "0.1": 100_000n, "0.01": 10_000n, "0.001": 1_000n, "0.0001": 100n };
const TAKER_QUANTUM: Record<TickSize, bigint> = { "0.1": 1_000n, "0.01": 100n, "0.001": 100n, "0.0001": 100n };

const buy = (collateralAmount: bigint, limitPriceMicros: bigint): AmountRequest => ({ side: "BUY", collateralAmount, limitPriceMicros });
const sell = (shareAmount: bigint, limitPriceMicros: bigint): AmountRequest => ({ side: "SELL", shareAmount, limitPriceMicros });

/** Deterministic pseudo-random bigints in [low, high), so a failure reproduces. */
function randoms(seed: number): (low: bigint, high: bigint) => bigint {
  let state = BigInt(seed);
  return (low, high) => {
    state = (state * 6364136223846793005n + 1442695040888963407n) % 2n ** 64n;
    return low + ((state >> 16n) % (high - low));
  };
}

describe("official client vectors (Polymarket ts-sdk amounts.test.ts: 12.34 at each tick, market order, rounded down)", () => {
  test.each([
    ["0.1", 300_000n, 41_133_000n, 3_702_000n],
    ["0.01", 370_000n, 33_351_300n, 4_565_800n],
    // The SDK keeps 5 and 6 taker decimals on the finer ticks; the venue caps market-order takers at 4
    // (clob-client-v2 MAX_TAKER_DECIMALS), so these two are cut one or two digits further.
    ["0.001", 373_000n, 33_083_100n, 4_602_800n],
    ["0.0001", 372_900n, 33_091_900n, 4_601_500n],
  ] as const)("tick %s at price %d", (tick, price, buyShares, sellProceeds) => {
    expect(orderAmounts(buy(12_340_000n, price), tick)).toEqual({ priceMicros: price, makerAmount: 12_340_000n, takerAmount: buyShares });
    expect(orderAmounts(sell(12_340_000n, price), tick)).toEqual({ priceMicros: price, makerAmount: 12_340_000n, takerAmount: sellProceeds });
  });

  test("the maker amount is cut to 2 decimals first (12.349 → 12.34)", () => {
    expect(orderAmounts(buy(12_349_999n, 370_000n), "0.01").makerAmount).toBe(12_340_000n);
    expect(orderAmounts(sell(12_349_999n, 370_000n), "0.01").makerAmount).toBe(12_340_000n);
  });
});

describe.each(TICK_SIZES)("invariants at tick %s over random orders", (tick) => {
  const tickMicros = TICK_MICROS[tick];
  const quantum = TAKER_QUANTUM[tick];

  test("BUY never spends more than the intent, asks for at most collateral / price shares, and stays within one tick", () => {
    const random = randoms(7);
    const violations: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const collateral = random(5_000_000n, 50_000_000_000n);
      const limit = random(tickMicros, 1_000_000n - tickMicros);
      const { priceMicros: p, makerAmount: maker, takerAmount: taker } = orderAmounts(buy(collateral, limit), tick);
      const broken = [
        p % tickMicros === 0n && p <= limit && limit - p < tickMicros ? "" : "price not the grid point at or below the limit",
        maker <= collateral && collateral - maker < 10_000n && maker % 10_000n === 0n ? "" : "maker not the collateral cut to 2 decimals",
        taker % quantum === 0n ? "" : "taker off its quantum",
        // Price maker / taker: at or above p (never more shares than p buys), below the next tick.
        maker * 1_000_000n >= p * taker && maker * 1_000_000n < (p + tickMicros) * taker ? "" : "price maker / taker not in [p, p + tick)",
      ].filter(Boolean);
      if (broken.length) violations.push(`BUY ${collateral} @ ${limit}: ${broken.join(", ")}`);
    }
    expect(violations).toEqual([]);
  });

  test("SELL never sells more shares than the intent, asks for at most shares × price, and stays within one tick", () => {
    const random = randoms(11);
    const violations: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const shares = random(10_000_000n, 50_000_000_000n);
      const limit = random(1n, 1_000_000n - tickMicros);
      const { priceMicros: p, makerAmount: maker, takerAmount: taker } = orderAmounts(sell(shares, limit), tick);
      const broken = [
        p % tickMicros === 0n && p >= limit && p - limit < tickMicros ? "" : "price not the grid point at or above the limit",
        maker <= shares && shares - maker < 10_000n && maker % 10_000n === 0n ? "" : "maker not the shares cut to 2 decimals",
        taker % quantum === 0n ? "" : "taker off its quantum",
        // Price taker / maker: at or below p, above the tick below (so it only hits bids at p or better).
        taker * 1_000_000n <= p * maker && taker * 1_000_000n > (p - tickMicros) * maker ? "" : "price taker / maker not in (p − tick, p]",
      ].filter(Boolean);
      if (broken.length) violations.push(`SELL ${shares} @ ${limit}: ${broken.join(", ")}`);
    }
    expect(violations).toEqual([]);
  });
});

describe("off-grid limit prices", () => {
  test("BUY rounds down to the grid, SELL up", () => {
    expect(orderAmounts(buy(10_000_000n, 512_345n), "0.01").priceMicros).toBe(510_000n);
    expect(orderAmounts(sell(10_000_000n, 512_345n), "0.01").priceMicros).toBe(520_000n);
    expect(orderAmounts(buy(10_000_000n, 512_345n), "0.0001").priceMicros).toBe(512_300n);
    expect(orderAmounts(sell(10_000_000n, 512_345n), "0.0001").priceMicros).toBe(512_400n);
    expect(orderAmounts(buy(10_000_000n, 599_999n), "0.1").priceMicros).toBe(500_000n);
    expect(orderAmounts(sell(10_000_000n, 500_001n), "0.1").priceMicros).toBe(600_000n);
  });

  test("an on-grid price is kept as is", () => {
    expect(orderAmounts(buy(10_000_000n, 510_000n), "0.01").priceMicros).toBe(510_000n);
    expect(orderAmounts(sell(10_000_000n, 510_000n), "0.01").priceMicros).toBe(510_000n);
  });
});

describe("errors", () => {
  test("a price that leaves [tick, 1 − tick] once on the grid", () => {
    expect(() => orderAmounts(buy(10_000_000n, 9_999n), "0.01")).toThrow("BUY limit price 9999 micro-units is outside the tradable range [10000, 990000] once on the tick grid");
    expect(() => orderAmounts(sell(10_000_000n, 990_001n), "0.01")).toThrow(/SELL limit price 990001 .* outside the tradable range/);
    expect(() => orderAmounts(buy(10_000_000n, 99_999n), "0.1")).toThrow(/outside the tradable range \[100000, 900000\]/);
  });

  test("amounts that round to zero", () => {
    expect(() => orderAmounts(buy(9_999n, 500_000n), "0.01")).toThrow("BUY collateral 9999 micro-units rounds to zero at 2 decimals");
    expect(() => orderAmounts(sell(9_999n, 500_000n), "0.01")).toThrow("SELL of 9999 share micro-units rounds to zero at 2 decimals");
    // 0.01 shares at 0.001 is 0.00001 pUSD, below the 4-decimal taker quantum.
    expect(() => orderAmounts(sell(10_000n, 1_000n), "0.001")).toThrow("SELL of 10000 share micro-units at price 1000 rounds to zero collateral");
  });

  test("an order too small to keep its price within one tick", () => {
    // 0.01 pUSD at 0.9999 is 0.010001 shares, cut to 0.01: price 1.0, a full tick above the limit.
    expect(() => orderAmounts(buy(10_000n, 999_900n), "0.0001")).toThrow(/BUY of 10000 maker micro-units is too small to price within one tick \(0.0001\) of 999900/);
    // 0.01 shares at 0.015 is 0.00015 pUSD, cut to 0.0001: price 0.01, far below the 0.0149 tick under the limit.
    expect(() => orderAmounts(sell(10_000n, 15_000n), "0.0001")).toThrow("SELL of 10000 maker micro-units is too small to price within one tick (0.0001) of 15000");
  });

  test("an unsupported tick size", () => {
    expect(() => orderAmounts(buy(10_000_000n, 500_000n), "0.05" as TickSize)).toThrow('unsupported tick size "0.05": expected one of 0.1, 0.01, 0.001, 0.0001');
  });
});
