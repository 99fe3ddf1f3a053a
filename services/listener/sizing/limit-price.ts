import type { Side } from "../fill";
import { BPS, MICROS, ceilDiv } from "./units";

/**
 * The worst price the copy may trade at, in micro-units per share:
 *   BUY:  leader price × (1 + slippage), rounded DOWN to the tick
 *   SELL: leader price × (1 − slippage), rounded UP to the tick
 * Rounding toward the leader's price means the order never accepts more slippage than configured. The result is then
 * clamped into [tick, 1 − tick], the order book's valid range, so a BUY near 1 or a SELL near 0 stays placeable.
 * The leader price is the exact ratio collateral / shares from the fill, not its float rendering.
 */
export function limitPriceMicros(
  side: Side,
  collateralAmount: bigint,
  shareAmount: bigint,
  maxSlippageBps: number,
  tickMicros: bigint,
): bigint {
  if (shareAmount <= 0n) throw new Error("limit price needs a fill with shares > 0");
  const bps = BigInt(maxSlippageBps);
  const denominator = shareAmount * BPS;
  const unrounded =
    side === "BUY"
      ? (collateralAmount * (BPS + bps) * MICROS) / denominator
      : ceilDiv(collateralAmount * (BPS - bps) * MICROS, denominator);
  const onTick = side === "BUY" ? unrounded - (unrounded % tickMicros) : ceilDiv(unrounded, tickMicros) * tickMicros;
  const lowest = tickMicros;
  const highest = MICROS - tickMicros;
  return onTick < lowest ? lowest : onTick > highest ? highest : onTick;
}
