import {
  histogramDelta,
  overlapChance,
  overlaps,
  summarizePauses,
  wilsonInterval,
  windowsWithPause,
  histogramQuantile,
  histogramShareAtOrBelow,
  histogramMaxAtMost,
  parsePromText,
  percentile,
  promCounterBy,
  promHistogram,
  summarize,
  type HistogramSnapshot,
} from "./stats";

describe("percentile (nearest rank)", () => {
  it("picks an observed sample at rank ⌈p·n⌉", () => {
    const values = [15, 20, 35, 40, 50];
    expect(percentile(values, 30)).toBe(20);
    expect(percentile(values, 40)).toBe(20);
    expect(percentile(values, 50)).toBe(35);
    expect(percentile(values, 100)).toBe(50);
  });

  it("does not depend on input order and leaves the input alone", () => {
    const values = [50, 15, 40, 20, 35];
    expect(percentile(values, 50)).toBe(35);
    expect(values).toEqual([50, 15, 40, 20, 35]);
  });

  it("p99 over fewer than 100 samples is the maximum; over 100 it is the 99th value", () => {
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99)).toBe(10);
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 50)).toBe(50);
  });

  it("is undefined for no samples and rejects p outside (0, 100]", () => {
    expect(percentile([], 50)).toBeUndefined();
    expect(() => percentile([1], 0)).toThrow(/percentile/);
    expect(() => percentile([1], 101)).toThrow(/percentile/);
    expect(() => percentile([1], Number.NaN)).toThrow(/percentile/);
  });

  it("sorts numerically, not as strings", () => {
    expect(percentile([9, 10, 100, 2], 50)).toBe(9);
  });
});

describe("summarize", () => {
  it("counts and reports p50, p99 and max", () => {
    expect(summarize([3, 1, 2])).toEqual({ count: 3, min: 1, p50: 2, p99: 3, max: 3 });
  });

  it("keeps sub-millisecond values exact", () => {
    expect(summarize([0.125, 0.25, 0.5])).toEqual({ count: 3, min: 0.125, p50: 0.25, p99: 0.5, max: 0.5 });
  });

  it("has a count of zero and no quantiles for no samples", () => {
    expect(summarize([])).toEqual({ count: 0, min: undefined, p50: undefined, p99: undefined, max: undefined });
  });
});

describe("histogram helpers", () => {
  const before: HistogramSnapshot = {
    count: 10,
    sum: 0.005,
    buckets: [
      { le: 0.0005, count: 9 },
      { le: 0.001, count: 10 },
      { le: Number.POSITIVE_INFINITY, count: 10 },
    ],
  };
  const after: HistogramSnapshot = {
    count: 110,
    sum: 0.065,
    buckets: [
      { le: 0.0005, count: 89 },
      { le: 0.001, count: 108 },
      { le: Number.POSITIVE_INFINITY, count: 110 },
    ],
  };

  it("subtracts an earlier snapshot bucket by bucket", () => {
    const delta = histogramDelta(before, after);
    expect(delta.count).toBe(100);
    expect(delta.sum).toBeCloseTo(0.06, 12);
    expect(delta.buckets).toEqual([
      { le: 0.0005, count: 80 },
      { le: 0.001, count: 98 },
      { le: Number.POSITIVE_INFINITY, count: 100 },
    ]);
  });

  it("interpolates a quantile inside its bucket like Prometheus's histogram_quantile", () => {
    const delta = histogramDelta(before, after);
    // rank 50 of 100 lies in the first bucket (0 … 0.5 ms, 80 observations): 0.0005 · 50/80.
    expect(histogramQuantile(delta, 0.5)).toBeCloseTo(0.0003125, 12);
    // rank 90 lies in (0.5 ms, 1 ms] holding 18: 0.0005 + 0.0005 · 10/18.
    expect(histogramQuantile(delta, 0.9)).toBeCloseTo(0.0005 + 0.0005 * (10 / 18), 12);
    // rank 99 is past le=0.001 (98): in +Inf, which reads as the highest finite bound.
    expect(histogramQuantile(delta, 0.99)).toBe(0.001);
  });

  it("gives the exact share at or below a bucket bound and refuses a bound that is not a bucket", () => {
    const delta = histogramDelta(before, after);
    expect(histogramShareAtOrBelow(delta, 0.001)).toBe(0.98);
    expect(histogramShareAtOrBelow(delta, 0.0005)).toBe(0.8);
    expect(() => histogramShareAtOrBelow(delta, 0.002)).toThrow(/no bucket le=0.002/);
    expect(histogramShareAtOrBelow({ count: 0, sum: 0, buckets: [] }, 0.001)).toBeUndefined();
  });

  it("bounds the largest observation by the first bucket holding them all", () => {
    const delta = histogramDelta(before, after);
    // 2 of the 100 fell past 1 ms: only +Inf holds them all.
    expect(histogramMaxAtMost(delta)).toBe(Number.POSITIVE_INFINITY);
    expect(histogramMaxAtMost({ ...delta, count: 98 })).toBe(0.001);
    expect(histogramMaxAtMost({ count: 0, sum: 0, buckets: [] })).toBeUndefined();
  });

  it("is undefined without observations and rejects q outside (0, 1]", () => {
    expect(histogramQuantile({ count: 0, sum: 0, buckets: [] }, 0.99)).toBeUndefined();
    expect(() => histogramQuantile(after, 0)).toThrow(/quantile/);
    expect(() => histogramQuantile(after, 1.5)).toThrow(/quantile/);
  });
});

describe("Prometheus text format", () => {
  const text = [
    "# HELP polysync_listener_stage_duration_seconds Per fill stages.",
    "# TYPE polysync_listener_stage_duration_seconds histogram",
    'polysync_listener_stage_duration_seconds_bucket{le="0.0005",stage="detect",service="listener"} 3',
    'polysync_listener_stage_duration_seconds_bucket{le="0.001",stage="detect",service="listener"} 4',
    'polysync_listener_stage_duration_seconds_bucket{le="+Inf",stage="detect",service="listener"} 5',
    'polysync_listener_stage_duration_seconds_sum{stage="detect",service="listener"} 0.0042',
    'polysync_listener_stage_duration_seconds_count{stage="detect",service="listener"} 5',
    'polysync_listener_stage_duration_seconds_bucket{le="0.0005",stage="decode",service="listener"} 5',
    'polysync_listener_stage_duration_seconds_bucket{le="0.001",stage="decode",service="listener"} 5',
    'polysync_listener_stage_duration_seconds_bucket{le="+Inf",stage="decode",service="listener"} 5',
    'polysync_listener_stage_duration_seconds_sum{stage="decode",service="listener"} 0.0001',
    'polysync_listener_stage_duration_seconds_count{stage="decode",service="listener"} 5',
    "",
    'polysync_rpc_reconnects_total{provider="quicknode",reason="stalled",service="listener"} 2',
    'polysync_rpc_reconnects_total{provider="quicknode",reason="closed",service="listener"} 1',
    'polysync_rpc_reconnects_total{provider="alchemy",reason="stalled",service="listener"} 0',
    'weird_total{path="a\\"b\\\\c",x="}"} 1.5e3 1700000000000',
    "process_start_time_seconds 1700000000",
    'nodejs_eventloop_lag_p99_seconds{service="listener"} Nan',
  ].join("\n");

  it("parses names, labels (unescaped) and values, skipping comments and blank lines", () => {
    const samples = parsePromText(text);
    expect(samples).toHaveLength(16);
    expect(samples[2]).toEqual({
      name: "polysync_listener_stage_duration_seconds_bucket",
      labels: { le: "+Inf", stage: "detect", service: "listener" },
      value: 5,
    });
    expect(samples[13]).toEqual({ name: "weird_total", labels: { path: 'a"b\\c', x: "}" }, value: 1500 });
    expect(samples[14]).toEqual({ name: "process_start_time_seconds", labels: {}, value: 1_700_000_000 });
    // prom-client spells NaN "Nan".
    expect(samples[15].value).toBeNaN();
  });

  it("rejects a line that is not a sample", () => {
    expect(() => parsePromText("what is this")).toThrow(/not a Prometheus sample line/);
    expect(() => parsePromText("x_total one")).toThrow(/not a Prometheus value/);
  });

  it("picks one histogram series by label, with +Inf as an infinite bound", () => {
    const detect = promHistogram(parsePromText(text), "polysync_listener_stage_duration_seconds", { stage: "detect" });
    expect(detect).toEqual({
      count: 5,
      sum: 0.0042,
      buckets: [
        { le: 0.0005, count: 3 },
        { le: 0.001, count: 4 },
        { le: Number.POSITIVE_INFINITY, count: 5 },
      ],
    });
    expect(histogramShareAtOrBelow(detect, 0.001)).toBe(0.8);
  });

  it("adds counters up by the chosen labels", () => {
    const samples = parsePromText(text);
    expect(promCounterBy(samples, "polysync_rpc_reconnects_total", { provider: "quicknode" }, ["reason"])).toEqual({ stalled: 2, closed: 1 });
    expect(promCounterBy(samples, "polysync_rpc_reconnects_total", {}, ["provider", "reason"])).toEqual({
      "quicknode/stalled": 2,
      "quicknode/closed": 1,
      "alchemy/stalled": 0,
    });
  });
});

describe("pause statistics", () => {
  const span = { atMs: 1000, ms: 1000 };

  it("treats intervals as half-open: touching is not overlapping", () => {
    expect(overlaps({ atMs: 0, ms: 1 }, { atMs: 1, ms: 1 })).toBe(false);
    expect(overlaps({ atMs: 0, ms: 1.001 }, { atMs: 1, ms: 1 })).toBe(true);
    // Containment either way round.
    expect(overlaps({ atMs: 0, ms: 10 }, { atMs: 4, ms: 1 })).toBe(true);
    expect(overlaps({ atMs: 4, ms: 1 }, { atMs: 0, ms: 10 })).toBe(true);
  });

  it("counts pauses strictly longer than each threshold and adds up their time", () => {
    const pauses = [0.6, 1, 1.5, 2, 5.4].map((ms, i) => ({ atMs: i * 100, ms }));
    expect(summarizePauses(pauses, [0.5, 1, 2])).toEqual({
      longerThan: [
        { ms: 0.5, count: 5 },
        { ms: 1, count: 3 },
        { ms: 2, count: 1 },
      ],
      maxMs: 5.4,
      totalMs: 10.5,
    });
    expect(summarizePauses([], [1])).toEqual({ longerThan: [{ ms: 1, count: 0 }], maxMs: undefined, totalMs: 0 });
  });

  it("counts windows overlapping a pause, skipping windows that do not fit inside the span", () => {
    const pauses = [
      { atMs: 1102, ms: 2 },
      { atMs: 1504.9, ms: 1 },
    ];
    // Overlapping: 1100 (pause inside), 1103.9 (pause's tail), 1500 (pause starts in the last 0.1 ms). Touching only:
    // 1097 (ends as the pause starts), 1104 (starts as it ends). Outside the span, so not windows at all: 990, 1996.
    const starts = [1100, 1103.9, 1500, 1097, 1104, 990, 1996];
    expect(windowsWithPause(starts, 5, pauses, span)).toEqual({ windows: 5, withPause: 3 });
    expect(windowsWithPause([], 5, pauses, span)).toEqual({ windows: 0, withPause: 0 });
  });

  it("gives the exact chance that a randomly placed window overlaps a pause", () => {
    // One 2 ms pause: windows starting in (pause − 0.5, pause end) overlap it: 2.5 ms of 999.5 ms of possible starts.
    expect(overlapChance([{ atMs: 1500, ms: 2 }], 0.5, span)).toBeCloseTo(2.5 / 999.5, 12);
    // Two pauses 0.2 ms apart: their ranges merge, the gap between them is not counted twice.
    expect(overlapChance([{ atMs: 1500, ms: 1 }, { atMs: 1501.2, ms: 1 }], 0.5, span)).toBeCloseTo(2.7 / 999.5, 12);
    // A pause at the very start is clipped to the span.
    expect(overlapChance([{ atMs: 999, ms: 2 }], 0.5, span)).toBeCloseTo(1 / 999.5, 12);
    expect(overlapChance([], 0.5, span)).toBe(0);
    expect(overlapChance([{ atMs: 1000, ms: 1 }], 2000, span)).toBeUndefined();
  });

  it("gives a Wilson interval that brackets k/n, stays within [0, 1] and is not empty at k = 0", () => {
    // Reference values (e.g. statsmodels proportion_confint(2, 30, method="wilson")): 0.01848, 0.21324.
    const { low, high } = wilsonInterval(2, 30)!;
    expect(low).toBeCloseTo(0.01848, 4);
    expect(high).toBeCloseTo(0.21324, 4);
    const zero = wilsonInterval(0, 30)!;
    expect(zero.low).toBe(0);
    expect(zero.high).toBeGreaterThan(0.1);
    expect(wilsonInterval(30, 30)!.high).toBe(1);
    expect(wilsonInterval(0, 0)).toBeUndefined();
    expect(() => wilsonInterval(3, 2)).toThrow(/0 ≤ k ≤ n/);
  });
});
