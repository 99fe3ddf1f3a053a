/**
 * The RPC providers, seen twice: by the listener (what detection experienced) and by the independent latency exporter
 * (polysync_probe_*), which keeps measuring when the listener is the thing that is broken.
 */
import { LATENCY_EXPORTER_METRICS as X, LISTENER_METRICS as L, type MetricDefinition } from "../services/metrics/catalogue";
import { defineDashboard } from "./define";
import { bucketIncrease, gauge, quantile, rate } from "./promql";
import { heatmap, stateTimeline, timeseries, valueMappings } from "./panels";
import { providerStatePanel } from "./provider-state";

const byProvider = ["region", "provider"] as const;

/** A 0/1 gauge per provider as coloured lanes; `min` across exporter instances so one bad view shows. */
function providerFlag(title: string, description: string, metric: MetricDefinition, zero: string, one: string, oneIsBad = false) {
  const [zeroColour, oneColour] = oneIsBad ? ["green", "red"] : ["red", "green"];
  return stateTimeline({
    title,
    description,
    unit: "none",
    width: 8,
    height: 6,
    queries: [{ expr: gauge(oneIsBad ? "max" : "min", metric, { by: byProvider }), legend: "{{region}} {{provider}}" }],
    mappings: valueMappings([
      [0, zero, zeroColour],
      [1, one, oneColour],
    ]),
  });
}

export const rpcProvidersDashboard = defineDashboard({
  uid: "polysync-rpc-providers",
  title: "Poly Syncer / RPC providers",
  description: "Head lag, arrival lag, request latency, errors and connection health per RPC provider, from the listener and from the latency exporter.",
  rows: [
    {
      title: "Heads",
      panels: [
        timeseries({
          title: "Head lag (blocks), by provider: listener and exporter",
          description:
            "Blocks each provider's head is behind the best head. The listener's and the exporter's views should agree; a provider behind in both is behind, one behind only in the listener's view points at that listener's socket.",
          unit: "short",
          queries: [
            { expr: gauge("max", L.headLagBlocks, { by: byProvider }), legend: "listener {{region}} {{provider}}" },
            { expr: gauge("max", X.headLagBlocks, { by: byProvider }), legend: "exporter {{region}} {{provider}}" },
          ],
        }),
        timeseries({
          title: "newHeads silence (exporter), by provider",
          description: "Seconds since the provider's newHeads subscription last delivered a head. Polygon makes a block every 2 s; a provider silent for several while others advance is silently stalled.",
          unit: "s",
          queries: [{ expr: `time() - ${gauge("min", X.lastHeadSeconds, { by: byProvider })}`, legend: "{{region}} {{provider}}" }],
        }),
        heatmap({
          title: "Head arrival lag behind the fastest provider (exporter, all providers)",
          description: "Every provider's delivery of every new head, by how long after the fastest it came. A healthy set is a dark band near 0 with a thin tail; a second band is a provider that is consistently late.",
          unit: "s",
          queries: [{ expr: bucketIncrease(X.headArrivalLag, { by: [] }), legend: "{{le}}" }],
        }),
        timeseries({
          title: "Head arrival lag (exporter), p50 and p99 by provider",
          description: "The heatmap per provider. Compare with the listener's own arrival lag on the Listener dashboard.",
          unit: "s",
          queries: [
            { expr: quantile(0.5, X.headArrivalLag, { by: byProvider }), legend: "{{region}} {{provider}} p50" },
            { expr: quantile(0.99, X.headArrivalLag, { by: byProvider }), legend: "{{region}} {{provider}} p99" },
          ],
        }),
      ],
    },
    {
      title: "Requests and errors",
      panels: [
        timeseries({
          title: "Probe request round trip p99 (exporter), by provider and method",
          description: "eth_blockNumber, eth_getLogs and eth_getBlockByNumber timed against every provider: the calls the listener's confirmer and poller depend on. Successful answers only.",
          unit: "s",
          queries: [
            { expr: quantile(0.99, X.requestDuration, { by: [...byProvider, "method"] }), legend: "{{region}} {{provider}} {{method}}" },
          ],
        }),
        timeseries({
          title: "Listener HTTP request round trip p99, by provider and method",
          description: "The listener's hedged HTTP requests, successful answers only. Hedging sends the next provider after the first one's recent p95.",
          unit: "s",
          queries: [
            { expr: quantile(0.99, L.requestDuration, { by: [...byProvider, "method"] }), legend: "{{region}} {{provider}} {{method}}" },
          ],
        }),
        timeseries({
          title: "Probe error ratio (exporter), by provider and kind",
          description: "Probe failures per probe request sent, by kind (timeout, http_429, http_5xx, rpc_error, malformed, wrong_chain, network, empty_logs). Subscription failures count in the numerator only.",
          unit: "percentunit",
          queries: [
            {
              expr: `${rate(X.errors, { by: [...byProvider, "kind"] })} / on (region, provider) group_left () ${rate(X.requests, { by: byProvider })}`,
              legend: "{{region}} {{provider}} {{kind}}",
            },
          ],
        }),
        timeseries({
          title: "Listener RPC errors /s, by provider and kind",
          description: "Errors the listener met. http_429 means the provider throttles us (its circuit breaker counts it); empty_logs is a lagging node answering [] for a block it has not seen.",
          unit: "cps",
          queries: [{ expr: rate(L.rpcErrors, { by: [...byProvider, "kind"] }), legend: "{{region}} {{provider}} {{kind}}" }],
        }),
        timeseries({
          title: "Listener hedged requests /s, by winner",
          description: "Requests that sent a hedge leg and which leg answered first. hedge winning often means the primary is slow.",
          unit: "reqps",
          queries: [{ expr: rate(L.hedges, { by: ["region", "winner"] }), legend: "{{region}} {{winner}}" }],
        }),
        timeseries({
          title: "Listener WebSocket reconnects /s, by provider and reason",
          description: "stalled = rebuilt because its head stopped; closed / error = the provider dropped us; wrong_chain = connected to another chain.",
          unit: "cps",
          queries: [{ expr: rate(L.reconnects, { by: [...byProvider, "reason"] }), legend: "{{region}} {{provider}} {{reason}}" }],
        }),
      ],
    },
    {
      title: "Connections",
      panels: [
        providerFlag(
          "WebSocket connected (exporter)",
          "The exporter's socket to each provider is open and on the right chain.",
          X.wsConnected,
          "down",
          "connected",
        ),
        providerFlag(
          "newHeads subscription live (exporter)",
          "The subscription delivers heads while other providers advance; silent = connected but dead, the failure pings do not catch.",
          X.subscriptionLive,
          "silent",
          "live",
        ),
        providerFlag(
          "Wrong chain (exporter)",
          "The provider answered eth_chainId with another chain: it is excluded everywhere, and its operator must be told.",
          X.wrongChain,
          "ok",
          "WRONG CHAIN",
          true,
        ),
        providerStatePanel(),
      ],
    },
  ],
});
