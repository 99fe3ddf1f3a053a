import type { Registry } from "prom-client";
import { EXECUTOR_METRICS, EXECUTOR_STAGES, LISTENER_METRICS, LISTENER_STAGES, PROCESS_METRICS } from "../metrics/catalogue";
import { histogramQuantile, nearestRank } from "../metrics/quantile";
import type { Detector } from "../listener/detector";
import type { LiveStats, RecentFill, RecentOrder } from "./live-stats";

export interface ProviderRow {
  name: string;
  state: string;
  head: string;
  lag: string;
  arrivalP50Ms?: number;
  arrivalP99Ms?: number;
  firstArrivals: number;
  reconnects: number;
  errors: number;
}

export interface Tail {
  n: number;
  p50?: number;
  p99?: number;
  max?: number;
}

export interface ExecutionView {
  outcomes: Record<string, number>;
  stages: { stage: string; p50Ms?: number; p99Ms?: number }[];
  /** From the leader's fill first seen: to the order accepted and to the subscriber's fill mined, in ms and blocks. */
  copy: { acceptedMs: Tail; acceptedBlocks: Tail; filledMs: Tail; filledBlocks: Tail };
  inFlight: number;
  recentOrders: RecentOrder[];
}

export interface ViewModel {
  uptimeS: number;
  blockTimeMs: number;
  bestHead: string;
  lastConfirmed: string;
  providers: ProviderRow[];
  counters: { fills: number; intents: number; skipped: number; cancelled: number; reorgs: number; backfills: number; malformed: number };
  stages: { stage: string; p50Ms?: number; p99Ms?: number }[];
  detection: { n: number; p50Ms?: number; p99Ms?: number; maxMs?: number };
  eventLoopP99Ms?: number;
  recent: RecentFill[];
  execution?: ExecutionView;
  controlUrl: string;
}

/** Reads what the view shows from the listener's own registry, so the view shows exactly what Prometheus would. */
export async function buildViewModel(input: {
  registry: Registry;
  detector: Detector;
  live: LiveStats;
  /** The first region's executor registry; absent when the stack runs without execution. */
  executorRegistry?: Registry;
  startedAtMs: number;
  blockTimeMs: number;
  controlUrl: string;
}): Promise<ViewModel> {
  const metrics = await input.registry.getMetricsAsJSON();
  const byName = new Map(metrics.map((m) => [m.name, m]));
  const sum = (name: string, match: (labels: Record<string, string | number>) => boolean = () => true) =>
    ((byName.get(name) as { values?: { value: number; labels: Record<string, string | number> }[] })?.values ?? [])
      .filter((v) => match(v.labels))
      .reduce((total, v) => total + v.value, 0);
  const histogram = (name: string) => byName.get(name) as Parameters<typeof histogramQuantile>[1];
  const ms = (seconds: number | undefined) => (seconds === undefined ? undefined : seconds * 1000);
  const snapshot = input.detector.snapshot();
  const arrival = histogram(LISTENER_METRICS.providerArrivalLag.name);
  const stage = histogram(LISTENER_METRICS.stageDuration.name);
  return {
    uptimeS: (Date.now() - input.startedAtMs) / 1000,
    blockTimeMs: input.blockTimeMs,
    bestHead: String(snapshot.bestHead ?? "-"),
    lastConfirmed: String(snapshot.lastConfirmed ?? "-"),
    providers: snapshot.providers.map((p) => {
      const mine = (l: Record<string, string | number>) => l.provider === p.name && l.kind === "head";
      return {
        name: p.name,
        state: p.state,
        head: String(p.head ?? "-"),
        lag: p.lagBlocks === undefined ? "-" : String(p.lagBlocks),
        arrivalP50Ms: arrival ? ms(histogramQuantile(0.5, arrival, mine)) : undefined,
        arrivalP99Ms: arrival ? ms(histogramQuantile(0.99, arrival, mine)) : undefined,
        firstArrivals: sum(LISTENER_METRICS.firstArrivals.name, (l) => l.provider === p.name),
        reconnects: sum(LISTENER_METRICS.reconnects.name, (l) => l.provider === p.name),
        errors: sum(LISTENER_METRICS.rpcErrors.name, (l) => l.provider === p.name),
      };
    }),
    counters: {
      fills: sum(LISTENER_METRICS.fills.name),
      intents: sum(LISTENER_METRICS.intents.name, (l) => l.outcome === "published"),
      skipped: sum(LISTENER_METRICS.intents.name, (l) => l.outcome !== "published"),
      cancelled: sum(LISTENER_METRICS.intentsCancelled.name),
      reorgs: sum(LISTENER_METRICS.reorgs.name),
      backfills: sum(LISTENER_METRICS.backfills.name, (l) => l.reason !== "reconcile"),
      malformed: sum(LISTENER_METRICS.malformed.name),
    },
    stages: LISTENER_STAGES.map((s) => ({
      stage: s,
      p50Ms: stage ? ms(histogramQuantile(0.5, stage, (l) => l.stage === s)) : undefined,
      p99Ms: stage ? ms(histogramQuantile(0.99, stage, (l) => l.stage === s)) : undefined,
    })),
    detection: {
      n: input.live.detectionMs.length,
      p50Ms: nearestRank(input.live.detectionMs, 0.5),
      p99Ms: nearestRank(input.live.detectionMs, 0.99),
      maxMs: nearestRank(input.live.detectionMs, 1),
    },
    eventLoopP99Ms: ms(histogramQuantile(0.99, histogram(PROCESS_METRICS.eventLoopDelay.name))),
    recent: input.live.recent,
    ...(input.executorRegistry ? { execution: await executionView(input.executorRegistry, input.live) } : {}),
    controlUrl: input.controlUrl,
  };
}

function tail(samples: readonly number[]): Tail {
  return { n: samples.length, p50: nearestRank(samples, 0.5), p99: nearestRank(samples, 0.99), max: nearestRank(samples, 1) };
}

async function executionView(registry: Registry, live: LiveStats): Promise<ExecutionView> {
  const metrics = new Map((await registry.getMetricsAsJSON()).map((m) => [m.name, m]));
  const stage = metrics.get(EXECUTOR_METRICS.stageDuration.name) as Parameters<typeof histogramQuantile>[1] | undefined;
  const inFlight = (metrics.get(EXECUTOR_METRICS.inFlight.name) as { values?: { value: number }[] } | undefined)?.values?.[0]?.value ?? 0;
  const ms = (seconds: number | undefined) => (seconds === undefined ? undefined : seconds * 1000);
  return {
    outcomes: Object.fromEntries(live.outcomes),
    stages: EXECUTOR_STAGES.map((s) => ({
      stage: s,
      p50Ms: stage ? ms(histogramQuantile(0.5, stage, (l) => l.stage === s)) : undefined,
      p99Ms: stage ? ms(histogramQuantile(0.99, stage, (l) => l.stage === s)) : undefined,
    })),
    copy: {
      acceptedMs: tail(live.copy.acceptedMs),
      acceptedBlocks: tail(live.copy.acceptedBlocks),
      filledMs: tail(live.copy.filledMs),
      filledBlocks: tail(live.copy.filledBlocks),
    },
    inFlight,
    recentOrders: live.orders,
  };
}
