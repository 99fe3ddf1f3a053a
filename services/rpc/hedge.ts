export interface HedgePolicy {
  /** Quantile of the primary's recent latency after which the hedge leg goes out (the Tail at Scale: p95). */
  quantile: number;
  floorMs: number;
  capMs: number;
  /** Used until the primary has enough samples. */
  defaultMs: number;
  minSamples: number;
}

export const DEFAULT_HEDGE: HedgePolicy = { quantile: 0.95, floorMs: 5, capMs: 500, defaultMs: 50, minSamples: 20 };

/** Delay before a second provider is asked: the primary's recent p95, bounded so a noisy window cannot disable it. */
export function hedgeDelayMs(quantileMs: number | undefined, samples: number, policy: HedgePolicy = DEFAULT_HEDGE): number {
  if (quantileMs === undefined || samples < policy.minSamples) return policy.defaultMs;
  return Math.min(policy.capMs, Math.max(policy.floorMs, quantileMs));
}
