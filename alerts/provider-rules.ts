/**
 * RPC provider alerts. Per-provider trouble comes from the latency exporter, which probes every provider
 * independently of the listener (so "is it the provider?" has an answer even when the listener is the problem); a
 * single degraded provider is a ticket because the listener routes around it on its own. The region-wide alert comes
 * from the listener's own view, because that is what decides whether fills are detected.
 */
import { LATENCY_EXPORTER_METRICS, LISTENER_METRICS, PROBE_METHODS } from "../services/metrics/catalogue";
import type { AlertingRule, RuleGroup } from "./rule-types";
import { runbookUrl } from "./runbooks";
import { num, oneOf, selector } from "./promql";

/** 6 s at Polygon's 2 s blocks: past the listener's own stall detection (2.5 block times), so not a passing hiccup. */
export const PROVIDER_HEAD_LAG_BLOCKS = 3;
/** Failed probe requests per request sent; a provider this bad costs hedges and circuit-breaker trips. */
export const PROVIDER_ERROR_RATIO = 0.05;

const BY_PROVIDER = "env, region, provider";
const probe = LATENCY_EXPORTER_METRICS;

const headLag: AlertingRule = {
  alert: "RpcProviderHeadLag",
  // min over exporter instances: every probe sees the provider behind, so it is the provider, not one probe's socket.
  expr: `min by (${BY_PROVIDER}) (${probe.headLagBlocks.name}) >= ${PROVIDER_HEAD_LAG_BLOCKS}`,
  for: "5m",
  labels: { severity: "ticket" },
  annotations: {
    summary: "RPC provider {{ $labels.provider }} is {{ $value }} blocks behind in {{ $labels.region }}",
    description:
      `The latency exporter has seen {{ $labels.provider }} at least ${PROVIDER_HEAD_LAG_BLOCKS} blocks behind the best ` +
      "provider for 5 minutes. The listener routes around a lagging provider; the region has one spare fewer.",
    runbook_url: runbookUrl("rpc-provider-head-lag.md"),
  },
};

const errorRate: AlertingRule = {
  alert: "RpcProviderErrorRate",
  // Subscription failures have no request to divide by: only the probed request methods enter the ratio.
  expr:
    `sum by (${BY_PROVIDER}) (rate(${selector(probe.errors.name, { method: oneOf(PROBE_METHODS) })}[5m]))` +
    ` / sum by (${BY_PROVIDER}) (rate(${probe.requests.name}[5m])) > ${num(PROVIDER_ERROR_RATIO)}`,
  for: "5m",
  labels: { severity: "ticket" },
  annotations: {
    summary:
      "RPC provider {{ $labels.provider }} fails {{ $value | humanizePercentage }} of requests in {{ $labels.region }}",
    description:
      `More than ${num(
        PROVIDER_ERROR_RATIO * 100,
      )} % of the latency exporter's requests to {{ $labels.provider }} have ` +
      "failed for 5 minutes. The listener's hedging and circuit breaker route around it, at a cost in latency.",
    runbook_url: runbookUrl("rpc-provider-errors.md"),
  },
};

const wrongChain: AlertingRule = {
  alert: "RpcProviderWrongChain",
  expr:
    `max by (${BY_PROVIDER}) (${probe.wrongChain.name}) == 1` +
    ` or max by (${BY_PROVIDER}) (${selector(LISTENER_METRICS.providerState.name, { state: "wrong_chain" })}) == 1`,
  for: "1m",
  labels: { severity: "ticket" },
  annotations: {
    summary: "RPC provider {{ $labels.provider }} serves another chain in {{ $labels.region }}",
    description:
      "{{ $labels.provider }} answers eth_chainId with another chain (seen by the latency exporter or a listener). " +
      "The listener excludes it, so nothing wrong is copied; the region has one provider fewer.",
    runbook_url: runbookUrl("rpc-provider-wrong-chain.md"),
  },
};

const allDegraded: AlertingRule = {
  alert: "RpcAllProvidersDegraded",
  // max over listeners and providers: page only when no listener of the region has a single healthy provider.
  expr: `max by (env, region) (${selector(LISTENER_METRICS.providerState.name, { state: "healthy" })}) == 0`,
  for: "1m",
  labels: { severity: "page" },
  annotations: {
    summary: "No listener in {{ $labels.region }} has a healthy RPC provider",
    description:
      "For 1 minute every provider has been lagging, stalled, open-circuit, on the wrong chain or disconnected on " +
      "every listener of {{ $labels.region }}: the region detects fills late or not at all; other regions still copy.",
    runbook_url: runbookUrl("rpc-all-providers-degraded.md"),
  },
};

export function providerRuleGroups(): RuleGroup[] {
  return [{ name: "rpc-providers", rules: [headLag, errorRate, wrongChain, allDegraded] }];
}
