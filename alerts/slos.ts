/**
 * The service level objectives, defined once. The recording rules, the burn-rate alerts (alerts/slo-rules.ts) and the
 * Overview dashboard's SLO panels all derive from this module, so an objective changes in one place.
 *
 * Every SLI is an error ratio per (env, region): regions back each other up (every region executes every intent and
 * the venue keeps one order per hash), so one region burning its budget while the others are fine is a region to
 * drain, not an outage, and that decision needs the region on the alert.
 */
import {
  COPY_MILESTONES,
  EXECUTOR_METRICS,
  EXECUTOR_OUTCOMES,
  EXECUTOR_STAGES,
  LATENCY_BUCKETS_SECONDS,
  LISTENER_METRICS,
  LISTENER_STAGES,
  type ExecutorOutcome,
  type MetricDefinition,
} from "../services/metrics/catalogue";
import { LISTENER_JOB, type Severity } from "./jobs";
import { leLabel, num, oneOf, selector, type Matchers } from "./promql";

/** A latency threshold must be a bucket bound: the SLI counts the observations in the bucket `le` = threshold. */
export type LatencyBucket = (typeof LATENCY_BUCKETS_SECONDS)[number];

/** The labels every SLI is aggregated to; alerts and dashboards select on them. */
export const SLO_LABELS = ["env", "region"] as const;
const BY = `sum by (${SLO_LABELS.join(", ")})`;

export type Window = "5m" | "30m" | "1h" | "2h" | "6h" | "1d" | "3d" | "28d";

/** The budget is accounted over 28 days: four whole weeks, inside production's 30-day Prometheus retention. */
export const SLO_WINDOW = "28d" satisfies Window;

export interface LatencySli {
  kind: "latency";
  /** A histogram from the catalogue and the label values that select the SLI's series. */
  histogram: MetricDefinition;
  matchers: Matchers;
  thresholdSeconds: LatencyBucket;
}

export interface OutcomeSli {
  kind: "outcomes";
  counter: MetricDefinition;
  /** Every outcome of the counter is exactly one of: a success, a failure, or left out of the ratio. */
  good: readonly ExecutorOutcome[];
  bad: readonly ExecutorOutcome[];
  excluded: readonly ExecutorOutcome[];
}

export interface AvailabilitySli {
  kind: "availability";
  /** A 0/1 gauge per instance; the region is available while any instance reports 1. */
  gauge: MetricDefinition;
  /** The scrape job of the instances: an instance that is down counts as 0, not as missing. */
  job: string;
}

export type Sli = LatencySli | OutcomeSli | AvailabilitySli;

export type SloId =
  | "detection_latency"
  | "execution_latency"
  | "copy_latency"
  | "copy_success"
  | "listener_availability";

export interface Slo {
  /** snake_case; names the recording rules and the alerts' `slo` label. */
  id: SloId;
  title: string;
  description: string;
  sli: Sli;
  /** Share of events (or of time, for availability) that must be good over `window`. */
  objective: number;
  window: typeof SLO_WINDOW;
  /** File in runbooks/ for the SLO's burn-rate alerts. */
  runbook: string;
}

const PUBLISHED = "published" satisfies (typeof LISTENER_STAGES)[number];
const VENUE_ACK = "venue_ack" satisfies (typeof EXECUTOR_STAGES)[number];
const ACCEPTED = "accepted" satisfies (typeof COPY_MILESTONES)[number];

/**
 * Copy success: of the intents the executor could act on, the share the venue accepted.
 * - `filled` is left out: it is counted in addition to `accepted` once the fill is mined, so it would count a
 *   success twice.
 * - `duplicate`, `cancelled` and `risk_blocked` are correct behaviour, not failures: another region (or an earlier
 *   attempt) already placed the order; the leader's fill left the canonical chain; the subscriber's limits forbid it.
 *   With every region racing for every order, most of a healthy region's outcomes can be duplicates: counting them
 *   either way would swamp the ratio.
 * - `rejected`, `stale`, `venue_error` and `invalid` are copies the subscriber did not get because of us or the
 *   venue: a 4xx, too slow for the deadline, no answer before the deadline, an intent we could not use.
 */
const COPY_GOOD: readonly ExecutorOutcome[] = ["accepted"];
const COPY_BAD: readonly ExecutorOutcome[] = ["rejected", "stale", "venue_error", "invalid"];
const COPY_EXCLUDED: readonly ExecutorOutcome[] = ["filled", "duplicate", "cancelled", "risk_blocked"];

export const SLOS: readonly Slo[] = [
  {
    id: "detection_latency",
    title: "Detection latency",
    description:
      "Leader fills whose intents were all acknowledged by the bus within 100 ms of the fill's first arrival at any provider.",
    // 100 ms of the executor's 750 ms staleness deadline: the rest is queueing, signing and the venue's round trip.
    sli: {
      kind: "latency",
      histogram: LISTENER_METRICS.stageDuration,
      matchers: { stage: PUBLISHED },
      thresholdSeconds: 0.1,
    },
    objective: 0.99,
    window: SLO_WINDOW,
    runbook: "slo-detection-latency.md",
  },
  {
    id: "execution_latency",
    title: "Execution latency",
    description: "Intents accepted by the venue within 500 ms of the listener building them.",
    // What the staleness deadline (750 ms from first sight) leaves after detection's 100 ms, with margin for the bus.
    sli: {
      kind: "latency",
      histogram: EXECUTOR_METRICS.stageDuration,
      matchers: { stage: VENUE_ACK },
      thresholdSeconds: 0.5,
    },
    objective: 0.99,
    window: SLO_WINDOW,
    runbook: "slo-execution-latency.md",
  },
  {
    id: "copy_latency",
    title: "End-to-end copy latency",
    description: "Copies accepted by the venue within 1 s of the leader's fill first being seen.",
    // The fan-out target (README, Executor): every copy accepted within 1 s of first sight.
    sli: {
      kind: "latency",
      histogram: EXECUTOR_METRICS.copyLatency,
      matchers: { milestone: ACCEPTED },
      thresholdSeconds: 1,
    },
    objective: 0.99,
    window: SLO_WINDOW,
    runbook: "slo-copy-latency.md",
  },
  {
    id: "copy_success",
    title: "Copy success",
    description: "Intents the venue accepted, of those accepted, rejected, stale, lost to venue errors or invalid.",
    sli: {
      kind: "outcomes",
      counter: EXECUTOR_METRICS.outcomes,
      good: COPY_GOOD,
      bad: COPY_BAD,
      excluded: COPY_EXCLUDED,
    },
    objective: 0.99,
    window: SLO_WINDOW,
    runbook: "slo-copy-success.md",
  },
  {
    id: "listener_availability",
    title: "Listener availability",
    description: "Time during which at least one listener of the region has a healthy provider at the chain head.",
    // 99.5 %, not more: every region's listener sees every fill, so one region blind for a few minutes costs
    // redundancy, not copies. 14.4× then pages after about 4 minutes of a whole region blind within the hour.
    sli: { kind: "availability", gauge: LISTENER_METRICS.ready, job: LISTENER_JOB },
    objective: 0.995,
    window: SLO_WINDOW,
    runbook: "slo-listener-availability.md",
  },
];

/**
 * Throws unless a latency threshold is a bucket bound (the type says so at compile time; this holds for values that
 * bypass it) and unless an outcome SLI classifies every executor outcome exactly once, so a new outcome in the
 * catalogue cannot silently fall out of the ratio.
 */
export function assertValidSlo(slo: Slo): void {
  const sli = slo.sli;
  if (sli.kind === "latency" && !(LATENCY_BUCKETS_SECONDS as readonly number[]).includes(sli.thresholdSeconds)) {
    throw new Error(
      `SLO ${slo.id}: threshold ${sli.thresholdSeconds}s is not a bucket bound of LATENCY_BUCKETS_SECONDS`,
    );
  }
  if (sli.kind === "outcomes") {
    const classified = [...sli.good, ...sli.bad, ...sli.excluded];
    const twice = classified.filter((o, i) => classified.indexOf(o) !== i);
    const missing = EXECUTOR_OUTCOMES.filter((o) => !classified.includes(o));
    if (twice.length > 0 || missing.length > 0) {
      throw new Error(
        `SLO ${slo.id}: outcomes classified twice [${twice.join(", ")}], not classified [${missing.join(", ")}]`,
      );
    }
  }
}

SLOS.forEach(assertValidSlo);

export interface BurnRateWindow {
  severity: Severity;
  /** Multiple of the sustainable error rate (1 = the budget lasts exactly the SLO window). */
  burnRate: number;
  /** The long window proves the burn is significant, the short one that it is still going on. */
  long: Window;
  short: Window;
}

/**
 * Multiwindow, multi-burn-rate alerting (Google SRE workbook, ch. 5): 14.4× for 1 h spends 2 % of a 28-day budget
 * (page), 6× for 6 h 5 % (page), 3× for 1 d 10 % (ticket), 1× for 3 d 10 % (ticket).
 */
export const BURN_RATE_WINDOWS: readonly BurnRateWindow[] = [
  { severity: "page", burnRate: 14.4, long: "1h", short: "5m" },
  { severity: "page", burnRate: 6, long: "6h", short: "30m" },
  { severity: "ticket", burnRate: 3, long: "1d", short: "2h" },
  { severity: "ticket", burnRate: 1, long: "3d", short: "6h" },
];

/** Every window an error ratio is recorded for: the alerts' windows, then the SLO window for the budget. */
export const RECORDED_WINDOWS: readonly Window[] = [
  ...new Set<Window>([...BURN_RATE_WINDOWS.flatMap((w) => [w.short, w.long]), SLO_WINDOW]),
];

export function sloById(id: SloId): Slo {
  const slo = SLOS.find((s) => s.id === id);
  if (!slo) throw new Error(`no SLO ${id}`);
  return slo;
}

/** The share of events allowed to be bad: 1 − objective, without the float noise (0.01, not 0.010000000000000009). */
export function errorBudget(slo: Slo): number {
  return Number(num(1 - slo.objective));
}

/**
 * Every SLI is recorded as two per-region series over BASE_WINDOW, labelled `slo="<id>"`: bad events per second and
 * all events per second (for availability: unavailable seconds and seconds). Each window's error ratio is then one
 * rule for all SLOs, a ratio of sums (`sum_over_time` of bad over `sum_over_time` of all, not an average of ratios),
 * and a 28-day ratio reads a few thousand recorded samples per region instead of every raw bucket series.
 */
export const BASE_WINDOW = "5m" satisfies Window;
const SLO_LABEL = "slo";
const BAD_EVENTS_RECORD = `slo:events_bad:rate${BASE_WINDOW}`;
const ALL_EVENTS_RECORD = `slo:events_total:rate${BASE_WINDOW}`;
/** An availability SLI's per-region 0/1 series, which its base recordings average. */
const AVAILABLE_RECORD = "slo:available:max";

/** Name of the recorded error ratio over a window (one series per SLO, env and region). */
export function errorRatioRecord(window: Window): string {
  return `slo:error_ratio:${window}`;
}

/** The recorded error ratio of one SLO over a window, e.g. `slo:error_ratio:1h{slo="copy_success"}`. */
export function errorRatioSeries(slo: Slo, window: Window): string {
  return selector(errorRatioRecord(window), { [SLO_LABEL]: slo.id });
}

export interface SliRecording {
  record: string;
  expr: string;
  labels: Record<typeof SLO_LABEL, SloId>;
}

/** The base recordings of one SLO, in evaluation order (later ones read earlier ones). */
export function sliRecordings(slo: Slo): SliRecording[] {
  const sli = slo.sli;
  const labels = { [SLO_LABEL]: slo.id };
  const rate = (series: string) => `${BY} (rate(${series}[${BASE_WINDOW}]))`;
  const own = (record: string) => selector(record, labels);
  switch (sli.kind) {
    case "latency": {
      const total = rate(selector(`${sli.histogram.name}_count`, sli.matchers));
      const fast = rate(
        selector(`${sli.histogram.name}_bucket`, { ...sli.matchers, le: leLabel(sli.thresholdSeconds) }),
      );
      return [
        { record: ALL_EVENTS_RECORD, expr: total, labels },
        { record: BAD_EVENTS_RECORD, expr: `${total} - ${fast}`, labels },
      ];
    }
    case "outcomes": {
      const total = rate(selector(sli.counter.name, { outcome: oneOf([...sli.good, ...sli.bad]) }));
      return [
        { record: ALL_EVENTS_RECORD, expr: total, labels },
        // No failure yet means no `bad` series at all; `or … * 0` records 0 instead of nothing.
        {
          record: BAD_EVENTS_RECORD,
          expr: `${rate(selector(sli.counter.name, { outcome: oneOf(sli.bad) }))} or ${total} * 0`,
          labels,
        },
      ];
    }
    case "availability":
      return [
        // The best instance's gauge; an instance scraped as down (`up` 0, its gauge gone stale) counts as 0 instead
        // of silently leaving the region's average.
        {
          record: AVAILABLE_RECORD,
          expr: `max by (${SLO_LABELS.join(", ")}) (${sli.gauge.name} or ${selector("up", { job: sli.job })} * 0)`,
          labels,
        },
        { record: ALL_EVENTS_RECORD, expr: `${own(AVAILABLE_RECORD)} * 0 + 1`, labels },
        { record: BAD_EVENTS_RECORD, expr: `1 - avg_over_time(${own(AVAILABLE_RECORD)}[${BASE_WINDOW}])`, labels },
      ];
  }
}

/** The rule recording `errorRatioRecord(window)` for every SLO at once, from the base recordings. */
export function errorRatioExpr(window: Window): string {
  if (window === BASE_WINDOW) return `${BAD_EVENTS_RECORD} / ${ALL_EVENTS_RECORD}`;
  return `sum_over_time(${BAD_EVENTS_RECORD}[${window}]) / sum_over_time(${ALL_EVENTS_RECORD}[${window}])`;
}

/** How fast the SLO's budget is being spent over a window (1 = exactly sustainable), from the recorded ratio. */
export function burnRateExpr(slo: Slo, window: Window): string {
  return `${errorRatioSeries(slo, window)} / ${num(errorBudget(slo))}`;
}

/** Share of the SLO window's error budget left (1 = untouched, 0 = spent, negative = overspent), per region. */
export function errorBudgetRemainingExpr(slo: Slo): string {
  return `1 - ${burnRateExpr(slo, slo.window)}`;
}
