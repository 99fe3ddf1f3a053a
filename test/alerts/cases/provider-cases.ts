/** RPC provider scenarios: one provider's trouble per region, seen by the latency exporter and the listeners. */
import {
  LATENCY_EXPORTER_METRICS,
  LISTENER_METRICS,
  PROBE_METHODS,
  PROVIDER_STATES,
  type ProviderState,
} from "../../../services/metrics/catalogue";
import { PROVIDER_ERROR_RATIO, PROVIDER_HEAD_LAG_BLOCKS } from "../../../alerts/provider-rules";
import { counter, ENV, gauge, target, type Clock, type Sample, type Series } from "../series";
import type { ExpectedAlert, RuleRef, Scenario, TestGroup } from "../promtool-tests";

const CLOCK: Clock = { step: 1, minutes: 30 };
const REQUESTS_PER_METHOD_PER_MINUTE = 20;
const REQUESTS_PER_MINUTE = REQUESTS_PER_METHOD_PER_MINUTE * PROBE_METHODS.length;

interface Probe {
  instance?: string;
  lag?: (t: number) => Sample;
  /** Failed eth_getLogs requests per minute. */
  errorsPerMinute?: number;
  /** Failed newHeads subscriptions per minute: not requests, so not in the ratio. */
  subscriptionErrorsPerMinute?: number;
  wrongChain?: number;
}

function probe(region: string, provider: string, p: Probe = {}): Series[] {
  const labels = { ...target(region, "latency-exporter", p.instance ?? "exporter-1"), provider };
  const m = LATENCY_EXPORTER_METRICS;
  return [
    { metric: m.headLagBlocks.name, labels, values: gauge(CLOCK, p.lag ?? (() => 0)) },
    { metric: m.wrongChain.name, labels, values: gauge(CLOCK, () => p.wrongChain ?? 0) },
    ...PROBE_METHODS.map((method) => ({
      metric: m.requests.name,
      labels: { ...labels, method },
      values: counter(CLOCK, () => REQUESTS_PER_METHOD_PER_MINUTE),
    })),
    {
      metric: m.errors.name,
      labels: { ...labels, method: "eth_getLogs", kind: "timeout" },
      values: counter(CLOCK, () => p.errorsPerMinute ?? 0),
    },
    {
      metric: m.errors.name,
      labels: { ...labels, method: "newHeads", kind: "network" },
      values: counter(CLOCK, () => p.subscriptionErrorsPerMinute ?? 0),
    },
  ];
}

/** A listener's provider_state series for one provider: 1 for `state(t)`, 0 for every other state. */
function listenerView(
  region: string,
  listener: string,
  provider: string,
  state: (t: number) => ProviderState,
): Series[] {
  return PROVIDER_STATES.map((s) => ({
    metric: LISTENER_METRICS.providerState.name,
    labels: { ...target(region, "listener", listener), provider, state: s },
    values: gauge(CLOCK, (t) => (state(t) === s ? 1 : 0)),
  }));
}

const alert = (name: string, region: string, provider: string, value?: string): ExpectedAlert => ({
  alert: name,
  labels: { env: ENV, region, provider, severity: "ticket" },
  ...(value === undefined ? {} : { value }),
});

const HEAD_LAG: RuleRef = { alert: "RpcProviderHeadLag", severity: "ticket" };
const ERROR_RATE: RuleRef = { alert: "RpcProviderErrorRate", severity: "ticket" };
const WRONG_CHAIN: RuleRef = { alert: "RpcProviderWrongChain", severity: "ticket" };
const ALL_DEGRADED: RuleRef = { alert: "RpcAllProvidersDegraded", severity: "page" };

export function providerCases(): TestGroup {
  const lagAbove = PROVIDER_HEAD_LAG_BLOCKS + 2;
  const errorsJustUnder = Math.floor(REQUESTS_PER_MINUTE * PROVIDER_ERROR_RATIO) - 1;
  const scenarios: Scenario[] = [
    {
      region: "provider-behind",
      proves: "a provider behind by more than the threshold for over 5 minutes raises a ticket",
      series: probe("provider-behind", "alchemy", { lag: (t) => (t < 10 ? 0 : lagAbove) }),
      fires: [alert(HEAD_LAG.alert, "provider-behind", "alchemy", String(lagAbove))],
      quiet: [],
    },
    {
      region: "provider-slightly-behind",
      proves: "one block under the threshold stays quiet",
      series: probe("provider-slightly-behind", "alchemy", { lag: () => PROVIDER_HEAD_LAG_BLOCKS - 1 }),
      fires: [],
      quiet: [HEAD_LAG],
    },
    {
      region: "provider-briefly-behind",
      proves: "lag shorter than 5 minutes stays quiet",
      series: probe("provider-briefly-behind", "alchemy", { lag: (t) => (t < 27 ? 0 : lagAbove) }),
      fires: [],
      quiet: [HEAD_LAG],
    },
    {
      region: "provider-behind-for-one-probe",
      proves: "lag only one of two exporters sees is that exporter's problem, not the provider's",
      series: [
        ...probe("provider-behind-for-one-probe", "alchemy", { instance: "exporter-1", lag: () => lagAbove }),
        ...probe("provider-behind-for-one-probe", "alchemy", { instance: "exporter-2" }),
      ],
      fires: [],
      quiet: [HEAD_LAG],
    },
    {
      region: "provider-erroring",
      proves: "half the probe requests failing raises a ticket with the failed share",
      series: probe("provider-erroring", "infura", { errorsPerMinute: REQUESTS_PER_MINUTE / 2 }),
      fires: [alert(ERROR_RATE.alert, "provider-erroring", "infura", "50%")],
      quiet: [],
    },
    {
      region: "provider-few-errors",
      proves: "request errors just under the threshold stay quiet, however many subscriptions fail",
      series: probe("provider-few-errors", "infura", {
        errorsPerMinute: errorsJustUnder,
        subscriptionErrorsPerMinute: 1000,
      }),
      fires: [],
      quiet: [ERROR_RATE],
    },
    {
      region: "provider-wrong-chain-probe",
      proves: "the exporter seeing another chain raises a ticket",
      series: probe("provider-wrong-chain-probe", "drpc", { wrongChain: 1 }),
      fires: [alert(WRONG_CHAIN.alert, "provider-wrong-chain-probe", "drpc")],
      quiet: [],
    },
    {
      region: "provider-wrong-chain-listener",
      proves:
        "one listener seeing another chain raises the same ticket; the other listener's healthy view keeps the page quiet",
      series: [
        ...probe("provider-wrong-chain-listener", "drpc"),
        ...listenerView("provider-wrong-chain-listener", "listener-1", "drpc", () => "wrong_chain"),
        ...listenerView("provider-wrong-chain-listener", "listener-2", "drpc", () => "healthy"),
      ],
      fires: [alert(WRONG_CHAIN.alert, "provider-wrong-chain-listener", "drpc")],
      quiet: [ALL_DEGRADED],
    },
    {
      region: "all-degraded",
      proves: "no listener with a healthy provider for over a minute pages",
      series: [
        ...listenerView("all-degraded", "listener-1", "alchemy", (t) => (t < 20 ? "healthy" : "lagging")),
        ...listenerView("all-degraded", "listener-1", "quicknode", () => "open_circuit"),
        ...listenerView("all-degraded", "listener-2", "alchemy", (t) => (t < 20 ? "healthy" : "stalled")),
        ...listenerView("all-degraded", "listener-2", "quicknode", () => "disconnected"),
      ],
      fires: [{ alert: ALL_DEGRADED.alert, labels: { env: ENV, region: "all-degraded", severity: "page" } }],
      quiet: [],
    },
    {
      region: "one-healthy-provider",
      proves: "one healthy provider on one listener is enough to stay quiet; right-chain providers raise nothing",
      series: [
        ...probe("one-healthy-provider", "alchemy"),
        ...probe("one-healthy-provider", "quicknode"),
        ...listenerView("one-healthy-provider", "listener-1", "alchemy", () => "lagging"),
        ...listenerView("one-healthy-provider", "listener-1", "quicknode", () => "stalled"),
        ...listenerView("one-healthy-provider", "listener-2", "alchemy", () => "lagging"),
        ...listenerView("one-healthy-provider", "listener-2", "quicknode", () => "healthy"),
      ],
      fires: [],
      quiet: [ALL_DEGRADED, WRONG_CHAIN],
    },
  ];
  return { name: "RPC providers", clock: CLOCK, scenarios };
}
