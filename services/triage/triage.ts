/** One triage run: read the window from Prometheus, decide the verdict, render it. */
import { collectReading } from "./collect";
import { PrometheusApi } from "./prometheus-api";
import { renderReport, type LatencyObjective } from "./render";
import type { TriageOptions } from "./args";
import { decideVerdict, describeCulprit, type TriageReading, type Verdict } from "./verdict";

export interface TriageObjectives {
  copy: LatencyObjective;
  detection: LatencyObjective;
}

export interface TriageResult {
  reading: TriageReading;
  verdict: Verdict;
  text: string;
  json: string;
}

export async function runTriage(options: TriageOptions, objectives: TriageObjectives, now: Date = new Date()): Promise<TriageResult> {
  const api = new PrometheusApi({ url: options.prometheusUrl });
  const scope = { window: options.window, region: options.region, env: options.env };
  const { reading, regions } = await collectReading(api, scope, now.getTime() / 1000);
  const verdict = decideVerdict(reading);
  const text = renderReport(reading, verdict, {
    prometheusUrl: options.prometheusUrl,
    window: options.window,
    region: options.region,
    env: options.env,
    regions,
    evaluatedAt: now,
    copySlo: objectives.copy,
    detectionSlo: objectives.detection,
  });
  const json = JSON.stringify({ scope, regions, evaluatedAt: now.toISOString(), verdict: { ...verdict, summary: describeCulprit(verdict.culprit) }, reading }, null, 2);
  return { reading, verdict, text, json };
}
