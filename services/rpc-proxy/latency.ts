import { z } from "zod";

/**
 * One direction's latency: `baseMs + uniform(0, jitterMs)`, plus with probability `tailProbability` a Pareto-distributed
 * extra delay (scale `tailScaleMs`, shape `tailShape`) capped at `tailCapMs`. Pareto because provider tails are
 * heavy: most slow answers are a little slow, a few are very slow.
 */
export const latencyProfileSchema = z.strictObject({
  baseMs: z.number().min(0).default(0),
  jitterMs: z.number().min(0).default(0),
  tailProbability: z.number().min(0).max(1).default(0),
  tailScaleMs: z.number().min(0).default(0),
  tailShape: z.number().positive().default(1.5),
  tailCapMs: z.number().min(0).default(0),
});
export type LatencyProfile = z.output<typeof latencyProfileSchema>;
export type LatencyProfileInput = z.input<typeof latencyProfileSchema>;

/** HTTP answers and WebSocket frames (responses and notifications) have separate profiles. */
export interface ProviderLatency {
  http: LatencyProfile;
  ws: LatencyProfile;
}

/** Body of `PUT /providers/:name/latency`: a transport left out keeps its profile; `seed` restarts the RNG. */
export const latencyUpdateSchema = z.strictObject({
  http: latencyProfileSchema.optional(),
  ws: latencyProfileSchema.optional(),
  seed: z.number().int().optional(),
});
export type LatencyUpdate = z.input<typeof latencyUpdateSchema>;

export const ZERO_LATENCY: LatencyProfile = latencyProfileSchema.parse({});

export type Rng = () => number;

/** mulberry32: tiny, fast and good enough for delays; a seed makes a test's latency sequence repeatable. */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function sampleLatency(profile: LatencyProfile, rng: Rng): number {
  let delay = profile.baseMs + rng() * profile.jitterMs;
  if (profile.tailProbability > 0 && rng() < profile.tailProbability) {
    // Inverse-CDF Pareto sample; 1 - u keeps the base away from 0.
    const pareto = profile.tailScaleMs / Math.pow(1 - rng(), 1 / profile.tailShape);
    delay += Math.min(pareto, profile.tailCapMs);
  }
  return delay;
}
