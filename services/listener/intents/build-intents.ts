import type { Address } from "viem";
import { INTENT_VERSION, type CopyIntent, type CopyOrder } from "../../intents/intent";
import { intentId } from "../../intents/intent-id";
import type { Fill } from "../fill";
import { decideCopy, type SizedOrder, type SkipReason } from "../sizing/decide";
import { utcDay, type ExposureView, type Reservation } from "../sizing/exposure";
import type { CopyRule } from "../subscribers/schema";

export interface BuildIntentsContext {
  /** Clock of the decision: stamps the intent and picks the UTC day of the per-day cap. */
  nowMs: number;
  /** When the listener first saw this fill, on any detection path. */
  fillFirstSeenAtMs: number;
  globalKillSwitch: boolean;
}

export interface SkippedCopy {
  subscriberId: string;
  reason: SkipReason;
  detail: string;
}

export interface BuiltIntents {
  intents: CopyIntent[];
  /** One per intent (same order, linked by intentId): charge them to the ledger when the intents are published. */
  reservations: Reservation[];
  skipped: SkippedCopy[];
}

/**
 * Decides, for every subscriber following the fill's maker, whether and how much to copy. Pure: it reads exposure but
 * charges nothing, so the caller reserves exactly what it publishes. Subscribers do not share caps, and one subscriber
 * follows a leader at most once, so the decisions for one fill are independent of each other.
 */
export function buildIntents(
  fill: Fill,
  rulesByLeader: ReadonlyMap<Address, readonly CopyRule[]>,
  exposure: ExposureView,
  context: BuildIntentsContext,
): BuiltIntents {
  const built: BuiltIntents = { intents: [], reservations: [], skipped: [] };
  const day = utcDay(context.nowMs);
  // Fill.maker is checksummed by the decoder, the same form the rules are keyed by.
  for (const rule of rulesByLeader.get(fill.maker) ?? []) {
    const usage = exposure.usage(rule.subscriberId, fill.tokenId, day);
    const decision = decideCopy(fill, rule, usage, context.globalKillSwitch);
    if (decision.kind === "skip") {
      built.skipped.push({ subscriberId: rule.subscriberId, reason: decision.reason, detail: decision.detail });
      continue;
    }
    const intent = toIntent(fill, rule, decision.order, context);
    built.intents.push(intent);
    built.reservations.push({
      intentId: intent.id,
      subscriberId: rule.subscriberId,
      tokenId: fill.tokenId,
      marketNotional: decision.order.side === "BUY" ? decision.order.notional : 0n,
      utcDay: day,
      dayNotional: decision.order.notional,
    });
  }
  return built;
}

function toIntent(fill: Fill, rule: CopyRule, sized: SizedOrder, context: BuildIntentsContext): CopyIntent {
  const common = {
    tokenId: sized.tokenId,
    limitPriceMicros: sized.limitPriceMicros,
    maxSlippageBps: sized.maxSlippageBps,
  };
  const order: CopyOrder =
    sized.side === "BUY"
      ? { side: "BUY", collateralAmount: sized.collateralAmount, ...common }
      : { side: "SELL", shareAmount: sized.shareAmount, ...common };
  return {
    kind: "intent",
    version: INTENT_VERSION,
    id: intentId(fill.chainId, fill.txHash, fill.logIndex, rule.subscriberId),
    chainId: fill.chainId,
    subscriberId: rule.subscriberId,
    leader: rule.leader,
    source: {
      exchange: fill.exchange,
      layout: fill.layout,
      txHash: fill.txHash,
      logIndex: fill.logIndex,
      blockNumber: fill.blockNumber,
      blockHash: fill.blockHash,
      blockTimestamp: fill.blockTimestamp,
      tokenId: fill.tokenId,
      side: fill.side,
      price: fill.price,
      collateralAmount: fill.collateralAmount,
      shareAmount: fill.shareAmount,
    },
    order,
    timestamps: { fillFirstSeenAtMs: context.fillFirstSeenAtMs, intentCreatedAtMs: context.nowMs },
  };
}
