/**
 * The PromQL triage runs, built from the metric catalogue so a renamed metric breaks the build, not the 3 a.m. command.
 * Every query is an instant query over one window ending now, filtered to the chosen region (and env when given).
 */
import {
  EXECUTOR_METRICS,
  LATENCY_EXPORTER_METRICS,
  LISTENER_METRICS,
  NODE_DEFAULT_METRICS,
  PROCESS_METRICS,
} from "../metrics/catalogue";

export interface TriageScope {
  /** A Prometheus duration: 15m, 90s, 1h. */
  window: string;
  /** A region name; undefined = every region. */
  region?: string;
  env?: string;
}

/** Label matchers for the scope, regex-escaped: a region name is data, never a pattern. */
export function scopeMatchers(scope: TriageScope): string {
  const exact = (label: string, value: string | undefined) =>
    value === undefined ? [] : [`${label}="${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`];
  return [...exact("region", scope.region), ...exact("env", scope.env)].join(",");
}

function selector(extra: string, scope: TriageScope): string {
  return `{${[extra, scopeMatchers(scope)].filter(Boolean).join(",")}}`;
}

function quantile(q: number, histogram: string, by: string[], matchers: string, scope: TriageScope): string {
  const groups = ["le", ...by].join(", ");
  return `histogram_quantile(${q}, sum by (${groups}) (rate(${histogram}_bucket${selector(matchers, scope)}[${scope.window}])))`;
}

export function triageQueries(scope: TriageScope) {
  const w = scope.window;
  const copy = EXECUTOR_METRICS.copyLatency.name;
  const probeErrors = LATENCY_EXPORTER_METRICS.errors.name;
  const probeRequests = LATENCY_EXPORTER_METRICS.requests.name;
  return {
    regions: `count by (region) (up${selector("", scope)})`,
    copyP50: quantile(0.5, copy, [], `milestone="accepted"`, scope),
    copyP99: quantile(0.99, copy, [], `milestone="accepted"`, scope),
    copyCount: `sum(increase(${copy}_count${selector(`milestone="accepted"`, scope)}[${w}]))`,
    listenerStagesP99: quantile(0.99, LISTENER_METRICS.stageDuration.name, ["stage"], "", scope),
    executorStagesP99: quantile(0.99, EXECUTOR_METRICS.stageDuration.name, ["stage"], "", scope),
    arrivalLagP99: quantile(0.99, LISTENER_METRICS.providerArrivalLag.name, ["provider", "kind"], "", scope),
    probeArrivalLagP99: quantile(0.99, LATENCY_EXPORTER_METRICS.headArrivalLag.name, ["provider"], "", scope),
    headLagBlocksMax: `max by (provider) (max_over_time(${LISTENER_METRICS.headLagBlocks.name}${selector("", scope)}[${w}]))`,
    probeHeadLagBlocksMax: `max by (provider) (max_over_time(${LATENCY_EXPORTER_METRICS.headLagBlocks.name}${selector("", scope)}[${w}]))`,
    probeErrorRatio: `sum by (provider) (increase(${probeErrors}${selector("", scope)}[${w}])) / sum by (provider) (increase(${probeRequests}${selector("", scope)}[${w}]))`,
    listenerRpcErrorsPerSecond: `sum by (provider) (rate(${LISTENER_METRICS.rpcErrors.name}${selector("", scope)}[${w}]))`,
    providerStateNow: `max by (provider, state) (${LISTENER_METRICS.providerState.name}${selector("", scope)}) == 1`,
    eventLoopP99: quantile(0.99, PROCESS_METRICS.eventLoopDelay.name, ["service"], "", scope),
    gcShare: `sum by (service) (rate(${NODE_DEFAULT_METRICS.gcDuration.name}_sum${selector("", scope)}[${w}]))`,
    outcomes: `sum by (outcome) (increase(${EXECUTOR_METRICS.outcomes.name}${selector("", scope)}[${w}]))`,
  } as const;
}

export type TriageQueryName = keyof ReturnType<typeof triageQueries>;
