import type { Hex } from "viem";
import { histogramFigures } from "./stats";
import { addHistograms, roundFigures, type OrderRecord, type RoundInput } from "./fanout-round";
import type { TappedIntent } from "./fanout-tap";

const TX = `0x${"ab".repeat(32)}` as Hex;
const OTHER_TX = `0x${"cd".repeat(32)}` as Hex;
const FIRST_SEEN = 1_000_000;
const id = (i: number) => `0x${i.toString(16).padStart(64, "0")}` as Hex;
const hash = (i: number) => `0x${(i + 0x1000).toString(16).padStart(64, "0")}` as Hex;

function tapped(i: number, overrides: Partial<TappedIntent> = {}): TappedIntent {
  return {
    id: id(i),
    subscriberId: `sub-${i}`,
    txHash: TX,
    logIndex: 0,
    fillFirstSeenAtMs: FIRST_SEEN,
    intentCreatedAtMs: FIRST_SEEN + 0.5,
    tappedAtMs: FIRST_SEEN + 10 + i,
    raw: "{}",
    ...overrides,
  };
}

function input(n: number, acceptedAfter: (i: number) => number | null, overrides: Partial<RoundInput> = {}): RoundInput {
  const records: OrderRecord[] = Array.from({ length: n }, (_, i) => ({ intentId: id(i), orderHash: hash(i), outcome: "accepted", answeredAtMs: FIRST_SEEN + 100 + i }));
  return {
    subscribers: n,
    tapped: Array.from({ length: n }, (_, i) => tapped(i)),
    undecodable: 0,
    fill: { txHash: TX, logIndex: 0 },
    records,
    venueAcceptedAt: new Map(records.map((r, i) => [r.orderHash!, acceptedAfter(i) === null ? null : FIRST_SEEN + acceptedAfter(i)!])),
    venueOrdersAdded: n,
    productionDeadlineMs: 750,
    ...overrides,
  };
}

describe("roundFigures", () => {
  it("times every order from the fill's first sight, and the headline is the last acceptance", () => {
    const figures = roundFigures(input(100, (i) => 10 * (i + 1)));
    expect(figures.times.fillFirstSeenAtMs).toBe(FIRST_SEEN);
    expect(figures.times.allAcceptedMs).toBe(1000);
    expect(figures.times.acceptedMs).toMatchObject({ count: 100, min: 10, p50: 500, p99: 990, max: 1000 });
    expect(figures.times.answeredMs.max).toBe(199);
    expect(figures.times.intentsBuiltMs).toBe(0.5);
    expect(figures.times.lastPublishedMs).toBe(109);
    expect(figures.times.acceptedWithinDeadline).toEqual({ deadlineMs: 750, count: 75 });
    expect(figures.counts).toEqual({ subscribers: 100, intents: 100, duplicateIntents: 0, undecodable: 0, outcomes: { accepted: 100 }, venueHolds: 100, venueOrdersAdded: 100 });
  });

  it("has no headline when an order is missing at the venue, and counts it", () => {
    const figures = roundFigures(input(10, (i) => (i === 3 ? null : 50)));
    expect(figures.times.allAcceptedMs).toBeUndefined();
    expect(figures.counts.venueHolds).toBe(9);
  });

  it("counts an intent delivered twice once, as a duplicate, and leaves other fills' intents out", () => {
    const base = input(3, () => 20);
    const figures = roundFigures({ ...base, tapped: [...base.tapped, tapped(1), tapped(9, { txHash: OTHER_TX })] });
    expect(figures.counts.intents).toBe(3);
    expect(figures.counts.duplicateIntents).toBe(1);
    expect(figures.times.allAcceptedMs).toBe(20);
  });

  it("reports intents the runner never settled as outcome none, and other outcomes by name", () => {
    const base = input(4, () => 20);
    const records = [{ ...base.records[0]!, outcome: "stale", orderHash: undefined }, base.records[1]!, base.records[2]!];
    const figures = roundFigures({ ...base, records });
    expect(figures.counts.outcomes).toEqual({ stale: 1, accepted: 2, none: 1 });
    expect(figures.times.allAcceptedMs).toBeUndefined();
  });

  it("is empty, not NaN-filled, when the listener published nothing", () => {
    const figures = roundFigures(input(5, () => 20, { tapped: [] }));
    expect(figures.times.fillFirstSeenAtMs).toBeUndefined();
    expect(figures.times.acceptedMs.count).toBe(0);
    expect(figures.times.allAcceptedMs).toBeUndefined();
    expect(figures.counts.outcomes).toEqual({});
  });
});

describe("histogram figures", () => {
  const snapshot = (counts: number[], sum: number) => ({
    count: counts.at(-1)!,
    sum,
    buckets: [0.001, 0.01, 0.1, Number.POSITIVE_INFINITY].map((le, i) => ({ le, count: counts[i]! })),
  });

  it("gives mean, interpolated quantiles and the bound of the highest non-empty bucket, in ms", () => {
    const f = histogramFigures(snapshot([50, 90, 100, 100], 1.2));
    expect(f.count).toBe(100);
    expect(f.meanMs).toBeCloseTo(12);
    expect(f.p50Ms).toBeCloseTo(1);
    expect(f.p99Ms).toBeCloseTo(91);
    expect(f.maxAtMostMs).toBeCloseTo(100);
  });

  it("says +Inf when an observation passed the last finite bucket, and nothing when empty", () => {
    expect(histogramFigures(snapshot([0, 0, 1, 2], 5)).maxAtMostMs).toBe(Number.POSITIVE_INFINITY);
    expect(histogramFigures(snapshot([0, 0, 0, 0], 0))).toEqual({ count: 0, meanMs: undefined, p50Ms: undefined, p99Ms: undefined, maxAtMostMs: undefined });
  });

  it("pools windows bucket by bucket", () => {
    const pooled = addHistograms([snapshot([1, 2, 3, 3], 0.1), snapshot([0, 1, 1, 2], 0.5)]);
    expect(pooled).toEqual({ count: 5, sum: 0.6, buckets: [{ le: 0.001, count: 1 }, { le: 0.01, count: 3 }, { le: 0.1, count: 4 }, { le: Number.POSITIVE_INFINITY, count: 5 }] });
  });
});
