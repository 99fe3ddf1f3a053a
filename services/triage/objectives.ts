/** The SLOs triage compares against, taken from the one SLO module so the report and the alerts agree. */
import { SLOS, type SloId } from "../../alerts/slos";
import type { TriageObjectives } from "./triage";

function latencyObjective(id: SloId, label: string) {
  const slo = SLOS.find((s) => s.id === id);
  if (!slo || slo.sli.kind !== "latency") throw new Error(`alerts/slos.ts has no latency SLO "${id}"`);
  // The report compares p99 with the threshold, which says "met" only for a 99 % objective.
  if (slo.objective !== 0.99) throw new Error(`SLO ${id} has objective ${slo.objective}; triage's report compares p99 and needs 0.99`);
  return { label, thresholdSeconds: slo.sli.thresholdSeconds, objective: slo.objective };
}

export function triageObjectives(): TriageObjectives {
  return {
    copy: latencyObjective("copy_latency", "leader fill first seen → copy accepted"),
    detection: latencyObjective("detection_latency", "fill first seen → intents published"),
  };
}
