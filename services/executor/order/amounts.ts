/**
 * Maker and taker amounts of a copy order, in 6-decimal micro-units, following Polymarket's official clients for
 * market (FAK/FOK) orders: the maker amount is cut to 2 decimals (ROUNDING_CONFIG `size`) and the taker amount is
 * derived from it at the tick price, cut to the `amount` decimals of the tick but never beyond 4, the venue's cap for
 * market-order takers (clob-client-v2 `MAX_TAKER_DECIMALS`; py-clob-client-v2 issue #99).
 *
 * Every cut rounds down. The maker side therefore never exceeds what the intent allows (collateral on a BUY, shares on
 * a SELL), and the taker side is the minimum the subscriber accepts. The venue prices an order as maker / taker (BUY)
 * or taker / maker (SELL) and matches resting orders at their own price; rounding the taker down moves that price at
 * most a fraction of a tick past the limit, towards the book, so the order still crosses a resting order exactly at
 * the limit (rounding up would leave it a hair short and unfillable there: Polymarket/py-sdk issue #291, PR #292)
 * while never reaching the next tick, which `assertWithinTick` enforces.
 */
export const TICK_SIZES = ["0.1", "0.01", "0.001", "0.0001"] as const;
export type TickSize = (typeof TICK_SIZES)[number];

const MICROS = 1_000_000n;
/** 2 decimals: ROUNDING_CONFIG `size`, the same for every tick. */
const MAKER_QUANTUM = 10_000n;

interface TickRule {
  tickMicros: bigint;
  takerQuantum: bigint;
}

/** ROUNDING_CONFIG `amount` decimals are 3, 4, 5, 6; market-order takers are capped at 4. */
const TICK_RULES: Readonly<Record<TickSize, TickRule>> = {
  "0.1": { tickMicros: 100_000n, takerQuantum: 1_000n },
  "0.01": { tickMicros: 10_000n, takerQuantum: 100n },
  "0.001": { tickMicros: 1_000n, takerQuantum: 100n },
  "0.0001": { tickMicros: 100n, takerQuantum: 100n },
};

export interface OrderAmounts {
  /** The limit price on the tick grid, micro-units per share. */
  priceMicros: bigint;
  makerAmount: bigint;
  takerAmount: bigint;
}

export type AmountRequest =
  | { side: "BUY"; collateralAmount: bigint; limitPriceMicros: bigint }
  | { side: "SELL"; shareAmount: bigint; limitPriceMicros: bigint };

function tickRule(tickSize: string): TickRule {
  const rule = (TICK_RULES as Readonly<Record<string, TickRule>>)[tickSize];
  if (!rule) throw new Error(`unsupported tick size "${tickSize}": expected one of ${TICK_SIZES.join(", ")}`);
  return rule;
}

export function orderAmounts(request: AmountRequest, tickSize: TickSize): OrderAmounts {
  const { tickMicros, takerQuantum } = tickRule(tickSize);
  const price = priceOnTick(request, tickMicros);
  if (request.side === "BUY") {
    const makerAmount = floorTo(request.collateralAmount, MAKER_QUANTUM);
    if (makerAmount === 0n) throw new Error(`BUY collateral ${request.collateralAmount} micro-units rounds to zero at 2 decimals`);
    // Never zero: at least 0.01 pUSD at a price below 1 buys more than 0.01 shares.
    const takerAmount = floorTo((makerAmount * MICROS) / price, takerQuantum);
    assertWithinTick(makerAmount * MICROS < (price + tickMicros) * takerAmount, request.side, makerAmount, price, tickSize);
    return { priceMicros: price, makerAmount, takerAmount };
  }
  const makerAmount = floorTo(request.shareAmount, MAKER_QUANTUM);
  if (makerAmount === 0n) throw new Error(`SELL of ${request.shareAmount} share micro-units rounds to zero at 2 decimals`);
  const takerAmount = floorTo((makerAmount * price) / MICROS, takerQuantum);
  if (takerAmount === 0n) throw new Error(`SELL of ${makerAmount} share micro-units at price ${price} rounds to zero collateral`);
  assertWithinTick(takerAmount * MICROS > (price - tickMicros) * makerAmount, request.side, makerAmount, price, tickSize);
  return { priceMicros: price, makerAmount, takerAmount };
}

/** Off-grid limits move to the grid away from the book (BUY down, SELL up), and must stay in [tick, 1 − tick]. */
function priceOnTick(request: AmountRequest, tickMicros: bigint): bigint {
  const limit = request.limitPriceMicros;
  const price = request.side === "BUY" ? floorTo(limit, tickMicros) : ceilTo(limit, tickMicros);
  if (price < tickMicros || price > MICROS - tickMicros) {
    const range = `[${tickMicros}, ${MICROS - tickMicros}]`;
    throw new Error(`${request.side} limit price ${limit} micro-units is outside the tradable range ${range} once on the tick grid`);
  }
  return price;
}

/** Below a few shares the taker cut can exceed a tick's worth of price; such an order could trade past its limit. */
function assertWithinTick(ok: boolean, side: string, makerAmount: bigint, price: bigint, tickSize: TickSize): void {
  if (!ok) {
    throw new Error(`${side} of ${makerAmount} maker micro-units is too small to price within one tick (${tickSize}) of ${price}`);
  }
}

function floorTo(value: bigint, quantum: bigint): bigint {
  return value - (value % quantum);
}

function ceilTo(value: bigint, quantum: bigint): bigint {
  return floorTo(value + quantum - 1n, quantum);
}
