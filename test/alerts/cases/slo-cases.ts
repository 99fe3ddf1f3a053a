/**
 * SLO scenarios. `sliCases`: per SLO, a region burning its whole budget fires page and ticket, and a region within
 * budget full of traps for a wrong selector (the neighbouring buckets, another stage, excluded outcomes, one listener
 * of two not ready) stays quiet. `windowCases`: the multiwindow logic, which every SLO shares, on one SLO over six
 * hours.
 */
import {
  COPY_MILESTONES,
  EXECUTOR_METRICS,
  EXECUTOR_STAGES,
  LATENCY_BUCKETS_SECONDS,
  LISTENER_METRICS,
  LISTENER_STAGES,
} from "../../../services/metrics/catalogue";
import { num } from "../../../alerts/promql";
import {
  SLOS,
  errorBudget,
  errorBudgetRemainingExpr,
  sloById,
  type LatencySli,
  type OutcomeSli,
  type Slo,
} from "../../../alerts/slos";
import type { Severity } from "../../../alerts/jobs";
import { sloAlertName } from "../../../alerts/slo-rules";
import { counter, ENV, gauge, target, type Clock, type Sample, type Series } from "../series";
import type { ExpectedAlert, ExpressionCheck, RuleRef, Scenario, TestGroup } from "../promtool-tests";

/** Events per minute: large enough that every bad share in these cases is a whole number of events. */
const PER_MINUTE = 1000;

/** An SLI's traffic: events per clock step, and the share of them that is bad in the step ending at minute t. */
interface Traffic {
  clock: Clock;
  badShare: (minute: number) => number;
}

const eventsPerStep = (clock: Clock) => PER_MINUTE * clock.step;

function badEvents({ clock, badShare }: Traffic, t: number): number {
  const exact = eventsPerStep(clock) * badShare(t);
  const n = Math.round(exact);
  if (Math.abs(n - exact) > 1e-9) throw new Error(`bad share ${badShare(t)} is not a whole number of events`);
  return n;
}

const OTHER_VALUES: Record<string, readonly string[]> = {
  [LISTENER_METRICS.stageDuration.name]: LISTENER_STAGES,
  [EXECUTOR_METRICS.stageDuration.name]: EXECUTOR_STAGES,
  [EXECUTOR_METRICS.copyLatency.name]: COPY_MILESTONES,
};

function latencySeries(sli: LatencySli, region: string, traffic: Traffic): Series[] {
  const { clock } = traffic;
  const all = counter(clock, () => eventsPerStep(clock));
  const none = counter(clock, () => 0);
  const name = sli.histogram.name;
  const labels = {
    ...target(region, name === LISTENER_METRICS.stageDuration.name ? "listener" : "executor", "host-1"),
    ...sli.matchers,
  };
  const i = LATENCY_BUCKETS_SECONDS.indexOf(sli.thresholdSeconds);
  // Every observation lies above the bucket below the threshold and below the one above it: a rule reading either
  // neighbour instead of `le` = threshold sees 100 % or 0 % bad.
  const buckets: Array<[string, Sample[]]> = [
    [String(LATENCY_BUCKETS_SECONDS[i - 1]), none],
    [String(sli.thresholdSeconds), counter(clock, (t) => eventsPerStep(clock) - badEvents(traffic, t))],
    [String(LATENCY_BUCKETS_SECONDS[i + 1]), all],
    ["+Inf", all],
  ];
  const [label, value] = Object.entries(sli.matchers)[0];
  const decoy = { ...labels, [label]: OTHER_VALUES[name].find((v) => v !== value)! };
  return [
    { metric: `${name}_count`, labels, values: all },
    ...buckets.map(([le, values]) => ({ metric: `${name}_bucket`, labels: { ...labels, le }, values })),
    // Another stage (or milestone) of the same histogram, all of it slow: must not count.
    { metric: `${name}_count`, labels: decoy, values: all },
    { metric: `${name}_bucket`, labels: { ...decoy, le: String(sli.thresholdSeconds) }, values: none },
  ];
}

function outcomeSeries(sli: OutcomeSli, region: string, traffic: Traffic): Series[] {
  const { clock } = traffic;
  const labels = target(region, "executor", "host-1");
  const outcome = (name: string, perStep: (t: number) => number): Series => ({
    metric: sli.counter.name,
    labels: { ...labels, outcome: name },
    values: counter(clock, perStep),
  });
  const all = eventsPerStep(clock);
  const good = (t: number) => all - badEvents(traffic, t);
  // Each step's failures are shared out over every bad outcome, so each of them is exercised.
  const share = (t: number, k: number) => {
    const n = badEvents(traffic, t);
    return Math.floor(n / sli.bad.length) + (k < n % sli.bad.length ? 1 : 0);
  };
  return [
    outcome("accepted", good),
    ...sli.bad.map((name, k) => outcome(name, (t) => share(t, k))),
    // Left out of the ratio: a rule counting them either way moves it far from the scenario's share.
    outcome("filled", good),
    outcome("duplicate", () => all),
    outcome("cancelled", () => all / 10),
    outcome("risk_blocked", () => all / 10),
  ];
}

function sliSeries(slo: Slo, region: string, traffic: Traffic): Series[] {
  if (slo.sli.kind === "latency") return latencySeries(slo.sli, region, traffic);
  if (slo.sli.kind === "outcomes") return outcomeSeries(slo.sli, region, traffic);
  throw new Error(`${slo.id}: availability has its own scenarios`);
}

function sloAlert(slo: Slo, region: string, severity: Severity): ExpectedAlert {
  return { alert: sloAlertName(slo), labels: { env: ENV, region, slo: slo.id, severity } };
}

/** A copy-success burn made of every failure outcome includes venue rejections, which have their own alert. */
function sideEffects(slo: Slo, region: string): ExpectedAlert[] {
  if (slo.sli.kind !== "outcomes" || !slo.sli.bad.includes("rejected")) return [];
  return [{ alert: "ExecutorRejections", labels: { env: ENV, region, severity: "ticket" }, value: "100%" }];
}

const pageAndTicket = (slo: Slo): RuleRef[] => [
  { alert: sloAlertName(slo), severity: "page" },
  { alert: sloAlertName(slo), severity: "ticket" },
];

const SLI_CLOCK: Clock = { step: 5, minutes: 60 };

function listenerHosts(
  region: string,
  ready: (host: number, t: number) => Sample,
  up: (t: number) => Sample,
): Series[] {
  return [1, 2].flatMap((host) => [
    {
      metric: LISTENER_METRICS.ready.name,
      labels: target(region, "listener", `listener-${host}`),
      values: gauge(SLI_CLOCK, (t) => ready(host, t)),
    },
    { metric: "up", labels: target(region, "listener", `listener-${host}`), values: gauge(SLI_CLOCK, up) },
  ]);
}

function availabilityScenarios(slo: Slo): Scenario[] {
  const serviceDown = { alert: "ServiceDown", cause: "all_down", severity: "page" };
  return [
    {
      region: "availability-not-ready",
      proves: "both listeners up but neither ready burns the budget",
      series: listenerHosts(
        "availability-not-ready",
        () => 0,
        () => 1,
      ),
      fires: [sloAlert(slo, "availability-not-ready", "page"), sloAlert(slo, "availability-not-ready", "ticket")],
      quiet: [serviceDown],
    },
    {
      region: "availability-down",
      proves: "listeners that stop answering scrapes count as unavailable, not as missing",
      series: listenerHosts(
        "availability-down",
        (_, t) => (t < 5 ? 1 : t === 5 ? "stale" : null),
        (t) => (t < 5 ? 1 : 0),
      ),
      fires: [
        sloAlert(slo, "availability-down", "page"),
        sloAlert(slo, "availability-down", "ticket"),
        {
          alert: "ServiceDown",
          labels: { env: ENV, region: "availability-down", job: "listener", cause: "all_down", severity: "page" },
        },
        ...[1, 2].map((host) => ({
          alert: "ServiceDown",
          labels: {
            ...target("availability-down", "listener", `listener-${host}`),
            cause: "instance_down",
            severity: "ticket",
          },
        })),
      ],
      quiet: [],
    },
    {
      region: "availability-one-ready",
      proves: "the region is available while any one listener is ready",
      series: listenerHosts(
        "availability-one-ready",
        (host) => (host === 1 ? 0 : 1),
        () => 1,
      ),
      fires: [],
      quiet: pageAndTicket(slo),
    },
  ];
}

export function sliCases(): TestGroup {
  const scenarios = SLOS.flatMap((slo): Scenario[] => {
    if (slo.sli.kind === "availability") return availabilityScenarios(slo);
    const burning = `${slo.id.replace(/_/g, "-")}-burning`;
    const within = `${slo.id.replace(/_/g, "-")}-within-budget`;
    return [
      {
        region: burning,
        proves: `every ${slo.id} event bad for an hour fires the page and the ticket`,
        series: sliSeries(slo, burning, { clock: SLI_CLOCK, badShare: () => 1 }),
        fires: [sloAlert(slo, burning, "page"), sloAlert(slo, burning, "ticket"), ...sideEffects(slo, burning)],
        quiet: [],
      },
      {
        region: within,
        proves: `half the budget's error rate, with decoy series around the SLI's, stays quiet`,
        series: sliSeries(slo, within, { clock: SLI_CLOCK, badShare: () => errorBudget(slo) / 2 }),
        fires: [],
        quiet: pageAndTicket(slo),
      },
    ];
  });
  return { name: "SLIs: each SLO burns on its own events only", clock: SLI_CLOCK, scenarios, checks: budgetChecks() };
}

/**
 * The Overview dashboard's budget-left expression, on the regions above: all of a budget spent 100 times over (every
 * event bad) leaves 1 − 1/budget; half the budget's rate leaves half of it. Rounded to 0.001 because promtool compares
 * floats exactly and a ratio of sums of rates is not exact.
 */
function budgetChecks(): ExpressionCheck[] {
  return SLOS.filter((slo) => slo.sli.kind !== "availability").map((slo) => {
    const region = (suffix: string) => `${slo.id.replace(/_/g, "-")}-${suffix}`;
    return {
      expr: `round(${errorBudgetRemainingExpr(slo)}, 0.001)`,
      samples: [
        { labels: { env: ENV, region: region("burning"), slo: slo.id }, value: Number(num(1 - 1 / errorBudget(slo))) },
        { labels: { env: ENV, region: region("within-budget"), slo: slo.id }, value: 0.5 },
      ],
    };
  });
}

/**
 * Six hours and a quarter in 5-minute steps: long enough for every window but 1d and 3d, which then see the whole
 * history. Each step's error ratio is one sample of the base recordings, so the windows' ratios are simple fractions:
 * e.g. the 1h ratio is the mean of 13 steps' shares.
 */
const WINDOW_CLOCK: Clock = { step: 5, minutes: 375 };

export function windowCases(): TestGroup {
  // A latency SLO: its series are only histograms, so no other alert reacts to the scenarios.
  const slo = sloById("execution_latency");
  const budget = errorBudget(slo);
  const scenario = (
    region: string,
    proves: string,
    badShare: (t: number) => number,
    fires: Severity[],
  ): Scenario => ({
    region,
    proves,
    series: sliSeries(slo, region, { clock: WINDOW_CLOCK, badShare }),
    fires: fires.map((severity) => sloAlert(slo, region, severity)),
    quiet: pageAndTicket(slo).filter((ref) => !fires.includes(ref.severity as Severity)),
  });
  const during = (from: number, to: number, share: number) => (t: number) => t > from && t <= to ? share : 0;
  return {
    name: "burn-rate windows (execution latency)",
    clock: WINDOW_CLOCK,
    scenarios: [
      scenario(
        "fast-burn",
        "all bad for the last 15 minutes after 6 healthy hours pages at 14.4× (the ticket is still pending)",
        during(360, 375, 1),
        ["page"],
      ),
      scenario(
        "short-blip",
        "half bad for 5 minutes fills the 5m and 30m windows but not 1h or 6h: no page, no ticket",
        during(370, 375, 0.5),
        [],
      ),
      scenario(
        "medium-burn",
        "8× the budget for 6 hours pages through the 6h/30m pair (below 14.4×) and tickets",
        () => 8 * budget,
        ["page", "ticket"],
      ),
      scenario("slow-burn", "2× the budget for 6 hours: a ticket through the 3d/6h pair, no page", () => 2 * budget, [
        "ticket",
      ]),
      scenario("under-budget", "0.9× the budget for 6 hours: nothing", () => 0.9 * budget, []),
      scenario(
        "recovered",
        "a 15-minute outage that ended 15 minutes ago: the page has reset (5m window), the ticket fires",
        during(345, 360, 1),
        ["ticket"],
      ),
    ],
  };
}
