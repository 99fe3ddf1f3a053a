import type { CopyIntent } from "../../intents/intent";
import type { ExposureUsage } from "../../listener/sizing/decide";
import { formatMicros, MICROS } from "../../listener/sizing/units";
import type { CopyRule } from "../../listener/subscribers/schema";

export type RiskVerdict =
  | { allowed: true; notional: bigint }
  | { allowed: false; reason: "kill-switch-global" | "kill-switch-subscriber" | "no-rule" | "cap-per-order" | "cap-per-market" | "cap-per-day"; detail: string };

/** Collateral an intent commits: a BUY's spend, or a SELL's shares valued at its limit price. */
export function intentNotional(intent: CopyIntent): bigint {
  const { order } = intent;
  return order.side === "BUY" ? order.collateralAmount : (order.shareAmount * order.limitPriceMicros) / MICROS;
}

/**
 * The executor's second look, against what this executor has actually placed. The listener sized the intent against
 * its own reservations; since then the subscriber may have flipped a kill switch, lowered a cap (SIGHUP), or other
 * intents may have been placed by this executor. Nothing is clamped here: resizing would fork the order between two
 * regions that disagree on exposure, so an intent is executed as built or blocked whole.
 */
export function recheckRisk(intent: CopyIntent, rule: CopyRule | undefined, usage: ExposureUsage, globalKillSwitch: boolean): RiskVerdict {
  if (globalKillSwitch) return { allowed: false, reason: "kill-switch-global", detail: "global kill switch is on" };
  if (!rule) return { allowed: false, reason: "no-rule", detail: `${intent.subscriberId} no longer follows ${intent.leader}` };
  if (rule.killSwitch) return { allowed: false, reason: "kill-switch-subscriber", detail: "subscriber kill switch is on" };
  const notional = intentNotional(intent);
  const { risk } = rule;
  if (notional > risk.maxOrderNotional) {
    return { allowed: false, reason: "cap-per-order", detail: `order ${formatMicros(notional)} > cap ${formatMicros(risk.maxOrderNotional)}` };
  }
  if (intent.order.side === "BUY" && usage.market + notional > risk.maxMarketExposure) {
    return {
      allowed: false,
      reason: "cap-per-market",
      detail: `market exposure ${formatMicros(usage.market)} + ${formatMicros(notional)} > cap ${formatMicros(risk.maxMarketExposure)}`,
    };
  }
  if (usage.day + notional > risk.maxDailyNotional) {
    return {
      allowed: false,
      reason: "cap-per-day",
      detail: `day notional ${formatMicros(usage.day)} + ${formatMicros(notional)} > cap ${formatMicros(risk.maxDailyNotional)}`,
    };
  }
  return { allowed: true, notional };
}
