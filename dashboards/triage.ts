/**
 * "Is it us or the RPC?" Latency went up: the columns put our own processing, the providers and the venue side by side
 * on one time axis, so whichever column moved with the symptom is where to look.
 */
import {
  EXECUTOR_METRICS as E,
  LATENCY_EXPORTER_METRICS as X,
  LISTENER_METRICS as L,
  PROCESS_METRICS as P,
} from "../services/metrics/catalogue";
import { defineDashboard } from "./define";
import { arrivalKind, copyMilestone, executorStage, listenerStage } from "./matchers";
import { percentiles, timeseries } from "./panels";
import { gauge, quantile, rate } from "./promql";

const byRegion = ["region"] as const;
const column = 8;

export const triageDashboard = defineDashboard({
  uid: "polysync-triage",
  title: "Poly Syncer / Triage: us or the RPC?",
  description:
    "Latency is up. Left column: our own processing. Middle: the RPC providers. Right: the venue and the bus. The column that moved with the symptom is the cause.",
  rows: [
    {
      title: "Symptom",
      panels: [
        timeseries({
          title: "Detection: first arrival → intents on the bus (p50, p99, max)",
          description: "The listener's detection SLI (stage published). If this moved, compare the columns below.",
          unit: "s",
          queries: percentiles(L.stageDuration, { by: byRegion, match: [listenerStage("published")] }, "{{region}}"),
        }),
        timeseries({
          title: "Copy latency: leader fill first seen → subscriber order accepted (p50, p99, max)",
          description: "End to end, as subscribers feel it.",
          unit: "s",
          queries: percentiles(E.copyLatency, { by: byRegion, match: [copyMilestone("accepted")] }, "{{region}}"),
        }),
      ],
    },
    {
      title: "Us | RPC providers | Venue and bus",
      panels: [
        timeseries({
          title: "US: listener detect stage p99 (first arrival → intents built)",
          description: "Our code on the listener: decode, size, build. Milliseconds at most; if it rose with the symptom, it is us.",
          unit: "s",
          width: column,
          queries: [{ expr: quantile(0.99, L.stageDuration, { by: byRegion, match: [listenerStage("detect")] }), legend: "{{region}}" }],
        }),
        timeseries({
          title: "RPC: log arrival lag behind the first provider p99, by provider (listener)",
          description: "How late each provider delivers the exchange logs relative to the fastest. Detection takes the first, so only all providers lagging together hurts.",
          unit: "s",
          width: column,
          queries: [
            {
              expr: quantile(0.99, L.providerArrivalLag, { by: [...byRegion, "provider"], match: [arrivalKind("log")] }),
              legend: "{{region}} {{provider}}",
            },
          ],
        }),
        timeseries({
          title: "VENUE: executor submit p99 (POST → venue's answer, retries included)",
          description: "The venue's round trips. If this rose and our stages did not, it is the venue.",
          unit: "s",
          width: column,
          queries: [{ expr: quantile(0.99, E.stageDuration, { by: byRegion, match: [executorStage("submit")] }), legend: "{{region}}" }],
        }),
        timeseries({
          title: "US: executor sign and journal p99",
          description: "Our code on the executor: build + sign the order, and the durable claim (fdatasync). A journal climb is the disk.",
          unit: "s",
          width: column,
          queries: [
            {
              expr: quantile(0.99, E.stageDuration, { by: [...byRegion, "stage"], match: [executorStage("sign", "journal")] }),
              legend: "{{region}} {{stage}}",
            },
          ],
        }),
        timeseries({
          title: "RPC: head arrival lag p99, by provider (latency exporter)",
          description: "The independent exporter's view of the same providers: it does not depend on the listener being healthy. If it agrees with the listener's arrival lag, it is the RPC.",
          unit: "s",
          width: column,
          queries: [{ expr: quantile(0.99, X.headArrivalLag, { by: [...byRegion, "provider"] }), legend: "{{region}} {{provider}}" }],
        }),
        timeseries({
          title: "VENUE: venue requests /s, by result",
          description: "unknown = timeouts and resets (resent); rejected = the venue refused the order.",
          unit: "reqps",
          width: column,
          queries: [{ expr: rate(E.venueRequests, { by: [...byRegion, "result"] }), legend: "{{region}} {{result}}" }],
        }),
        timeseries({
          title: "US: event-loop delay p99, per service",
          description: "How late the processes run their callbacks. High here explains high stage latencies: CPU starvation or GC, not the network.",
          unit: "s",
          width: column,
          queries: [{ expr: quantile(0.99, P.eventLoopDelay, { by: [...byRegion, "service"] }), legend: "{{region}} {{service}}" }],
        }),
        timeseries({
          title: "RPC: head lag (blocks), by provider (latency exporter)",
          description: "Providers behind the highest head. Every provider behind at once is the chain or our view of it, not one provider.",
          unit: "short",
          width: column,
          queries: [{ expr: gauge("max", X.headLagBlocks, { by: [...byRegion, "provider"] }), legend: "{{region}} {{provider}}" }],
        }),
        timeseries({
          title: "BUS: listener publish p99 and executor queue_wait p99",
          description: "publish = hand-off to the bus until it acknowledged; queue_wait = intent built until the executor starts on it (the bus plus the executor's backlog).",
          unit: "s",
          width: column,
          queries: [
            { expr: quantile(0.99, L.stageDuration, { by: byRegion, match: [listenerStage("publish")] }), legend: "{{region}} publish" },
            { expr: quantile(0.99, E.stageDuration, { by: byRegion, match: [executorStage("queue_wait")] }), legend: "{{region}} queue_wait" },
          ],
        }),
      ],
    },
  ],
});
