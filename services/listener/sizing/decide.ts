import type { Fill } from "../fill";
import { limitPriceMicros } from "./limit-price";
import { policyNotional, type SizingPolicy } from "./policy";
import { MICROS, formatMicros, maxBig } from "./units";

/**
 * Per subscriber (optionally per leader) risk limits, named as in the subscribers file but held as micro-units:
 * amounts in collateral micro-units, prices and the tick in micro-units per share (1_000_000n = 1.0).
 */
export interface RiskLimits {
  /** Largest notional of one copy order. A larger policy size is clamped to it, not skipped. */
  maxOrderNotional: bigint;
  /** Largest BUY notional reserved in one outcome token (see ExposureLedger for what counts). */
  maxMarketExposure: bigint;
  /** Largest notional, BUY and SELL together, copied in one UTC day. */
  maxDailyNotional: bigint;
  /** Copies smaller than this are skipped: the order book rejects dust, and fees would eat it anyway. */
  minOrderNotional: bigint;
  /** Copy only fills priced within [minPrice, maxPrice], both ends inclusive. */
  minPrice: bigint;
  maxPrice: bigint;
  maxSlippageBps: number;
  tickSize: bigint;
}

/** What decides one subscriber's copy of one leader: the resolved sizing and risk of that follow. */
export interface CopyTerms {
  sizing: SizingPolicy;
  risk: RiskLimits;
  /** Per-subscriber (or per-follow) kill switch. */
  killSwitch: boolean;
  /** Leader's estimated bankroll; required by the adaptive policy only. */
  leaderBankroll?: bigint;
}

export type SkipReason =
  | "kill-switch-global"
  | "kill-switch-subscriber"
  | "degenerate-fill"
  | "price-out-of-bounds"
  | "below-minimum"
  | "cap-per-market"
  | "cap-per-day";

export type ClampReason = "cap-per-order" | "cap-per-market" | "cap-per-day";

/** A copy order. BUY spends `collateralAmount`; SELL sells `shareAmount` (the executor clamps it to holdings). */
export type SizedOrder = {
  tokenId: bigint;
  /** Collateral the caps were charged with: the BUY spend, or the SELL's shares valued at the leader's price. */
  notional: bigint;
  limitPriceMicros: bigint;
  maxSlippageBps: number;
  /** Caps that reduced the policy size, in the order applied; empty when the policy size went through. */
  clampedBy: ClampReason[];
} & ({ side: "BUY"; collateralAmount: bigint } | { side: "SELL"; shareAmount: bigint });

export type CopyDecision = { kind: "order"; order: SizedOrder } | { kind: "skip"; reason: SkipReason; detail: string };

/** The subscriber's usage the caps are measured against, read from the exposure ledger before deciding. */
export interface ExposureUsage {
  /** BUY notional already reserved in the fill's token. */
  market: bigint;
  /** Notional already reserved in the current UTC day. */
  day: bigint;
}

export type FillTerms = Pick<Fill, "side" | "tokenId" | "collateralAmount" | "shareAmount">;

/**
 * Sizes one subscriber's copy of one leader fill, or says why not. Order of evaluation: kill switches, price bounds,
 * policy size, then caps. Every cap clamps (a copy smaller than the leader's is still a copy); a copy is skipped only
 * when a clamp leaves it below the minimum order, and the skip names the cap that did it. At exactly the cap the copy
 * goes through; one micro-unit over is clamped.
 */
export function decideCopy(
  fill: FillTerms,
  terms: CopyTerms,
  usage: ExposureUsage,
  globalKillSwitch: boolean,
): CopyDecision {
  if (globalKillSwitch) return skip("kill-switch-global", "global kill switch is on");
  if (terms.killSwitch) return skip("kill-switch-subscriber", "subscriber kill switch is on");
  if (fill.collateralAmount <= 0n || fill.shareAmount <= 0n) {
    return skip("degenerate-fill", `fill has collateral ${fill.collateralAmount} and shares ${fill.shareAmount}`);
  }
  const { risk } = terms;
  // price = collateral / shares, compared by cross-multiplying so no rounding decides a boundary.
  const scaledCollateral = fill.collateralAmount * MICROS;
  if (scaledCollateral < risk.minPrice * fill.shareAmount || scaledCollateral > risk.maxPrice * fill.shareAmount) {
    return skip(
      "price-out-of-bounds",
      `price ${formatPrice(fill)} outside [${formatMicros(risk.minPrice)}, ${formatMicros(risk.maxPrice)}]`,
    );
  }

  let notional = policyNotional(terms.sizing, fill.collateralAmount, terms.leaderBankroll);
  if (notional < risk.minOrderNotional) {
    return skip(
      "below-minimum",
      `policy size ${formatMicros(notional)} < minimum ${formatMicros(risk.minOrderNotional)}`,
    );
  }
  const clampedBy: ClampReason[] = [];
  const caps: { reason: ClampReason; room: bigint }[] = [
    { reason: "cap-per-order", room: risk.maxOrderNotional },
    // Selling does not add exposure to a market, so only BUYs are held to the market cap.
    ...(fill.side === "BUY"
      ? [{ reason: "cap-per-market" as const, room: risk.maxMarketExposure - usage.market }]
      : []),
    { reason: "cap-per-day", room: risk.maxDailyNotional - usage.day },
  ];
  for (const cap of caps) {
    if (notional <= cap.room) continue;
    notional = cap.room;
    clampedBy.push(cap.reason);
    if (notional < risk.minOrderNotional) {
      // The loader keeps the per-order cap ≥ the minimum; a hand-built config that does not is reported as below-minimum.
      const reason = cap.reason === "cap-per-order" ? "below-minimum" : cap.reason;
      const room = formatMicros(maxBig(notional, 0n));
      return skip(reason, `${cap.reason} leaves room ${room} < minimum ${formatMicros(risk.minOrderNotional)}`);
    }
  }

  const limit = limitPriceMicros(
    fill.side,
    fill.collateralAmount,
    fill.shareAmount,
    risk.maxSlippageBps,
    risk.tickSize,
  );
  const common = {
    tokenId: fill.tokenId,
    notional,
    limitPriceMicros: limit,
    maxSlippageBps: risk.maxSlippageBps,
    clampedBy,
  };
  if (fill.side === "BUY") return { kind: "order", order: { ...common, side: "BUY", collateralAmount: notional } };
  // A SELL's notional becomes shares at the leader's own ratio, so the copy sells the same fraction of value.
  const shareAmount = (notional * fill.shareAmount) / fill.collateralAmount;
  if (shareAmount === 0n) return skip("below-minimum", `notional ${formatMicros(notional)} sells no whole micro-share`);
  return { kind: "order", order: { ...common, side: "SELL", shareAmount } };
}

function skip(reason: SkipReason, detail: string): CopyDecision {
  return { kind: "skip", reason, detail };
}

function formatPrice(fill: FillTerms): string {
  return (Number(fill.collateralAmount) / Number(fill.shareAmount)).toFixed(6);
}
