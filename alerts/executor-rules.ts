/**
 * Venue rejections. The copy-success SLO pages on any failure mix; this names the one failure that needs a human
 * even at a low rate: a 4xx is final (the order is never resent), so a rejection reason that keeps recurring (an
 * expired API key, a signature type the venue refuses, a market closed) loses every copy it applies to.
 */
import { EXECUTOR_METRICS, type ExecutorOutcome } from "../services/metrics/catalogue";
import type { RuleGroup } from "./rule-types";
import { runbookUrl } from "./runbooks";
import { num, oneOf, selector } from "./promql";

export const REJECTED_RATIO = 0.05;

/** Outcomes where the venue gave its answer about our order: duplicates and our own skips say nothing about it. */
const ANSWERED: readonly ExecutorOutcome[] = ["accepted", "rejected"];
const REJECTED: ExecutorOutcome = "rejected";

export function executorRuleGroups(): RuleGroup[] {
  const rate = (outcomes: string) =>
    `sum by (env, region) (rate(${selector(EXECUTOR_METRICS.outcomes.name, { outcome: outcomes })}[10m]))`;
  return [
    {
      name: "executor",
      rules: [
        {
          alert: "ExecutorRejections",
          expr: `${rate(REJECTED)} / ${rate(oneOf(ANSWERED))} > ${num(REJECTED_RATIO)}`,
          for: "10m",
          labels: { severity: "ticket" },
          annotations: {
            summary: "The venue rejects {{ $value | humanizePercentage }} of orders from {{ $labels.region }}",
            description:
              `More than ${num(REJECTED_RATIO * 100)} % of the orders the venue answered have been rejected for 10 ` +
              "minutes. A rejection is final: those subscribers did not get the copy.",
            runbook_url: runbookUrl("executor-rejections.md"),
          },
        },
      ],
    },
  ];
}
