/**
 * "Is this slow because of us or because of the RPC?" as a pure function of the numbers triage read. Each part of the
 * copy path has a budget; every reading over its budget is a suspect scored by how far over it is, and the worst
 * suspect is the verdict. The budgets are diagnostic lines, well inside the SLOs: they say where to look first.
 */

export interface ProviderReading {
  name: string;
  /** The listener's arrival lag p99 behind the first provider, worst of heads and logs. */
  arrivalLagP99Seconds?: number;
  /** The latency exporter's head arrival lag p99 behind the fastest provider. */
  probeArrivalLagP99Seconds?: number;
  /** Worst head lag in blocks over the window, of the listener's and the exporter's view. */
  headLagBlocksMax?: number;
  /** Exporter probe failures / probe requests over the window. */
  errorRatio?: number;
  listenerErrorsPerSecond?: number;
  /** The listener's current view of the provider (healthy, stalled, …). */
  state?: string;
}

export interface ProcessReading {
  service: string;
  eventLoopP99Seconds?: number;
  /** Seconds of GC per second of wall time. */
  gcShare?: number;
}

export interface TriageReading {
  copy: { p50Seconds?: number; p99Seconds?: number; count: number };
  listenerStagesP99: Record<string, number>;
  executorStagesP99: Record<string, number>;
  providers: ProviderReading[];
  processes: ProcessReading[];
  outcomes: Record<string, number>;
}

export const TRIAGE_BUDGETS = {
  /** A 50 ms late timer is a stall: longer than the whole detection budget of a fill. */
  eventLoopP99Seconds: 0.05,
  /** Our share of detection (first arrival → intents built); sub-millisecond when healthy. */
  listenerDetectP99Seconds: 0.01,
  /** Each of the executor's own stages (risk, sign, journal). */
  executorStageP99Seconds: 0.05,
  /** Intent built → executor starts on it: grows when the executor cannot keep up. */
  queueWaitP99Seconds: 0.1,
  /** One provider behind the first: a quarter of a second is a provider problem, not jitter. */
  providerArrivalLagP99Seconds: 0.25,
  /** More than one Polygon block (~2 s) behind the best head: the provider serves stale data. */
  providerHeadLagBlocks: 1,
  providerErrorRatio: 0.05,
  /** POST /order round trips, retries included. */
  venueSubmitP99Seconds: 0.5,
  /** venue_error + rejected outcomes over all decided intents. */
  venueFailureRatio: 0.05,
} as const;

export type Culprit =
  | { kind: "us"; part: string }
  | { kind: "provider"; name: string }
  | { kind: "rpc"; names: string[] }
  | { kind: "venue" }
  | { kind: "none" };

export interface Suspect {
  culprit: Culprit;
  /** What was over budget, e.g. "event-loop delay p99 (listener)". */
  what: string;
  value: number;
  budget: number;
  unit: "s" | "blocks" | "ratio";
}

export interface Verdict {
  culprit: Culprit;
  /** The suspect that decided it, then every other reading over budget, worst first. */
  suspects: Suspect[];
}

const excess = (s: Suspect) => s.value / s.budget;

function over(culprit: Culprit, what: string, value: number | undefined, budget: number, unit: Suspect["unit"]): Suspect[] {
  return value !== undefined && Number.isFinite(value) && value > budget ? [{ culprit, what, value, budget, unit }] : [];
}

function providerSuspects(p: ProviderReading): Suspect[] {
  const culprit: Culprit = { kind: "provider", name: p.name };
  const b = TRIAGE_BUDGETS;
  return [
    ...over(culprit, `arrival lag p99 behind the first provider (${p.name}, listener)`, p.arrivalLagP99Seconds, b.providerArrivalLagP99Seconds, "s"),
    ...over(culprit, `head arrival lag p99 behind the fastest provider (${p.name}, exporter)`, p.probeArrivalLagP99Seconds, b.providerArrivalLagP99Seconds, "s"),
    ...over(culprit, `head lag (${p.name})`, p.headLagBlocksMax, b.providerHeadLagBlocks, "blocks"),
    ...over(culprit, `probe error ratio (${p.name})`, p.errorRatio, b.providerErrorRatio, "ratio"),
  ];
}

function ourSuspects(r: TriageReading): Suspect[] {
  const b = TRIAGE_BUDGETS;
  const executorOwn = ["risk", "sign", "journal"].flatMap((stage) =>
    over({ kind: "us", part: "executor" }, `executor ${stage} p99`, r.executorStagesP99[stage], b.executorStageP99Seconds, "s"),
  );
  return [
    ...r.processes.flatMap((p) => over({ kind: "us", part: p.service }, `event-loop delay p99 (${p.service})`, p.eventLoopP99Seconds, b.eventLoopP99Seconds, "s")),
    ...over({ kind: "us", part: "listener" }, "listener detect p99 (first arrival → intents built)", r.listenerStagesP99.detect, b.listenerDetectP99Seconds, "s"),
    ...executorOwn,
    ...over({ kind: "us", part: "executor" }, "executor queue_wait p99 (intent built → executor starts)", r.executorStagesP99.queue_wait, b.queueWaitP99Seconds, "s"),
  ];
}

function venueSuspects(r: TriageReading): Suspect[] {
  const decided = ["accepted", "rejected", "venue_error"].reduce((sum, o) => sum + (r.outcomes[o] ?? 0), 0);
  const failed = (r.outcomes.rejected ?? 0) + (r.outcomes.venue_error ?? 0);
  return [
    ...over({ kind: "venue" }, "venue submit p99 (POST /order, retries included)", r.executorStagesP99.submit, TRIAGE_BUDGETS.venueSubmitP99Seconds, "s"),
    ...over({ kind: "venue" }, "venue failures (rejected + venue_error) / decided", decided > 0 ? failed / decided : undefined, TRIAGE_BUDGETS.venueFailureRatio, "ratio"),
  ];
}

export function decideVerdict(reading: TriageReading): Verdict {
  const perProvider = reading.providers.map((p) => ({ name: p.name, suspects: providerSuspects(p) }));
  const degraded = perProvider.filter((p) => p.suspects.length > 0);
  // Lag is measured against the fastest provider, so one provider can always be "first"; every provider failing its
  // budget on its own terms (errors, head lag) is an RPC-wide problem, not one provider to drain.
  const rpcWide = reading.providers.length > 1 && degraded.length === reading.providers.length;
  const providerSuspectList = degraded.flatMap((p) =>
    rpcWide ? p.suspects.map((s) => ({ ...s, culprit: { kind: "rpc", names: degraded.map((d) => d.name) } as Culprit })) : p.suspects,
  );
  const suspects = [...ourSuspects(reading), ...providerSuspectList, ...venueSuspects(reading)].sort((a, b) => excess(b) - excess(a));
  return { culprit: suspects[0]?.culprit ?? { kind: "none" }, suspects };
}

export function describeCulprit(culprit: Culprit): string {
  switch (culprit.kind) {
    case "us":
      return `us (${culprit.part})`;
    case "provider":
      return `RPC provider ${culprit.name}`;
    case "rpc":
      return `RPC: every provider (${culprit.names.join(", ")})`;
    case "venue":
      return "the venue (order book API)";
    case "none":
      return "none";
  }
}
