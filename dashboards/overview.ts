/**
 * The first dashboard to open: per SLO (alerts/slos.ts) where it stands over its window, how much budget is left and
 * how fast it burns now, then end-to-end copy latency. Everything SLO-shaped is read from the SLO module's recording
 * rules, so the panels and the alerts cannot disagree.
 */
import {
  BURN_RATE_WINDOWS,
  SLOS,
  burnRateExpr,
  errorBudgetRemainingExpr,
  errorRatioSeries,
  type Slo,
} from "../alerts/slos";
import { EXECUTOR_METRICS as E } from "../services/metrics/catalogue";
import { defineDashboard, type Row } from "./define";
import { overRecordings, rate } from "./promql";
import { percentText, percentiles, stat, timeseries, type Step } from "./panels";

/** The short window of each burn-rate alert: what shows whether a burn is still going on. */
const SHORT_WINDOWS = [...new Set(BURN_RATE_WINDOWS.map((w) => w.short))];

/** A dashed line at every alert's burn rate: yellow where it opens a ticket, red where it pages. */
const BURN_RATE_STEPS: Step[] = [
  ["green", null],
  ...[...BURN_RATE_WINDOWS]
    .sort((a, b) => a.burnRate - b.burnRate)
    .map((w): Step => [w.severity === "page" ? "red" : "yellow", w.burnRate]),
];

function sloRow(slo: Slo): Row {
  return {
    title: `SLO: ${slo.title} (${percentText(slo.objective)} over ${slo.window})`,
    panels: [
      stat({
        title: `${slo.title}: SLI over ${slo.window}`,
        description: `${slo.description} Objective ${percentText(slo.objective)} over ${slo.window}; red below it.`,
        unit: "percentunit",
        decimals: 3,
        width: 4,
        height: 6,
        queries: [{ expr: overRecordings(`1 - ${errorRatioSeries(slo, slo.window)}`), legend: "{{region}}" }],
        steps: [
          ["red", null],
          ["green", slo.objective],
        ],
      }),
      stat({
        title: `${slo.title}: error budget left`,
        description: `Share of the ${slo.window} error budget not yet spent: 100 % untouched, 0 spent, below 0 overspent. Runbook: runbooks/${slo.runbook}.`,
        unit: "percentunit",
        decimals: 1,
        width: 4,
        height: 6,
        queries: [{ expr: overRecordings(errorBudgetRemainingExpr(slo)), legend: "{{region}}" }],
        steps: [
          ["red", null],
          ["orange", 0],
          ["green", 0.25],
        ],
      }),
      timeseries({
        title: `${slo.title}: burn rate over the alerts' short windows`,
        description:
          "How fast the budget is being spent: 1× lasts exactly the SLO window. Dashed lines are the alert thresholds (red pages, yellow opens a ticket); an alert needs its long window above the line too.",
        unit: "suffix:×",
        width: 16,
        height: 6,
        steps: BURN_RATE_STEPS,
        queries: SHORT_WINDOWS.map((w) => ({
          expr: overRecordings(burnRateExpr(slo, w)),
          legend: `{{region}} ${w}`,
        })),
      }),
    ],
  };
}

export const overviewDashboard = defineDashboard({
  uid: "polysync-overview",
  title: "Poly Syncer / Overview",
  description: "Service level objectives per region: where each stands, how much error budget is left and how fast it burns; end-to-end copy latency.",
  rows: [
    ...SLOS.map(sloRow),
    {
      title: "End to end",
      panels: [
        timeseries({
          title: "Copy latency: leader fill first seen → subscriber order accepted / filled (p50, p99, max)",
          description: "What subscribers experience. accepted = their order accepted by the venue; filled = their fill mined.",
          unit: "s",
          queries: percentiles(E.copyLatency, { by: ["region", "milestone"] }, "{{region}} {{milestone}}"),
        }),
        timeseries({
          title: "Intents /s, by outcome",
          description: "What became of each intent. accepted and duplicate are normal; stale, rejected, venue_error and invalid spend the copy-success budget.",
          unit: "cps",
          queries: [{ expr: rate(E.outcomes, { by: ["region", "outcome"] }), legend: "{{region}} {{outcome}}" }],
        }),
      ],
    },
  ],
});
