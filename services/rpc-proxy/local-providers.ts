import { ControlClient } from "./control-client";
import { startControlServer, type ControlServer } from "./control-api";
import type { LatencyProfileInput } from "./latency";
import type { Upstream } from "./provider-context";
import { ProviderProxy } from "./provider-proxy";

export const PROVIDER_NAMES = ["alchemy", "quicknode", "infura", "drpc"] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

export interface ProviderLatencyInput {
  http?: LatencyProfileInput;
  ws?: LatencyProfileInput;
}

/**
 * Rough shapes of the four providers as seen from a European host: one fast and tight, one slow with a fat tail, two in
 * between. Not measurements; the point is that they differ, so ranking and hedging have something to choose from.
 */
export const DEFAULT_LATENCY: Record<ProviderName, Required<ProviderLatencyInput>> = {
  alchemy: {
    http: { baseMs: 18, jitterMs: 10, tailProbability: 0.01, tailScaleMs: 60, tailShape: 1.5, tailCapMs: 1500 },
    ws: { baseMs: 12, jitterMs: 6, tailProbability: 0.01, tailScaleMs: 50, tailShape: 1.5, tailCapMs: 1000 },
  },
  quicknode: {
    http: { baseMs: 8, jitterMs: 4, tailProbability: 0.005, tailScaleMs: 40, tailShape: 1.8, tailCapMs: 800 },
    ws: { baseMs: 5, jitterMs: 3, tailProbability: 0.005, tailScaleMs: 30, tailShape: 1.8, tailCapMs: 600 },
  },
  infura: {
    http: { baseMs: 35, jitterMs: 15, tailProbability: 0.02, tailScaleMs: 100, tailShape: 1.3, tailCapMs: 3000 },
    ws: { baseMs: 28, jitterMs: 12, tailProbability: 0.02, tailScaleMs: 80, tailShape: 1.3, tailCapMs: 2500 },
  },
  drpc: {
    http: { baseMs: 25, jitterMs: 20, tailProbability: 0.04, tailScaleMs: 80, tailShape: 1.2, tailCapMs: 4000 },
    ws: { baseMs: 20, jitterMs: 15, tailProbability: 0.03, tailScaleMs: 70, tailShape: 1.2, tailCapMs: 3000 },
  },
};

export interface LocalProvidersOptions {
  /** `"default"` (the profiles above), `"zero"` (no added latency, for tests), or per-provider profiles over the defaults. */
  latency?: "default" | "zero" | Partial<Record<ProviderName, ProviderLatencyInput>>;
  /** Provider i uses seed + i; without it each provider's seed derives from its name. */
  seed?: number;
  /** Fixed ports, e.g. for a dev stack; missing ones are picked free. */
  ports?: Partial<Record<ProviderName, number>>;
  controlPort?: number;
}

export interface LocalProviders {
  providers: Record<ProviderName, ProviderProxy>;
  control: ControlServer;
  /** A client of `control`, ready to use. */
  client: ControlClient;
  stop(): Promise<void>;
}

/** Starts the four named providers in front of one node (anvil) plus the control server; all on 127.0.0.1. */
export async function startLocalProviders(upstream: Upstream, options: LocalProvidersOptions = {}): Promise<LocalProviders> {
  const started: ProviderProxy[] = [];
  try {
    for (const [index, name] of PROVIDER_NAMES.entries()) {
      started.push(
        await ProviderProxy.start({
          name,
          upstream: { httpUrl: upstream.httpUrl, wsUrl: upstream.wsUrl },
          latency: latencyFor(name, options.latency ?? "default"),
          seed: options.seed === undefined ? undefined : options.seed + index,
          port: options.ports?.[name],
        }),
      );
    }
    const control = await startControlServer(started, { port: options.controlPort });
    const providers = Object.fromEntries(started.map((proxy) => [proxy.name, proxy])) as Record<ProviderName, ProviderProxy>;
    return {
      providers,
      control,
      client: new ControlClient(control.url),
      stop: async () => {
        await Promise.all([control.stop(), ...started.map((proxy) => proxy.stop())]);
      },
    };
  } catch (error) {
    await Promise.all(started.map((proxy) => proxy.stop()));
    throw error;
  }
}

function latencyFor(name: ProviderName, latency: NonNullable<LocalProvidersOptions["latency"]>): ProviderLatencyInput {
  if (latency === "zero") return {};
  const defaults = DEFAULT_LATENCY[name];
  if (latency === "default") return defaults;
  return { http: latency[name]?.http ?? defaults.http, ws: latency[name]?.ws ?? defaults.ws };
}
