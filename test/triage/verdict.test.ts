import { decideVerdict, describeCulprit, TRIAGE_BUDGETS, type TriageReading } from "../../services/triage/verdict";

function healthy(): TriageReading {
  return {
    copy: { p50Seconds: 0.12, p99Seconds: 0.3, count: 200 },
    listenerStagesP99: { detect: 0.0008, publish: 0.004, published: 0.005 },
    executorStagesP99: { queue_wait: 0.004, risk: 0.0002, sign: 0.001, journal: 0.004, submit: 0.05, venue_ack: 0.06 },
    providers: ["alchemy", "drpc", "infura", "quicknode"].map((name) => ({
      name,
      arrivalLagP99Seconds: 0.03,
      probeArrivalLagP99Seconds: 0.02,
      headLagBlocksMax: 0,
      errorRatio: 0,
      state: "healthy",
    })),
    processes: [
      { service: "listener", eventLoopP99Seconds: 0.001, gcShare: 0.002 },
      { service: "executor", eventLoopP99Seconds: 0.002, gcShare: 0.004 },
    ],
    outcomes: { accepted: 200 },
  };
}

describe("triage verdict", () => {
  it("names no culprit when every reading is within budget", () => {
    const verdict = decideVerdict(healthy());
    expect(verdict.culprit).toEqual({ kind: "none" });
    expect(verdict.suspects).toEqual([]);
    expect(describeCulprit(verdict.culprit)).toBe("none");
  });

  it("names the one provider whose arrival lag is over budget, with its number", () => {
    const reading = healthy();
    reading.providers[2]!.arrivalLagP99Seconds = 0.41;
    const verdict = decideVerdict(reading);
    expect(verdict.culprit).toEqual({ kind: "provider", name: "infura" });
    expect(verdict.suspects[0]).toMatchObject({ value: 0.41, budget: TRIAGE_BUDGETS.providerArrivalLagP99Seconds, unit: "s" });
  });

  it("names a provider by head lag or error ratio alone", () => {
    const stale = healthy();
    stale.providers[0]!.headLagBlocksMax = 3;
    expect(decideVerdict(stale).culprit).toEqual({ kind: "provider", name: "alchemy" });
    const erroring = healthy();
    erroring.providers[3]!.errorRatio = 0.4;
    expect(decideVerdict(erroring).culprit).toEqual({ kind: "provider", name: "quicknode" });
  });

  it("calls it RPC-wide when every provider fails its own budget", () => {
    const reading = healthy();
    for (const p of reading.providers) p.errorRatio = 0.2;
    expect(decideVerdict(reading).culprit).toEqual({ kind: "rpc", names: ["alchemy", "drpc", "infura", "quicknode"] });
  });

  it("names our process when its event loop stalls, ahead of a smaller provider excess", () => {
    const reading = healthy();
    reading.processes[0]!.eventLoopP99Seconds = 0.4;
    reading.providers[1]!.arrivalLagP99Seconds = 0.3;
    const verdict = decideVerdict(reading);
    expect(verdict.culprit).toEqual({ kind: "us", part: "listener" });
    expect(verdict.suspects.map((s) => s.culprit.kind)).toEqual(["us", "provider"]);
  });

  it("names the executor when intents queue or its own stages are slow", () => {
    const queued = healthy();
    queued.executorStagesP99.queue_wait = 1.5;
    expect(decideVerdict(queued).culprit).toEqual({ kind: "us", part: "executor" });
    const journal = healthy();
    journal.executorStagesP99.journal = 0.2;
    expect(decideVerdict(journal).culprit).toEqual({ kind: "us", part: "executor" });
  });

  it("names the venue for slow submissions or a high failure ratio", () => {
    const slow = healthy();
    slow.executorStagesP99.submit = 1.2;
    expect(decideVerdict(slow).culprit).toEqual({ kind: "venue" });
    const failing = healthy();
    failing.outcomes = { accepted: 80, venue_error: 15, rejected: 5 };
    expect(decideVerdict(failing).culprit).toEqual({ kind: "venue" });
  });

  it("treats missing and non-finite readings as unknown, never as over budget", () => {
    const reading = healthy();
    reading.providers[0]!.arrivalLagP99Seconds = Number.NaN;
    reading.providers[1]!.arrivalLagP99Seconds = undefined;
    reading.processes[0]!.eventLoopP99Seconds = Number.POSITIVE_INFINITY;
    expect(decideVerdict(reading).culprit).toEqual({ kind: "none" });
  });
});
