/** The executor: how fast intents become accepted orders, where the time goes, and what became of each intent. */
import { BASE_WINDOW, errorRatioSeries, sloById } from "../alerts/slos";
import { EXECUTOR_METRICS as E } from "../services/metrics/catalogue";
import { defineDashboard } from "./define";
import { executorStage } from "./matchers";
import { percentText, percentiles, timeseries } from "./panels";
import { processRow } from "./process";
import { gauge, overRecordings, quantile, rate } from "./promql";

const byRegion = ["region"] as const;
const copySuccess = sloById("copy_success");

export const executorDashboard = defineDashboard({
  uid: "polysync-executor",
  title: "Poly Syncer / Executor",
  description: "Intent → signed order → venue: latency per stage, end-to-end copy latency, outcomes and the executor process.",
  rows: [
    {
      title: "Execution latency",
      panels: [
        timeseries({
          title: "Venue ack: intent built → order accepted (p50, p99, max)",
          description:
            "Stage `venue_ack`, the execution SLI. Intents past the staleness deadline (750 ms by default) are dropped as stale, so a p99 near it means copies are being lost. queue_wait below tells whether they waited on the bus or on us.",
          unit: "s",
          queries: percentiles(E.stageDuration, { by: byRegion, match: [executorStage("venue_ack")] }, "{{region}}"),
        }),
        timeseries({
          title: "Executor stages p99 (queue_wait, risk, sign, journal, submit)",
          description:
            "queue_wait = intent built → executor starts on it (bus + our backlog); sign = build + EIP-712 hash + signature; journal = the durable claim (fdatasync); submit = the venue round trips, retries included.",
          unit: "s",
          queries: [
            {
              expr: quantile(0.99, E.stageDuration, {
                by: [...byRegion, "stage"],
                match: [executorStage("queue_wait", "risk", "sign", "journal", "submit")],
              }),
              legend: "{{region}} {{stage}}",
            },
          ],
        }),
        timeseries({
          title: "On-chain fill: order accepted → subscriber fill mined (p50, p99, max)",
          description: "Stage `onchain_fill`: the venue's matching and settlement, not ours. Seconds are normal; a climb is the venue or the chain.",
          unit: "s",
          queries: percentiles(E.stageDuration, { by: byRegion, match: [executorStage("onchain_fill")] }, "{{region}}"),
        }),
        timeseries({
          title: "Orders in flight, per executor",
          description: "Intents taken from the bus without a final outcome yet. Pinned at the venue bound (venue.maxInFlight) means the venue is the bottleneck.",
          unit: "short",
          queries: [{ expr: gauge("sum", E.inFlight, { by: [...byRegion, "instance"] }), legend: "{{region}} {{instance}}" }],
        }),
      ],
    },
    {
      title: "Copy latency (leader fill first seen → subscriber)",
      panels: [
        timeseries({
          title: "Copy latency by milestone (p50, p99)",
          description: "End to end, from the listener's first sight of the leader's fill: `accepted` = the subscriber's order accepted by the venue, `filled` = the subscriber's fill mined.",
          unit: "s",
          queries: (
            [
              [0.5, "p50"],
              [0.99, "p99"],
            ] as const
          ).map(([q, name]) => ({
            expr: quantile(q, E.copyLatency, { by: [...byRegion, "milestone"] }),
            legend: `{{region}} {{milestone}} ${name}`,
          })),
        }),
        timeseries({
          title: "Copy latency in blocks: leader fill → subscriber fill (p50, p99, max)",
          description: "Blocks between the leader's fill and the subscriber's fill on chain. 1–2 when all is well.",
          unit: "short",
          queries: percentiles(E.copyLatencyBlocks, { by: byRegion }, "{{region}}"),
        }),
      ],
    },
    {
      title: "Outcomes",
      panels: [
        timeseries({
          title: "Intents /s, by outcome and reason",
          description: "accepted, filled (counted again once mined), rejected, stale, duplicate (another region or a redelivery won), risk_blocked, venue_error, cancelled, invalid.",
          unit: "cps",
          width: 8,
          queries: [{ expr: rate(E.outcomes, { by: [...byRegion, "outcome", "reason"] }), legend: "{{region}} {{outcome}} {{reason}}" }],
        }),
        timeseries({
          title: "Copy success (SLO SLI, 5 m windows)",
          description: `${copySuccess.description} The copy_success SLO's own recording (Overview has its budget); objective ${percentText(copySuccess.objective)}. duplicate, cancelled and risk_blocked are correct behaviour and left out.`,
          unit: "percentunit",
          width: 8,
          max: 1,
          steps: [
            ["red", null],
            ["green", copySuccess.objective],
          ],
          queries: [{ expr: overRecordings(`1 - ${errorRatioSeries(copySuccess, BASE_WINDOW)}`), legend: "{{region}}" }],
        }),
        timeseries({
          title: "Venue requests /s, by result",
          description: "Order submissions by result (accepted, duplicate, rejected, unknown); retries count again, so unknown rising means timeouts and resends.",
          unit: "reqps",
          width: 8,
          queries: [{ expr: rate(E.venueRequests, { by: [...byRegion, "result"] }), legend: "{{region}} {{result}}" }],
        }),
      ],
    },
    processRow("executor", E.ready, "bus subscribed and journal open: taking intents"),
  ],
});
