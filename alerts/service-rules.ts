/** Processes: scrape targets down or gone, and event loops that stall. */
import { LATENCY_BUCKETS_SECONDS, PROCESS_METRICS } from "../services/metrics/catalogue";
import type { AlertingRule, RuleGroup } from "./rule-types";
import { SCRAPE_JOBS, type Severity } from "./jobs";
import { runbookUrl } from "./runbooks";
import { oneOf, selector } from "./promql";

/**
 * A bucket bound, so "p99 above it" is exactly "more than 1 % of the 10 ms timer's ticks fired over 100 ms late", not
 * an interpolation artefact. 100 ms is ten times the timer's period: a loop this late is blocked, not busy.
 */
export const EVENT_LOOP_STALL_SECONDS = 0.1 satisfies (typeof LATENCY_BUCKETS_SECONDS)[number];

const SERVICE_DOWN = runbookUrl("service-down.md");

/**
 * A job gone from a whole region, for the jobs of one severity. One alert name for every way a job can be missing
 * (told apart by `cause`), so Alertmanager's inhibition (a page silences the tickets of the same alert name and
 * region) leaves one notification when a region goes down.
 */
function regionDown(severity: Severity, jobs: readonly string[]): AlertingRule[] {
  const up = selector("up", { job: oneOf(jobs) });
  return [
    {
      alert: "ServiceDown",
      expr: `max by (env, region, job) (${up}) == 0`,
      for: "2m",
      labels: { severity, cause: "all_down" },
      annotations: {
        summary: "Every {{ $labels.job }} instance in {{ $labels.region }} is down",
        description: "Every {{ $labels.job }} target in {{ $labels.region }} has failed its scrapes for 2 minutes.",
        runbook_url: SERVICE_DOWN,
      },
    },
    {
      alert: "ServiceDown",
      // Targets come from Hetzner service discovery: a deleted host, or a broken discovery token, leaves no `up` at all.
      expr: `group by (env, region, job) (max_over_time(${up}[1d])) unless group by (env, region, job) (${up})`,
      for: "5m",
      labels: { severity, cause: "undiscovered" },
      annotations: {
        summary: "No {{ $labels.job }} target is discovered in {{ $labels.region }} any more",
        description:
          "{{ $labels.job }} was scraped in {{ $labels.region }} within the last day, but service discovery has found " +
          "no {{ $labels.job }} host there for 5 minutes. (The alert ends a day after the last scrape.)",
        runbook_url: SERVICE_DOWN,
      },
    },
  ];
}

const instanceDown: AlertingRule = {
  alert: "ServiceDown",
  expr: `${selector("up", { job: oneOf(SCRAPE_JOBS.map((j) => j.job)) })} == 0`,
  for: "5m",
  labels: { severity: "ticket", cause: "instance_down" },
  annotations: {
    summary: "{{ $labels.job }} on {{ $labels.instance }} is down",
    description:
      "{{ $labels.instance }} ({{ $labels.region }}) has failed its scrapes for 5 minutes; the region's other " +
      "{{ $labels.job }} instances carry on without a spare.",
    runbook_url: SERVICE_DOWN,
  },
};

const eventLoopStalled: AlertingRule = {
  alert: "EventLoopStalled",
  expr:
    `histogram_quantile(0.99, sum by (env, region, job, instance, le) (rate(${PROCESS_METRICS.eventLoopDelay.name}_bucket[5m])))` +
    ` > ${EVENT_LOOP_STALL_SECONDS}`,
  for: "5m",
  labels: { severity: "ticket" },
  annotations: {
    summary: "{{ $labels.job }} on {{ $labels.instance }}: event loop p99 delay {{ $value | humanizeDuration }}",
    description:
      `More than 1 % of the 10 ms timer's ticks fired over ${EVENT_LOOP_STALL_SECONDS * 1000} ms late for 5 minutes: ` +
      "every fill, intent or order this process handles waits that long on top of its own work.",
    runbook_url: runbookUrl("event-loop-stall.md"),
  },
};

export function serviceRuleGroups(): RuleGroup[] {
  const severities = [...new Set(SCRAPE_JOBS.map((j) => j.severity))];
  const down = severities.flatMap((s) =>
    regionDown(
      s,
      SCRAPE_JOBS.filter((j) => j.severity === s).map((j) => j.job),
    ),
  );
  return [{ name: "services", rules: [...down, instanceDown, eventLoopStalled] }];
}
