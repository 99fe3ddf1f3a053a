import { MICROS, maxBig, minBig } from "./units";

/**
 * How much collateral a subscriber puts behind one copied fill, before risk caps. Amounts are collateral micro-units,
 * ratios parts per million (see units.ts). The leader's notional is the fill's collateral amount (gross of fees).
 */
export type SizingPolicy = PercentagePolicy | FixedPolicy | AdaptivePolicy | TieredPolicy;

/** notional = leader notional × ratio. */
export interface PercentagePolicy {
  policy: "percentage";
  ratioPpm: bigint;
}

/** The same collateral amount for every copied fill, whatever the leader traded. */
export interface FixedPolicy {
  policy: "fixed";
  amount: bigint;
}

/**
 * Mirrors the leader's conviction relative to their bankroll:
 *   notional = clamp(leader notional × subscriberBankroll / leaderBankroll, minNotional, maxNotional)
 * where leaderBankroll is the leader's estimated bankroll from the leaders section of the subscribers file. A leader
 * who stakes 2 % of their bankroll makes the subscriber stake 2 % of theirs. The clamp raises small results to
 * minNotional (so a copy is still worth the order-book minimum) and lowers large ones to maxNotional (so a wrong
 * bankroll estimate cannot blow up a position); the risk caps apply afterwards as for every policy.
 */
export interface AdaptivePolicy {
  policy: "adaptive";
  subscriberBankroll: bigint;
  minNotional: bigint;
  maxNotional: bigint;
}

/**
 * notional = leader notional × baseRatio × multiplier of the tier the leader's notional falls in. A tier covers
 * [minLeaderNotional, next tier's minLeaderNotional); tiers ascend strictly and the first starts at 0, so every
 * notional has exactly one tier. A multiplier of 0 ignores a tier (the result then falls below the minimum order).
 */
export interface TieredPolicy {
  policy: "tiered";
  baseRatioPpm: bigint;
  tiers: readonly SizingTier[];
}

export interface SizingTier {
  minLeaderNotional: bigint;
  multiplierPpm: bigint;
}

/** Policy notional, rounded down to a micro-unit. `leaderBankroll` is only read by the adaptive policy. */
export function policyNotional(
  policy: SizingPolicy,
  leaderNotional: bigint,
  leaderBankroll: bigint | undefined,
): bigint {
  switch (policy.policy) {
    case "percentage":
      return (leaderNotional * policy.ratioPpm) / MICROS;
    case "fixed":
      return policy.amount;
    case "adaptive": {
      if (leaderBankroll === undefined || leaderBankroll <= 0n) {
        throw new Error("adaptive sizing needs the leader's estimated bankroll (> 0)");
      }
      const scaled = (leaderNotional * policy.subscriberBankroll) / leaderBankroll;
      return minBig(maxBig(scaled, policy.minNotional), policy.maxNotional);
    }
    case "tiered": {
      const tier = tierFor(policy.tiers, leaderNotional);
      return (leaderNotional * policy.baseRatioPpm * tier.multiplierPpm) / (MICROS * MICROS);
    }
  }
}

export function tierFor(tiers: readonly SizingTier[], leaderNotional: bigint): SizingTier {
  let chosen: SizingTier | undefined;
  for (const tier of tiers) if (tier.minLeaderNotional <= leaderNotional) chosen = tier;
  if (!chosen) {
    throw new Error(`no sizing tier covers leader notional ${leaderNotional}; the first tier must start at 0`);
  }
  return chosen;
}
