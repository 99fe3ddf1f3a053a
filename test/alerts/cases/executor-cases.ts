/** Venue rejection scenarios. Rejections are copy failures too, so the copy-success SLO reacts alongside. */
import { EXECUTOR_METRICS } from "../../../services/metrics/catalogue";
import { REJECTED_RATIO } from "../../../alerts/executor-rules";
import type { Severity } from "../../../alerts/jobs";
import { sloAlertName } from "../../../alerts/slo-rules";
import { sloById } from "../../../alerts/slos";
import { counter, ENV, target, type Clock, type Series } from "../series";
import type { RuleRef, Scenario, TestGroup } from "../promtool-tests";

const CLOCK: Clock = { step: 1, minutes: 30 };
const ANSWERED_PER_MINUTE = 100;

function outcomes(region: string, perMinute: Record<string, number>): Series[] {
  return Object.entries(perMinute).map(([outcome, n]) => ({
    metric: EXECUTOR_METRICS.outcomes.name,
    labels: {
      ...target(region, "executor", "executor-1"),
      outcome,
      reason: outcome === "rejected" ? "venue" : "",
    },
    values: counter(CLOCK, () => n),
  }));
}

const REJECTIONS: RuleRef = { alert: "ExecutorRejections", severity: "ticket" };
const copySuccess = (region: string, severity: Severity) => ({
  alert: sloAlertName(sloById("copy_success")),
  labels: { env: ENV, region, slo: "copy_success", severity },
});

export function executorCases(): TestGroup {
  const justUnder = ANSWERED_PER_MINUTE * REJECTED_RATIO - 1;
  const scenarios: Scenario[] = [
    {
      region: "venue-rejecting",
      proves:
        "half the answered orders rejected for 10 minutes raises a ticket with the share (and burns copy success fast)",
      series: outcomes("venue-rejecting", { accepted: 50, rejected: 50, duplicate: 100 }),
      fires: [
        { alert: REJECTIONS.alert, labels: { env: ENV, region: "venue-rejecting", severity: "ticket" }, value: "50%" },
        copySuccess("venue-rejecting", "page"),
        copySuccess("venue-rejecting", "ticket"),
      ],
      quiet: [],
    },
    {
      region: "venue-rarely-rejecting",
      proves:
        "rejections just under the threshold stay quiet, however many duplicates and skips there are (copy success tickets)",
      series: outcomes("venue-rarely-rejecting", {
        accepted: ANSWERED_PER_MINUTE - justUnder,
        rejected: justUnder,
        duplicate: 1000,
        risk_blocked: 100,
        cancelled: 100,
      }),
      fires: [copySuccess("venue-rarely-rejecting", "ticket")],
      quiet: [REJECTIONS],
    },
  ];
  return { name: "executor", clock: CLOCK, scenarios };
}
