/** The triage report as text for a terminal: numbers first, the verdict last, where the eye lands. */
import { describeCulprit, type Suspect, type TriageReading, type Verdict } from "./verdict";

export interface LatencyObjective {
  /** What the SLO measures, e.g. "leader fill first seen → copy accepted". */
  label: string;
  thresholdSeconds: number;
  /** e.g. 0.99: that share of events within the threshold. */
  objective: number;
}

export interface ReportContext {
  prometheusUrl: string;
  window: string;
  region?: string;
  env?: string;
  regions: string[];
  evaluatedAt: Date;
  copySlo: LatencyObjective;
  detectionSlo: LatencyObjective;
}

export function formatSeconds(seconds: number | undefined): string {
  if (seconds === undefined) return "—";
  if (seconds < 0.001) return `${(seconds * 1e6).toFixed(0)} µs`;
  if (seconds < 1) return `${(seconds * 1000).toFixed(seconds < 0.01 ? 2 : seconds < 0.1 ? 1 : 0)} ms`;
  return `${seconds.toFixed(2)} s`;
}

const percent = (ratio: number | undefined) => (ratio === undefined ? "—" : `${(ratio * 100).toFixed(ratio < 0.1 ? 2 : 1)} %`);

function formatValue(s: Suspect): string {
  if (s.unit === "s") return `${formatSeconds(s.value)} (budget ${formatSeconds(s.budget)})`;
  if (s.unit === "ratio") return `${percent(s.value)} (budget ${percent(s.budget)})`;
  return `${s.value} blocks (budget ${s.budget})`;
}

/** Triage reads p99, and the latency SLOs are 99 % objectives (objectives.ts refuses others): p99 within the threshold ⟺ met. */
function sloLine(slo: LatencyObjective, quantileValue: number | undefined, count?: number): string {
  const target = `${(slo.objective * 100).toFixed(1).replace(/\.0$/, "")} % ≤ ${formatSeconds(slo.thresholdSeconds)}`;
  if (quantileValue === undefined) return `SLO ${target}: no events in the window`;
  const met = quantileValue <= slo.thresholdSeconds;
  return `SLO ${target}: ${met ? "met" : "BREACHED"}${count === undefined ? "" : ` over ${count.toFixed(0)} events`}`;
}

const pad = (s: string, n: number) => (s.length >= n ? `${s} ` : s + " ".repeat(n - s.length));

export function renderReport(reading: TriageReading, verdict: Verdict, ctx: ReportContext): string {
  const lines: string[] = [];
  const scope = [ctx.region ? `region ${ctx.region}` : `all regions (${ctx.regions.join(", ")})`, ctx.env && `env ${ctx.env}`]
    .filter(Boolean)
    .join(", ");
  lines.push(`Poly Syncer triage: ${scope}, last ${ctx.window} (at ${ctx.evaluatedAt.toISOString()}, ${ctx.prometheusUrl})`, "");

  const { copy } = reading;
  lines.push(
    `End to end (${ctx.copySlo.label}): p50 ${formatSeconds(copy.p50Seconds)}, p99 ${formatSeconds(copy.p99Seconds)}; ${sloLine(ctx.copySlo, copy.p99Seconds, copy.count)}`,
  );
  const detection = reading.listenerStagesP99.published;
  lines.push(`Detection (${ctx.detectionSlo.label}): p99 ${formatSeconds(detection)}; ${sloLine(ctx.detectionSlo, detection)}`, "");

  lines.push("Where the time goes (p99 per stage):");
  const arrival = reading.providers.map((p) => `${p.name} ${formatSeconds(p.arrivalLagP99Seconds)}`).join(" · ");
  lines.push(`  RPC    provider arrival lag behind the first: ${arrival || "—"}`);
  const l = reading.listenerStagesP99;
  const e = reading.executorStagesP99;
  lines.push(
    `  us     listener detect ${formatSeconds(l.detect)} · publish ${formatSeconds(l.publish)} | executor queue_wait ${formatSeconds(e.queue_wait)} · risk ${formatSeconds(e.risk)} · sign ${formatSeconds(e.sign)} · journal ${formatSeconds(e.journal)}`,
  );
  lines.push(`  venue  submit ${formatSeconds(e.submit)} · intent → accepted ${formatSeconds(e.venue_ack)} · accepted → filled on chain ${formatSeconds(e.onchain_fill)}`, "");

  lines.push(`${pad("Providers", 14)}${pad("arrival p99", 13)}${pad("probe p99", 12)}${pad("head lag", 10)}${pad("errors", 9)}state`);
  for (const p of reading.providers) {
    lines.push(
      `  ${pad(p.name, 12)}${pad(formatSeconds(p.arrivalLagP99Seconds), 13)}${pad(formatSeconds(p.probeArrivalLagP99Seconds), 12)}${pad(p.headLagBlocksMax === undefined ? "—" : `${p.headLagBlocksMax} blk`, 10)}${pad(percent(p.errorRatio), 9)}${p.state ?? "—"}`,
    );
  }
  if (reading.providers.length === 0) lines.push("  (no provider metrics in the window)");
  lines.push("", `${pad("Processes", 18)}${pad("event loop p99", 16)}GC share`);
  for (const p of reading.processes) lines.push(`  ${pad(p.service, 16)}${pad(formatSeconds(p.eventLoopP99Seconds), 16)}${percent(p.gcShare)}`);
  const outcomes = Object.entries(reading.outcomes).filter(([, n]) => n > 0).map(([o, n]) => `${o} ${n.toFixed(0)}`);
  lines.push("", `Outcomes: ${outcomes.join(" · ") || "none in the window"}`, "");

  const [decisive, ...others] = verdict.suspects;
  lines.push(
    decisive
      ? `VERDICT: ${describeCulprit(verdict.culprit)}: ${decisive.what} ${formatValue(decisive)}`
      : "VERDICT: none: every stage, provider and process is within its triage budget",
  );
  for (const s of others) lines.push(`  also over budget: ${s.what} ${formatValue(s)}`);
  return `${lines.join("\n")}\n`;
}
