/** Scrape targets down or gone, and stalled event loops. */
import { LATENCY_BUCKETS_SECONDS, PROCESS_METRICS } from "../../../services/metrics/catalogue";
import { counter, ENV, gauge, target, type Clock, type Sample, type Series } from "../series";
import type { ExpectedAlert, RuleRef, Scenario, TestGroup } from "../promtool-tests";

const CLOCK: Clock = { step: 1, minutes: 30 };

function hosts(region: string, job: string, up: Array<(t: number) => Sample>): Series[] {
  return up.map((at, i) => ({
    metric: "up",
    labels: target(region, job, `${job}-${i + 1}`),
    values: gauge(CLOCK, at),
  }));
}

const always = () => 1;
const downFrom = (from: number) => (t: number) => t < from ? 1 : 0;
/** Service discovery dropped the host: Prometheus writes a staleness marker, then nothing. */
const goneFrom =
  (from: number) =>
  (t: number): Sample =>
    t < from ? 1 : t === from ? "stale" : null;

const regionDown = (region: string, job: string, severity: string, cause: string): ExpectedAlert => ({
  alert: "ServiceDown",
  labels: { env: ENV, region, job, cause, severity },
});
const instanceDown = (region: string, job: string, host: number): ExpectedAlert => ({
  alert: "ServiceDown",
  labels: { ...target(region, job, `${job}-${host}`), cause: "instance_down", severity: "ticket" },
});

const PAGE_DOWN: RuleRef = { alert: "ServiceDown", severity: "page", cause: "all_down" };
const TICKET_DOWN: RuleRef = { alert: "ServiceDown", severity: "ticket", cause: "all_down" };
const PAGE_GONE: RuleRef = { alert: "ServiceDown", severity: "page", cause: "undiscovered" };
const TICKET_GONE: RuleRef = { alert: "ServiceDown", severity: "ticket", cause: "undiscovered" };
const INSTANCE: RuleRef = { alert: "ServiceDown", severity: "ticket", cause: "instance_down" };
const STALL: RuleRef = { alert: "EventLoopStalled", severity: "ticket" };

/** The 10 ms timer fires 6,000 times a minute; `lateShare` of the ticks land in (0.15 s, 0.2 s], the rest under 250 µs. */
function eventLoop(region: string, lateShare: number): Series[] {
  const ticks = 6000;
  const late = ticks * lateShare;
  const labels = target(region, "listener", "listener-1");
  const cumulative = (le: number) => (le >= 0.2 ? ticks : le >= 0.00025 ? ticks - late : 0);
  return [...LATENCY_BUCKETS_SECONDS.map((le) => [String(le), cumulative(le)] as const), ["+Inf", ticks] as const].map(
    ([le, n]) => ({
      metric: `${PROCESS_METRICS.eventLoopDelay.name}_bucket`,
      labels: { ...labels, le },
      values: counter(CLOCK, () => n),
    }),
  );
}

export function serviceCases(): TestGroup {
  const scenarios: Scenario[] = [
    {
      region: "executor-region-down",
      proves: "every executor of a region down for 2 minutes pages; each host also tickets (the page inhibits those)",
      series: hosts("executor-region-down", "executor", [downFrom(10), downFrom(10)]),
      fires: [
        regionDown("executor-region-down", "executor", "page", "all_down"),
        instanceDown("executor-region-down", "executor", 1),
        instanceDown("executor-region-down", "executor", 2),
      ],
      quiet: [],
    },
    {
      region: "one-executor-down",
      proves: "one executor of two down is a ticket, not a page",
      series: hosts("one-executor-down", "executor", [downFrom(10), always]),
      fires: [instanceDown("one-executor-down", "executor", 1)],
      quiet: [PAGE_DOWN],
    },
    {
      region: "executors-restarting",
      proves: "both executors failing one scrape (a restart) stay quiet",
      series: hosts("executors-restarting", "executor", [downFrom(29), downFrom(29)]),
      fires: [],
      quiet: [PAGE_DOWN, INSTANCE],
    },
    {
      region: "exporter-region-down",
      proves: "the latency exporter down is a ticket for the region and one for the host",
      series: hosts("exporter-region-down", "latency-exporter", [downFrom(10)]),
      fires: [
        regionDown("exporter-region-down", "latency-exporter", "ticket", "all_down"),
        instanceDown("exporter-region-down", "latency-exporter", 1),
      ],
      quiet: [],
    },
    {
      region: "exporter-up",
      proves: "a running exporter raises nothing",
      series: hosts("exporter-up", "latency-exporter", [always]),
      fires: [],
      quiet: [TICKET_DOWN, TICKET_GONE],
    },
    {
      region: "executors-undiscovered",
      proves: "every executor host of a region dropped by service discovery pages (there is no `up` left to be 0)",
      series: hosts("executors-undiscovered", "executor", [goneFrom(10), goneFrom(10)]),
      fires: [regionDown("executors-undiscovered", "executor", "page", "undiscovered")],
      quiet: [],
    },
    {
      region: "one-executor-undiscovered",
      proves: "one host dropped while the other runs stays quiet",
      series: hosts("one-executor-undiscovered", "executor", [goneFrom(10), always]),
      fires: [],
      quiet: [PAGE_GONE],
    },
    {
      region: "exporter-undiscovered",
      proves: "the exporter dropped by service discovery raises a ticket",
      series: hosts("exporter-undiscovered", "latency-exporter", [goneFrom(10)]),
      fires: [regionDown("exporter-undiscovered", "latency-exporter", "ticket", "undiscovered")],
      quiet: [],
    },
    {
      region: "event-loop-stalled",
      proves: "every tick over 150 ms late raises a ticket with the p99",
      series: eventLoop("event-loop-stalled", 1),
      fires: [
        {
          alert: STALL.alert,
          labels: {
            env: ENV,
            region: "event-loop-stalled",
            job: "listener",
            instance: "listener-1",
            severity: "ticket",
          },
          value: "199.5ms",
        },
      ],
      quiet: [],
    },
    {
      region: "event-loop-busy",
      proves: "0.5 % of ticks late (under the 1 % a p99 allows) stays quiet",
      series: eventLoop("event-loop-busy", 0.005),
      fires: [],
      quiet: [STALL],
    },
  ];
  return { name: "services", clock: CLOCK, scenarios };
}
