import { Registry } from "prom-client";
import {
  EXECUTOR_OUTCOMES,
  LATENCY_BUCKETS_SECONDS,
  PROCESS_METRICS,
  type MetricDefinition,
} from "../../services/metrics/catalogue";
import { createInstruments } from "../../services/metrics/registry";
import { leLabel } from "../../alerts/promql";
import { ruleFiles } from "../../alerts/rules";
import { isAlertingRule, type RecordingRule } from "../../alerts/rule-types";
import { EVENT_LOOP_STALL_SECONDS } from "../../alerts/service-rules";
import {
  BURN_RATE_WINDOWS,
  RECORDED_WINDOWS,
  SLOS,
  SLO_WINDOW,
  assertValidSlo,
  burnRateExpr,
  errorBudget,
  errorBudgetRemainingExpr,
  errorRatioRecord,
  errorRatioSeries,
  sloById,
  type Slo,
} from "../../alerts/slos";

const recordings = ruleFiles().flatMap((f) =>
  f.groups.flatMap((g) => g.rules.filter((r): r is RecordingRule => !isAlertingRule(r))),
);

describe("SLO definitions", () => {
  it("put every latency threshold, and the event-loop stall threshold, on a bucket bound", () => {
    const thresholds = SLOS.flatMap((s) => (s.sli.kind === "latency" ? [s.sli.thresholdSeconds] : []));
    expect(thresholds.length).toBe(3);
    for (const t of [...thresholds, EVENT_LOOP_STALL_SECONDS]) expect(LATENCY_BUCKETS_SECONDS).toContain(t);
  });

  it("select the `le` value prom-client writes for the threshold bucket", async () => {
    const exposed = async (histogram: MetricDefinition, labels: Record<string, string>) => {
      const registry = new Registry();
      createInstruments(registry, { histogram }).histogram.observe(labels, 0.001);
      return (await registry.metrics()).split("\n").filter((l) => l.startsWith(`${histogram.name}_bucket{`));
    };
    for (const { sli } of SLOS) {
      if (sli.kind !== "latency") continue;
      const lines = await exposed(sli.histogram, { ...sli.matchers });
      expect(lines.filter((l) => l.includes(`le="${leLabel(sli.thresholdSeconds)}"`))).toHaveLength(1);
    }
    const loop = await exposed(PROCESS_METRICS.eventLoopDelay, {});
    expect(loop.filter((l) => l.includes(`le="${leLabel(EVENT_LOOP_STALL_SECONDS)}"`))).toHaveLength(1);
  });

  it("refuse a threshold between buckets and an executor outcome left unclassified", () => {
    const detection = sloById("detection_latency");
    const offBucket = { ...detection, sli: { ...detection.sli, thresholdSeconds: 0.12 } } as unknown as Slo;
    expect(() => assertValidSlo(offBucket)).toThrow("0.12s is not a bucket bound");
    const success = sloById("copy_success");
    if (success.sli.kind !== "outcomes") throw new Error("copy_success counts outcomes");
    const unclassified = {
      ...success,
      sli: { ...success.sli, excluded: success.sli.excluded.filter((o) => o !== "duplicate") },
    };
    expect(() => assertValidSlo(unclassified)).toThrow("not classified [duplicate]");
  });

  it("classify every executor outcome exactly once for copy success", () => {
    const sli = sloById("copy_success").sli;
    if (sli.kind !== "outcomes") throw new Error("copy_success counts outcomes");
    expect([...sli.good, ...sli.bad, ...sli.excluded].sort()).toEqual([...EXECUTOR_OUTCOMES].sort());
  });

  it("write budgets and burn thresholds without float noise", () => {
    expect(errorBudget(sloById("copy_success"))).toBe(0.01);
    expect(errorBudget(sloById("listener_availability"))).toBe(0.005);
    expect(burnRateExpr(sloById("copy_success"), "1h")).toBe('slo:error_ratio:1h{slo="copy_success"} / 0.01');
    const page = ruleFiles()
      .flatMap((f) => f.groups.flatMap((g) => g.rules))
      .find((r) => isAlertingRule(r) && r.alert === "CopySuccessBudgetBurn" && r.labels.severity === "page")!;
    expect(page.expr).toContain("> 0.144 and");
  });

  it("record the error ratio of every window the alerts and the dashboards read, for every SLO", () => {
    const windows = new Set([...BURN_RATE_WINDOWS.flatMap((w) => [w.long, w.short]), SLO_WINDOW]);
    expect([...RECORDED_WINDOWS].sort()).toEqual([...windows].sort());
    for (const w of RECORDED_WINDOWS) expect(recordings.map((r) => r.record)).toContain(errorRatioRecord(w));
    const perSlo = recordings.filter((r) => r.labels?.slo).map((r) => `${r.labels!.slo} ${r.record}`);
    for (const slo of SLOS) {
      expect(perSlo).toContain(`${slo.id} slo:events_bad:rate5m`);
      expect(perSlo).toContain(`${slo.id} slo:events_total:rate5m`);
    }
  });

  it("name the budget-left series the dashboards plot", () => {
    const slo = sloById("detection_latency");
    expect(errorRatioSeries(slo, "6h")).toBe('slo:error_ratio:6h{slo="detection_latency"}');
    expect(errorBudgetRemainingExpr(slo)).toBe('1 - slo:error_ratio:28d{slo="detection_latency"} / 0.01');
  });
});
