/** Runs triage's queries against Prometheus and folds the answers into one reading for the verdict. */
import type { PrometheusApi, Sample } from "./prometheus-api";
import { triageQueries, type TriageQueryName, type TriageScope } from "./queries";
import type { ProcessReading, ProviderReading, TriageReading } from "./verdict";

export class NoDataError extends Error {}

/** NaN (no rate in the window) and missing samples are both "unknown", never zero. */
const finite = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v : undefined);

function byLabel(samples: Sample[], label: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of samples) {
    const key = s.labels[label];
    const value = finite(s.value);
    if (key !== undefined && value !== undefined) out.set(key, Math.max(value, out.get(key) ?? -Infinity));
  }
  return out;
}

const maxOf = (...values: (number | undefined)[]) => {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length > 0 ? Math.max(...known) : undefined;
};

export interface Collected {
  reading: TriageReading;
  regions: string[];
}

export async function collectReading(api: PrometheusApi, scope: TriageScope, atSeconds?: number): Promise<Collected> {
  const queries = triageQueries(scope);
  const names = Object.keys(queries) as TriageQueryName[];
  const answers = await Promise.all(names.map((name) => api.query(queries[name], atSeconds)));
  const r = Object.fromEntries(names.map((name, i) => [name, answers[i]])) as Record<TriageQueryName, Sample[]>;

  const regions = r.regions.map((s) => s.labels.region).filter((x): x is string => x !== undefined).sort();
  if (regions.length === 0) {
    const all = scope.region === undefined && scope.env === undefined ? [] : await api.query(triageQueries({ window: scope.window }).regions, atSeconds);
    const known = all.map((s) => s.labels.region).filter(Boolean).sort();
    const where = [scope.region && `region "${scope.region}"`, scope.env && `env "${scope.env}"`].filter(Boolean).join(" and ") || "any region";
    throw new NoDataError(
      `Prometheus has no scrape targets for ${where}` + (known.length > 0 ? `; regions it has: ${known.join(", ")}` : "; it scrapes no region at all"),
    );
  }

  const arrivalLag = byLabel(r.arrivalLagP99, "provider");
  const probeLag = byLabel(r.probeArrivalLagP99, "provider");
  const headLag = byLabel(r.headLagBlocksMax, "provider");
  const probeHeadLag = byLabel(r.probeHeadLagBlocksMax, "provider");
  const errorRatio = byLabel(r.probeErrorRatio, "provider");
  const listenerErrors = byLabel(r.listenerRpcErrorsPerSecond, "provider");
  const states = new Map(r.providerStateNow.map((s) => [s.labels.provider, s.labels.state]));
  const providerNames = [...new Set([...arrivalLag.keys(), ...probeLag.keys(), ...headLag.keys(), ...probeHeadLag.keys(), ...errorRatio.keys(), ...states.keys()])]
    .filter((x): x is string => x !== undefined)
    .sort();
  const providers: ProviderReading[] = providerNames.map((name) => ({
    name,
    arrivalLagP99Seconds: arrivalLag.get(name),
    probeArrivalLagP99Seconds: probeLag.get(name),
    headLagBlocksMax: maxOf(headLag.get(name), probeHeadLag.get(name)),
    errorRatio: errorRatio.get(name),
    listenerErrorsPerSecond: listenerErrors.get(name),
    state: states.get(name),
  }));

  const eventLoop = byLabel(r.eventLoopP99, "service");
  const gc = byLabel(r.gcShare, "service");
  const processes: ProcessReading[] = [...new Set([...eventLoop.keys(), ...gc.keys()])].sort().map((service) => ({
    service,
    eventLoopP99Seconds: eventLoop.get(service),
    gcShare: gc.get(service),
  }));

  const single = (samples: Sample[]) => finite(samples[0]?.value);
  return {
    regions,
    reading: {
      copy: { p50Seconds: single(r.copyP50), p99Seconds: single(r.copyP99), count: single(r.copyCount) ?? 0 },
      listenerStagesP99: Object.fromEntries(byLabel(r.listenerStagesP99, "stage")),
      executorStagesP99: Object.fromEntries(byLabel(r.executorStagesP99, "stage")),
      providers,
      processes,
      outcomes: Object.fromEntries(byLabel(r.outcomes, "outcome")),
    },
  };
}
