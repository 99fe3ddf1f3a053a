import { ALL_METRICS, LATENCY_BUCKETS_SECONDS, LISTENER_METRICS, NODE_DEFAULT_METRICS, PROCESS_METRICS } from "../../services/metrics/catalogue";
import { histogramQuantile, nearestRank } from "../../services/metrics/quantile";
import { createInstruments, createServiceRegistry } from "../../services/metrics/registry";

describe("metric catalogue", () => {
  it("names every metric once, with the project prefix for our own", () => {
    const names = ALL_METRICS.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    for (const m of [...Object.values(LISTENER_METRICS), ...Object.values(PROCESS_METRICS)]) expect(m.name).toMatch(/^polysync_[a-z_]+$/);
    for (const m of ALL_METRICS.filter((d) => d.type === "counter")) expect(m.name).toMatch(/_total$/);
  });

  it("latency buckets run 100 µs … 5 s, strictly ascending", () => {
    expect(LATENCY_BUCKETS_SECONDS[0]).toBe(0.0001);
    expect(LATENCY_BUCKETS_SECONDS.at(-1)).toBe(5);
    LATENCY_BUCKETS_SECONDS.forEach((b, i) => i > 0 && expect(b).toBeGreaterThan(LATENCY_BUCKETS_SECONDS[i - 1]));
  });

  it("a service registry exports exactly the catalogued names (ours plus the Node defaults dashboards use)", async () => {
    const registry = createServiceRegistry("listener");
    createInstruments(registry, LISTENER_METRICS);
    createInstruments(registry, PROCESS_METRICS);
    const exported = (await registry.getMetricsAsJSON()).map((m) => m.name);
    const catalogued = new Set(ALL_METRICS.map((m) => m.name));
    for (const name of exported.filter((n) => n.startsWith("polysync_"))) expect(catalogued.has(name)).toBe(true);
    for (const m of Object.values(NODE_DEFAULT_METRICS)) expect(exported).toContain(m.name);
    registry.clear();
  });

  it("histogramQuantile interpolates within a bucket like Prometheus", async () => {
    const registry = createServiceRegistry("t");
    const { stageDuration } = createInstruments(registry, { stageDuration: LISTENER_METRICS.stageDuration });
    for (let i = 0; i < 100; i++) stageDuration.observe({ stage: "decode" }, 0.0002);
    stageDuration.observe({ stage: "decode" }, 4);
    const json = (await registry.getMetricsAsJSON()).find((m) => m.name === LISTENER_METRICS.stageDuration.name)!;
    const h = json as Parameters<typeof histogramQuantile>[1];
    expect(histogramQuantile(0.5, h)).toBeCloseTo(0.0001 + 0.00015 * (50.5 / 100), 8);
    expect(histogramQuantile(1, h)).toBeCloseTo(5, 8);
    expect(histogramQuantile(0.5, h, (l) => l.stage === "intent")).toBeUndefined();
    registry.clear();
  });

  it("nearestRank picks an observed sample: the ⌈q·n⌉-th smallest", () => {
    expect(nearestRank([], 0.5)).toBeUndefined();
    expect(nearestRank([5, 1, 3, 2, 4], 0.5)).toBe(3);
    expect(nearestRank([5, 1, 3, 2, 4], 0.99)).toBe(5);
    expect(nearestRank(new Float64Array([9, 7]), 0.5)).toBe(7);
  });
});
