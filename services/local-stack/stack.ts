import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Logger } from "pino";
import { InProcessBus } from "../bus/in-process";
import { startAnvil, type Anvil } from "../devchain/anvil";
import { installStandInExchanges } from "../devchain/exchanges";
import { TradeSimulator } from "../devchain/simulator";
import { parseListenerConfig } from "../listener/config";
import { ListenerService } from "../listener/service";
import { POLYGON_EXCHANGES } from "../polymarket/exchanges";
import type { FaultInput } from "../rpc-proxy/faults";
import { startLocalProviders, type LocalProviders, type LocalProvidersOptions, type ProviderName } from "../rpc-proxy/local-providers";
import { watchBlocksAtNode, type BlockReference } from "./block-reference";

export interface LocalStackOptions {
  blockTimeMs: number;
  /** The subscribers file content (leaders and who follows them). */
  subscribers: unknown;
  log: Logger;
  latency?: LocalProvidersOptions["latency"];
  /** Faults in place before the listener connects (e.g. a provider on the wrong chain from the start). */
  initialFaults?: Partial<Record<ProviderName, FaultInput[]>>;
  listenerPort?: number;
  controlPort?: number;
  shardCount?: number;
  seed?: string;
}

export interface LocalStack {
  anvil: Anvil;
  providers: LocalProviders;
  sim: TradeSimulator;
  bus: InProcessBus;
  listener: ListenerService;
  blocks: BlockReference;
  stop(): Promise<void>;
}

/**
 * The local embedded stack: anvil as Polygon (chain 137) with stand-in exchanges at the real addresses, four local
 * providers in front of it, and the listener with its production code path on an in-process bus. Stops in reverse.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const cleanups: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  try {
    const anvil = await startAnvil({ blockTimeMs: options.blockTimeMs });
    cleanups.push(() => anvil.stop());
    await installStandInExchanges(anvil.httpUrl);
    const sim = await TradeSimulator.create({ rpcUrl: anvil.httpUrl, seed: options.seed ?? "local-stack" });
    const blocks = await watchBlocksAtNode(anvil.wsUrl);
    cleanups.push(() => blocks.stop());
    const providers = await startLocalProviders(anvil, {
      latency: options.latency ?? "default",
      seed: 7,
      ...(options.controlPort !== undefined ? { controlPort: options.controlPort } : {}),
    });
    cleanups.push(() => providers.stop());
    for (const [name, faults] of Object.entries(options.initialFaults ?? {})) {
      for (const fault of faults ?? []) providers.providers[name as ProviderName].setFault(fault);
    }
    const dir = mkdtempSync(path.join(tmpdir(), "polysync-local-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const subscribersFile = path.join(dir, "subscribers.json");
    writeFileSync(subscribersFile, JSON.stringify(options.subscribers, null, 2));
    const shardCount = options.shardCount ?? 4;
    const config = parseListenerConfig(
      {
        region: "local",
        chain: { chainId: 137, blockTimeMs: options.blockTimeMs },
        exchanges: POLYGON_EXCHANGES,
        providers: Object.values(providers.providers).map((p) => ({ name: p.name, httpUrl: p.httpUrl, wsUrl: p.wsUrl })),
        subscribersFile,
        bus: { kind: "in-process", shardCount },
        http: { host: "127.0.0.1", port: options.listenerPort ?? 0 },
      },
      "local stack",
    );
    const bus = new InProcessBus({ shardCount });
    cleanups.push(() => bus.close());
    const listener = await ListenerService.start({ config, bus, log: options.log.child({ service: "listener" }) });
    cleanups.push(() => listener.stop());
    return { anvil, providers, sim, bus, listener, blocks, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
