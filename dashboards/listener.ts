/** The listener: how fast fills are detected, which providers deliver first, and what became of each fill. */
import { LISTENER_METRICS as L } from "../services/metrics/catalogue";
import { defineDashboard } from "./define";
import { arrivalKind, listenerStage } from "./matchers";
import { percentiles, timeseries } from "./panels";
import { processRow } from "./process";
import { gauge, quantile, rate } from "./promql";
import { providerStatePanel } from "./provider-state";

const byRegion = ["region"] as const;

export const listenerDashboard = defineDashboard({
  uid: "polysync-listener",
  title: "Poly Syncer / Listener",
  description: "Leader fill detection across the RPC providers, the fills and intents it produced, and the listener process.",
  rows: [
    {
      title: "Detection",
      panels: [
        timeseries({
          title: "Detection: first arrival → intents acknowledged by the bus (p50, p99, max)",
          description:
            "Stage `published`, the detection SLI: from a fill's first arrival at any provider socket until the bus acknowledged every intent it produced. Compare with the detect stage (ours) and publish (the bus's) to see whose share grew.",
          unit: "s",
          queries: percentiles(L.stageDuration, { by: byRegion, match: [listenerStage("published")] }, "{{region}}"),
        }),
        timeseries({
          title: "Detect stage, our code: first arrival → intents built (p50, p99, max)",
          description:
            "Decode, size and build every follower's intent, queueing behind other logs of the same socket read included. Target p99 < 1 ms. If this rises with event-loop delay, the process is starved (CPU, GC).",
          unit: "s",
          queries: percentiles(L.stageDuration, { by: byRegion, match: [listenerStage("detect")] }, "{{region}}"),
        }),
        timeseries({
          title: "Listener stages p99",
          description: "p99 of each per-fill stage: decode, intent (size + build), detect, publish (bus), published (detect + publish).",
          unit: "s",
          width: 24,
          queries: [{ expr: quantile(0.99, L.stageDuration, { by: [...byRegion, "stage"] }), legend: "{{region}} {{stage}}" }],
        }),
      ],
    },
    {
      title: "Providers",
      panels: [
        timeseries({
          title: "Head arrival lag behind the first provider, p99 by provider",
          description:
            "How long after the fastest provider each one delivered the same new head (0 for the first). A provider whose p99 climbs while the others stay flat is the slow one; detection already uses whoever is first.",
          unit: "s",
          queries: [
            {
              expr: quantile(0.99, L.providerArrivalLag, { by: [...byRegion, "provider"], match: [arrivalKind("head")] }),
              legend: "{{region}} {{provider}}",
            },
          ],
        }),
        timeseries({
          title: "Log arrival lag behind the first provider, p99 by provider",
          description: "The same for exchange OrderFilled logs: the arrivals detection actually waits for.",
          unit: "s",
          queries: [
            {
              expr: quantile(0.99, L.providerArrivalLag, { by: [...byRegion, "provider"], match: [arrivalKind("log")] }),
              legend: "{{region}} {{provider}}",
            },
          ],
        }),
        timeseries({
          title: "Share of first arrivals by provider (heads and logs)",
          description:
            "Which provider the listener actually depends on: the share of heads and logs each delivered before every other provider. A provider at 0 contributes nothing to latency, only redundancy.",
          unit: "percentunit",
          max: 1,
          queries: [
            {
              expr: `${rate(L.firstArrivals, { by: [...byRegion, "provider", "kind"] })} / on (region, kind) group_left () ${rate(L.firstArrivals, { by: [...byRegion, "kind"] })}`,
              legend: "{{region}} {{provider}} {{kind}}",
            },
          ],
        }),
        timeseries({
          title: "Head lag behind the best head (blocks), by provider",
          description: "The worst listener's view of how many blocks each provider's head is behind the best head seen. Providers behind a block are never asked for it.",
          unit: "short",
          queries: [{ expr: gauge("max", L.headLagBlocks, { by: [...byRegion, "provider"] }), legend: "{{region}} {{provider}}" }],
        }),
        providerStatePanel(),
      ],
    },
    {
      title: "Fills and intents",
      panels: [
        timeseries({
          title: "Leader fills detected /s, by exchange layout",
          description: "Distinct leader fills (after dedupe across providers). Zero while leaders trade means detection is broken, not quiet.",
          unit: "cps",
          width: 8,
          queries: [{ expr: rate(L.fills, { by: [...byRegion, "layout"] }), legend: "{{region}} {{layout}}" }],
        }),
        timeseries({
          title: "Intents /s, by outcome",
          description: "published, or the sizing policy's skip reason (caps, price bounds, kill switches, minimum order).",
          unit: "cps",
          width: 8,
          queries: [{ expr: rate(L.intents, { by: [...byRegion, "outcome"] }), legend: "{{region}} {{outcome}}" }],
        }),
        timeseries({
          title: "Intents cancelled /s, by reason",
          description: "Cancels sent because the fill left the canonical chain (reorg).",
          unit: "cps",
          width: 8,
          queries: [{ expr: rate(L.intentsCancelled, { by: [...byRegion, "reason"] }), legend: "{{region}} {{reason}}" }],
        }),
      ],
    },
    {
      title: "Chain and confirmer",
      panels: [
        timeseries({
          title: "Confirmer behind the best head (blocks), per listener",
          description:
            "Best trusted head minus the last block whose exchange logs are confirmed complete. A steady climb means the confirmer cannot keep up or every provider refuses the block's logs: fills may be missed until it catches up.",
          unit: "short",
          width: 8,
          queries: [
            {
              expr: `${gauge("max", L.bestHead, { by: [...byRegion, "instance"] })} - ${gauge("max", L.lastProcessedBlock, { by: [...byRegion, "instance"] })}`,
              legend: "{{region}} {{instance}}",
            },
          ],
        }),
        timeseries({
          title: "Blocks confirmed /s",
          description: "Canonical blocks whose logs were confirmed complete; about 0.5/s on Polygon (2 s blocks).",
          unit: "cps",
          width: 8,
          queries: [{ expr: rate(L.blocksProcessed, { by: [...byRegion, "instance"] }), legend: "{{region}} {{instance}}" }],
        }),
        timeseries({
          title: "Exchange logs received /s, by source (before dedupe)",
          description: "Per provider socket, and `backfill` for logs the confirmer fetched itself. Backfill taking a large share means the subscriptions are missing logs.",
          unit: "cps",
          width: 8,
          queries: [{ expr: rate(L.logsReceived, { by: [...byRegion, "source"] }), legend: "{{region}} {{source}}" }],
        }),
        timeseries({
          title: "Backfills /s, by reason",
          description: "Blocks fetched by eth_getLogs outside the subscriptions: gap (a missed block), reconcile, startup, reorg.",
          unit: "cps",
          width: 8,
          queries: [{ expr: rate(L.backfills, { by: [...byRegion, "reason"] }), legend: "{{region}} {{reason}}" }],
        }),
        timeseries({
          title: "Reorgs /s, by how they were noticed",
          description: "head = a header whose parent is not the confirmed block; removed_log = a provider sent `removed: true`.",
          unit: "cps",
          width: 8,
          queries: [{ expr: rate(L.reorgs, { by: [...byRegion, "source"] }), legend: "{{region}} {{source}}" }],
        }),
        timeseries({
          title: "Malformed logs and payloads /s",
          description: "Counted and skipped. Non-zero from one provider points at that provider; from all of them, at our decoder.",
          unit: "cps",
          width: 8,
          queries: [{ expr: rate(L.malformed, { by: [...byRegion, "source", "what"] }), legend: "{{region}} {{source}} {{what}}" }],
        }),
      ],
    },
    processRow("listener", L.ready, "at least one healthy provider is at the best head"),
  ],
});
