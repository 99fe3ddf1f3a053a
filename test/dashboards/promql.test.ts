import { EXECUTOR_METRICS, LISTENER_METRICS } from "../../services/metrics/catalogue";
import { bucketIncrease, eq, gauge, oneOf, overRecordings, quantile, rate, selector } from "../../dashboards/promql";

describe("dashboard PromQL helpers", () => {
  it("always filter on the region variable, before any other matcher", () => {
    expect(selector(LISTENER_METRICS.fills, [eq("layout", "v2")])).toBe('polysync_listener_leader_fills_total{region=~"$region", layout="v2"}');
    expect(selector(EXECUTOR_METRICS.stageDuration, [oneOf("stage", ["sign", "journal"])], "_bucket")).toBe(
      'polysync_executor_stage_duration_seconds_bucket{region=~"$region", stage=~"sign|journal"}',
    );
  });

  it("refuse a label the metric does not have, in matchers and in groupings", () => {
    expect(() => selector(LISTENER_METRICS.fills, [eq("layuot", "v2")])).toThrow('polysync_listener_leader_fills_total has no label "layuot"');
    expect(() => rate(LISTENER_METRICS.fills, { by: ["region", "provider"] })).toThrow('has no label "provider"');
    expect(() => quantile(0.99, LISTENER_METRICS.stageDuration, { by: ["stge"] })).toThrow('has no label "stge"');
  });

  it("accept the scrape labels and, on buckets only, le", () => {
    expect(gauge("max", LISTENER_METRICS.ready, { by: ["region", "instance", "service", "job"] })).toContain("max by (region, instance, service, job)");
    expect(bucketIncrease(LISTENER_METRICS.stageDuration, { by: [] })).toMatch(/^sum by \(le\) \(increase\(/);
    expect(() => gauge("max", LISTENER_METRICS.ready, { by: ["le"] })).toThrow('has no label "le"');
  });

  it("refuse functions that do not apply to the metric's type", () => {
    expect(() => rate(LISTENER_METRICS.headLagBlocks, { by: ["region"] })).toThrow("is a gauge");
    expect(() => gauge("max", LISTENER_METRICS.fills, { by: ["region"] })).toThrow("not a gauge");
    expect(() => quantile(0.99, LISTENER_METRICS.fills, { by: ["region"] })).toThrow("suffix");
    expect(() => selector(LISTENER_METRICS.stageDuration)).toThrow("is a histogram");
  });

  it("build a quantile over the rate window, grouped by le first", () => {
    expect(quantile(0.99, EXECUTOR_METRICS.copyLatency, { by: ["region", "milestone"] })).toBe(
      'histogram_quantile(0.99, sum by (le, region, milestone) (rate(polysync_executor_copy_latency_seconds_bucket{region=~"$region"}[$__rate_interval])))',
    );
  });
});

describe("overRecordings", () => {
  it("adds the region filter to every recorded selector, with or without matchers of its own", () => {
    expect(overRecordings('1 - slo:error_ratio:28d{slo="copy_success"} / 0.01')).toBe(
      '1 - slo:error_ratio:28d{region=~"$region", slo="copy_success"} / 0.01',
    );
    expect(overRecordings("sum_over_time(slo:bad:rate5m[1h]) / sum_over_time(slo:total:rate5m[1h])")).toBe(
      'sum_over_time(slo:bad:rate5m{region=~"$region"}[1h]) / sum_over_time(slo:total:rate5m{region=~"$region"}[1h])',
    );
  });

  it("refuses an expression that reads no recorded series", () => {
    expect(() => overRecordings("polysync_listener_ready")).toThrow("no recorded series");
  });
});
