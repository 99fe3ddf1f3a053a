import type { ProviderStatus } from "./provider";

export interface SelectionInput {
  nowMs: number;
  /** Only providers whose known head is at least this block may answer (freshness-sensitive calls). */
  minHead?: bigint;
}

/**
 * Orders providers for one request: wrong-chain, throttled and open-circuit providers are left out; providers known to
 * be behind `minHead` are left out; the rest are ranked by recent latency (an EWMA, so a provider gone slow drops within
 * a few requests), unknown heads last.
 * Pure apart from asking each breaker, which may move it to half-open.
 */
export function selectProviders(providers: readonly ProviderStatus[], input: SelectionInput): ProviderStatus[] {
  const eligible = providers.filter((p) => {
    if (p.chain === "wrong") return false;
    if (p.throttledUntilMs > input.nowMs) return false;
    if (input.minHead !== undefined && p.head !== undefined && p.head < input.minHead) return false;
    return p.breaker.current(input.nowMs) !== "open";
  });
  const rank = (p: ProviderStatus) =>
    (input.minHead !== undefined && p.head === undefined ? 1e9 : 0) + (p.latency.ewma ?? 50);
  return eligible.sort((a, b) => rank(a) - rank(b));
}
