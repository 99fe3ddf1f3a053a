import pino from "pino";
import type { MetricObjectWithValues, MetricValueWithName } from "prom-client";
import { startAnvil, type Anvil } from "../../services/devchain/anvil";
import { parseExporterConfig } from "../../services/latency-exporter/config";
import { LatencyExporterService } from "../../services/latency-exporter/service";
import { histogramQuantile } from "../../services/metrics/quantile";
import { POLYGON_EXCHANGES } from "../../services/polymarket/exchanges";
import { startLocalProviders, type LocalProviders, type LocalProvidersOptions } from "../../services/rpc-proxy/local-providers";
import { waitFor } from "../support/wait";

export const BLOCK_TIME_MS = 300;
export const PROVIDERS = ["alchemy", "quicknode", "infura", "drpc"] as const;

type Labels = Record<string, string>;

/** Anvil (chain 137) and the four local providers, shared by a file's tests; each test starts its own exporter. */
export interface ExporterStack {
  anvil: Anvil;
  providers: LocalProviders;
  exporter(): LatencyExporterService;
  startExporter(): Promise<LatencyExporterService>;
  /** Sum of the matching series of a counter or gauge. */
  metric(name: string, labels?: Labels): Promise<number>;
  /** How many observations a histogram's matching series hold. */
  observations(name: string, labels: Labels): Promise<number>;
  quantile(name: string, q: number, labels: Labels): Promise<number | undefined>;
  waitFor<T>(what: string, probe: () => T | Promise<T>, timeoutMs?: number): Promise<NonNullable<T>>;
  /** Waits for `n` more blocks at anvil itself, not through any provider. */
  waitBlocks(n: number): Promise<void>;
  /** Stops this test's exporter and clears every fault. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

function matches(labels: object, want: Labels): boolean {
  return Object.entries(want).every(([k, v]) => String((labels as Record<string, unknown>)[k]) === v);
}

export async function startExporterStack(latency: LocalProvidersOptions["latency"] = "zero"): Promise<ExporterStack> {
  const anvil = await startAnvil({ blockTimeMs: BLOCK_TIME_MS });
  const providers = await startLocalProviders(anvil, { latency, seed: 11 });
  let current: LatencyExporterService | undefined;
  const metricJson = async (name: string) => {
    const metric = current?.registry.getSingleMetric(name);
    if (!metric) throw new Error(`no metric ${name}`);
    return (await metric.get()) as MetricObjectWithValues<MetricValueWithName<string>>;
  };
  const blockNumber = async () => Number((await (await fetch(anvil.httpUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] }),
  })).json() as { result: string }).result);
  return {
    anvil,
    providers,
    exporter: () => {
      if (!current) throw new Error("no exporter started");
      return current;
    },
    async startExporter() {
      const config = parseExporterConfig(
        {
          region: "local",
          chain: { chainId: 137, blockTimeMs: BLOCK_TIME_MS },
          exchanges: POLYGON_EXCHANGES,
          providers: Object.values(providers.providers).map((p) => ({ name: p.name, httpUrl: p.httpUrl, wsUrl: p.wsUrl })),
          probe: { intervalMs: 200, timeoutMs: 500 },
          http: { host: "127.0.0.1", port: 0 },
        },
        "test",
      );
      current = await LatencyExporterService.start({ config, log: pino({ level: "silent" }) });
      return current;
    },
    async metric(name, labels = {}) {
      return (await metricJson(name)).values.filter((v) => matches(v.labels, labels)).reduce((sum, v) => sum + v.value, 0);
    },
    async observations(name, labels) {
      return (await metricJson(name)).values
        .filter((v) => v.metricName === `${name}_count` && matches(v.labels, labels))
        .reduce((sum, v) => sum + v.value, 0);
    },
    async quantile(name, q, labels) {
      return histogramQuantile(q, await metricJson(name), (l) => matches(l, labels));
    },
    waitFor: (what, probe, timeoutMs = 15_000) => waitFor(what, probe, timeoutMs, 25),
    async waitBlocks(n) {
      const target = (await blockNumber()) + n;
      await waitFor(`${n} blocks`, async () => (await blockNumber()) >= target, n * BLOCK_TIME_MS * 4 + 3000, 50);
    },
    async reset() {
      await current?.stop();
      current = undefined;
      await providers.client.clearAllFaults();
    },
    async stop() {
      await current?.stop();
      await providers.stop();
      await anvil.stop();
    },
  };
}
