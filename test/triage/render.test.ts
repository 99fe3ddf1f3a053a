import { formatSeconds, renderReport, type ReportContext } from "../../services/triage/render";
import { decideVerdict, type TriageReading } from "../../services/triage/verdict";

const CONTEXT: ReportContext = {
  prometheusUrl: "http://prom:9090",
  window: "15m",
  region: "eu-1",
  regions: ["eu-1"],
  evaluatedAt: new Date("2026-11-25T03:00:00Z"),
  copySlo: { label: "fill → accepted", thresholdSeconds: 1, objective: 0.99 },
  detectionSlo: { label: "fill → published", thresholdSeconds: 0.1, objective: 0.99 },
};

function reading(copyP99: number | undefined): TriageReading {
  return {
    copy: { p50Seconds: copyP99 === undefined ? undefined : copyP99 / 4, p99Seconds: copyP99, count: copyP99 === undefined ? 0 : 120 },
    listenerStagesP99: { published: 0.004 },
    executorStagesP99: { submit: 0.9 },
    providers: [{ name: "drpc", arrivalLagP99Seconds: 0.02, headLagBlocksMax: 0, errorRatio: 0.5, state: "open_circuit" }],
    processes: [{ service: "listener", eventLoopP99Seconds: 0.0011, gcShare: 0.012 }],
    outcomes: { accepted: 120, venue_error: 0 },
  };
}

describe("triage report", () => {
  it("formats durations in the unit an on-call engineer reads fastest", () => {
    expect([0.00042, 0.0043, 0.043, 0.43, 4.3, undefined].map(formatSeconds)).toEqual(["420 µs", "4.30 ms", "43.0 ms", "430 ms", "4.30 s", "—"]);
  });

  it("states the SLO as met or breached, ranks the suspects and ends with the verdict", () => {
    const r = reading(1.4);
    const text = renderReport(r, decideVerdict(r), CONTEXT);
    expect(text).toContain("End to end (fill → accepted): p50 350 ms, p99 1.40 s; SLO 99 % ≤ 1.00 s: BREACHED over 120 events");
    expect(text).toContain("Detection (fill → published): p99 4.00 ms; SLO 99 % ≤ 100 ms: met");
    expect(text).toContain("\n  drpc        20.0 ms      —           0 blk     50.0 %   open_circuit\n");
    const tail = text.trimEnd().split("\n").slice(-2);
    expect(tail).toEqual([
      "VERDICT: RPC provider drpc: probe error ratio (drpc) 50.0 % (budget 5.00 %)",
      "  also over budget: venue submit p99 (POST /order, retries included) 900 ms (budget 500 ms)",
    ]);
  });

  it("says when the window holds no copies instead of calling the SLO met", () => {
    const r = reading(undefined);
    expect(renderReport(r, decideVerdict(r), CONTEXT)).toContain("SLO 99 % ≤ 1.00 s: no events in the window");
  });
});
