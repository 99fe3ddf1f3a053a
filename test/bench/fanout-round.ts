/**
 * What one fan-out round amounts to, computed from what the bench gathered: the listener's intents (the tap), what
 * became of each (the executor's journal, or the naive baseline's answers), and the venue's accept time per order.
 * Pure functions, so the arithmetic behind the headline is unit-tested (fanout-round.test.ts).
 */
import type { Hex } from "viem";
import type { TappedIntent } from "./fanout-tap";
import { type HistogramSnapshot, summarize, type Summary } from "./stats";

/** One intent's fate as the runner (executor or naive baseline) recorded it. */
export interface OrderRecord {
  intentId: Hex;
  /** Absent when no order was built (stale, risk-blocked, …). */
  orderHash?: Hex;
  /** accepted, duplicate, rejected, venue_error, stale, … (the executor's outcome names). */
  outcome: string;
  /** When the runner heard back (epoch ms, its own clock). */
  answeredAtMs: number;
}

export interface RoundCounts {
  subscribers: number;
  /** Distinct intent ids the listener published for the fill. */
  intents: number;
  /** Intent ids seen on the bus more than once. */
  duplicateIntents: number;
  /** Published payloads that failed validation. */
  undecodable: number;
  /** Intents per outcome; "none" for an intent the runner never settled before the wait ran out. */
  outcomes: Record<string, number>;
  /** Of the orders built, how many the venue holds. */
  venueHolds: number;
  /** Change of the venue's order count over the round: anything beyond the round's orders is an extra order. */
  venueOrdersAdded: number;
}

export interface RoundTimes {
  /** The listener's first sight of the fill (its clock, epoch ms): every figure below counts from here. Absent: no intents. */
  fillFirstSeenAtMs: number | undefined;
  /** → every intent built (latest intentCreatedAtMs). */
  intentsBuiltMs: number | undefined;
  /** → the last intent on NATS (the bench's subscription; its clock). */
  lastPublishedMs: number | undefined;
  /** → each order accepted (the venue's clock, ms resolution). */
  acceptedMs: Summary;
  /** → the answer back at the runner. */
  answeredMs: Summary;
  /** → the last order accepted, when every subscriber's order was; the headline. */
  allAcceptedMs: number | undefined;
  /** Orders accepted within the executor's production deadline (deadlineMs default) of first sight. */
  acceptedWithinDeadline: { deadlineMs: number; count: number };
}

export interface RoundFigures {
  counts: RoundCounts;
  times: RoundTimes;
}

export interface RoundInput {
  subscribers: number;
  /** Everything the tap decoded during the round; intents of other fills are left out here. */
  tapped: readonly TappedIntent[];
  undecodable: number;
  fill: { txHash: Hex; logIndex: number };
  records: readonly OrderRecord[];
  /** The venue's accept time per order hash (null: it does not hold the order). */
  venueAcceptedAt: ReadonlyMap<Hex, number | null>;
  venueOrdersAdded: number;
  productionDeadlineMs: number;
}

export function roundFigures(input: RoundInput): RoundFigures {
  const ofFill = input.tapped.filter((t) => t.txHash.toLowerCase() === input.fill.txHash.toLowerCase() && t.logIndex === input.fill.logIndex);
  const byId = new Map<Hex, TappedIntent>();
  let duplicateIntents = 0;
  for (const t of ofFill) {
    if (byId.has(t.id)) duplicateIntents += 1;
    else byId.set(t.id, t);
  }
  const intents = [...byId.values()];
  // All intents of one fill carry the same first sight; min() only guards against a listener that ever disagreed.
  const firstSeen = intents.length === 0 ? undefined : Math.min(...intents.map((t) => t.fillFirstSeenAtMs));
  const since = (atMs: number) => atMs - (firstSeen ?? Number.NaN);
  const recordById = new Map(input.records.filter((r) => byId.has(r.intentId)).map((r) => [r.intentId, r]));
  const records = [...recordById.values()];
  const outcomes: Record<string, number> = {};
  for (const id of byId.keys()) {
    const outcome = recordById.get(id)?.outcome ?? "none";
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  }
  const accepted = records.flatMap((r) => {
    const at = r.orderHash === undefined ? undefined : input.venueAcceptedAt.get(r.orderHash);
    return at === undefined || at === null ? [] : [since(at)];
  });
  const everyoneAccepted = byId.size === input.subscribers && accepted.length === input.subscribers;
  const latest = (values: number[]) => (values.length === 0 ? undefined : since(Math.max(...values)));
  return {
    counts: {
      subscribers: input.subscribers,
      intents: byId.size,
      duplicateIntents,
      undecodable: input.undecodable,
      outcomes,
      venueHolds: accepted.length,
      venueOrdersAdded: input.venueOrdersAdded,
    },
    times: {
      fillFirstSeenAtMs: firstSeen,
      intentsBuiltMs: latest(intents.map((t) => t.intentCreatedAtMs)),
      lastPublishedMs: latest(intents.map((t) => t.tappedAtMs)),
      acceptedMs: summarize(accepted),
      answeredMs: summarize(records.map((r) => since(r.answeredAtMs))),
      allAcceptedMs: everyoneAccepted ? Math.max(...accepted) : undefined,
      acceptedWithinDeadline: { deadlineMs: input.productionDeadlineMs, count: accepted.filter((ms) => ms <= input.productionDeadlineMs).length },
    },
  };
}

/** Adds histograms of several windows bucket by bucket (the judged rounds pooled). */
export function addHistograms(snapshots: readonly HistogramSnapshot[]): HistogramSnapshot {
  const buckets = new Map<number, number>();
  for (const s of snapshots) for (const b of s.buckets) buckets.set(b.le, (buckets.get(b.le) ?? 0) + b.count);
  return {
    count: snapshots.reduce((sum, s) => sum + s.count, 0),
    sum: snapshots.reduce((sum, s) => sum + s.sum, 0),
    buckets: [...buckets].sort(([a], [b]) => a - b).map(([le, count]) => ({ le, count })),
  };
}
