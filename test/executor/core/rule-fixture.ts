import type { RiskLimits } from "../../../services/listener/sizing/decide";
import type { CopyRule } from "../../../services/listener/subscribers/schema";

/** alice copying the test leader with a fixed 5 pUSD; caps as given (micro-units), the rest permissive. */
export function aliceRule(caps: Pick<RiskLimits, "maxOrderNotional" | "maxMarketExposure" | "maxDailyNotional">): CopyRule {
  return {
    subscriberId: "alice",
    leader: "0x1000000000000000000000000000000000000001",
    sizing: { policy: "fixed", amount: 5_000_000n },
    risk: { ...caps, minOrderNotional: 1_000_000n, minPrice: 10_000n, maxPrice: 990_000n, maxSlippageBps: 200, tickSize: 10_000n },
    killSwitch: false,
  } as CopyRule;
}
