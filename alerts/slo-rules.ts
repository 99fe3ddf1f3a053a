/** Recording rules for every SLO's error ratios and its multiwindow, multi-burn-rate alerts. */
import type { AlertingRule, RuleGroup } from "./rule-types";
import { runbookUrl } from "./runbooks";
import { num } from "./promql";
import {
  BASE_WINDOW,
  BURN_RATE_WINDOWS,
  RECORDED_WINDOWS,
  SLOS,
  SLO_WINDOW,
  errorBudget,
  errorRatioExpr,
  errorRatioRecord,
  errorRatioSeries,
  sliRecordings,
  type BurnRateWindow,
  type Slo,
} from "./slos";

/** `detection_latency` → `DetectionLatencyBudgetBurn`. */
export function sloAlertName(slo: Slo): string {
  return `${slo.id.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase())}BudgetBurn`;
}

/**
 * The base recordings of every SLO, then the windows' ratios over all of them: one group, because a group evaluates
 * its rules in order, so each ratio reads this evaluation's base values.
 */
function recordingGroup(): RuleGroup {
  const windows = RECORDED_WINDOWS.filter((w) => w !== SLO_WINDOW);
  return {
    name: "slo-recordings",
    rules: [
      ...SLOS.flatMap(sliRecordings),
      ...windows.map((w) => ({ record: errorRatioRecord(w), expr: errorRatioExpr(w) })),
    ],
  };
}

/** The budget's window is weeks long: evaluating it every 5 minutes is plenty for a panel and far cheaper. */
function budgetGroup(): RuleGroup {
  return {
    name: "slo-budget",
    interval: BASE_WINDOW,
    rules: [{ record: errorRatioRecord(SLO_WINDOW), expr: errorRatioExpr(SLO_WINDOW) }],
  };
}

const percent = (ratio: number) => `${num(ratio * 100)} %`;

const HOURS_PER_UNIT = { m: 1 / 60, h: 1, d: 24 } as const;

/** How long the whole budget lasts at the alert's burn rate: what makes 14.4× a page and 1× a ticket. */
function exhaustion(slo: Slo, w: BurnRateWindow): string {
  const [, amount, unit] = /^(\d+)([mhd])$/.exec(slo.window)!;
  const hours = (Number(amount) * HOURS_PER_UNIT[unit as keyof typeof HOURS_PER_UNIT]) / w.burnRate;
  return hours < 72 ? `${Math.round(hours)} h` : `${num(Math.round((hours / 24) * 10) / 10)} d`;
}

/** Long enough that a single evaluation's spike does not notify; the ticket has days of budget left to wait on. */
const BURN_ALERT_FOR: Record<BurnRateWindow["severity"], string> = { page: "2m", ticket: "15m" };

/**
 * One rule per severity, its window pairs joined by `or` (SRE workbook form): a page and a ticket of the same SLO share
 * the alert name, so Alertmanager's page inhibits the ticket.
 */
function burnAlert(slo: Slo, severity: BurnRateWindow["severity"]): AlertingRule {
  const windows = BURN_RATE_WINDOWS.filter((w) => w.severity === severity);
  const threshold = (w: BurnRateWindow) => num(w.burnRate * errorBudget(slo));
  const over = (w: BurnRateWindow) =>
    `> ${percent(Number(threshold(w)))} over ${w.long} and ${w.short} (${w.burnRate}×, budget gone in ${exhaustion(
      slo,
      w,
    )})`;
  const bad = slo.sli.kind === "availability" ? "Unavailable time" : "Bad events";
  return {
    alert: sloAlertName(slo),
    expr: windows
      .map(
        (w) =>
          `(${errorRatioSeries(slo, w.long)} > ${threshold(w)} and ${errorRatioSeries(slo, w.short)} > ${threshold(
            w,
          )})`,
      )
      .join(" or "),
    for: BURN_ALERT_FOR[severity],
    labels: { severity },
    annotations: {
      summary: `${slo.title} SLO in {{ $labels.region }}: error budget burning ${
        severity === "page" ? "fast" : "slowly"
      }`,
      description: `Objective ${percent(slo.objective)} over ${slo.window}. ${bad} ${windows.map(over).join(", or ")}.`,
      runbook_url: runbookUrl(slo.runbook),
    },
  };
}

export function sloRuleGroups(): RuleGroup[] {
  const severities = [...new Set(BURN_RATE_WINDOWS.map((w) => w.severity))];
  return [
    recordingGroup(),
    budgetGroup(),
    { name: "slo-alerts", rules: SLOS.flatMap((slo) => severities.map((severity) => burnAlert(slo, severity))) },
  ];
}
