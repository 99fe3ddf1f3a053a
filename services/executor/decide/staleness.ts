import type { CopyIntent } from "../../intents/intent";

export type Freshness = { fresh: true; ageMs: number } | { fresh: false; ageMs: number; detail: string };

/**
 * An intent is judged by the age of its fill's detection, not of the intent: a copy placed long after the leader's
 * fill trades at a price that has moved on. Both timestamps come from the listener's host clock and ours, which
 * chrony keeps within a millisecond or two; an intent from the future (skewed clock) counts as age 0, not as stale.
 */
export function freshness(intent: CopyIntent, nowMs: number, deadlineMs: number): Freshness {
  const ageMs = Math.max(0, nowMs - intent.timestamps.fillFirstSeenAtMs);
  if (ageMs <= deadlineMs) return { fresh: true, ageMs };
  return { fresh: false, ageMs, detail: `fill first seen ${ageMs.toFixed(0)} ms ago, deadline ${deadlineMs} ms` };
}
