import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Logger } from "pino";
import type { BusMessage } from "../intents/intent";
import { InProcessBus } from "../bus/in-process";
import { startAnvil, type Anvil } from "../devchain/anvil";
import { installStandInExchanges } from "../devchain/exchanges";
import { startOrderBook, type OrderBook } from "../devchain/order-book/server";
import { SIMULATED_MARKETS, TradeSimulator } from "../devchain/simulator";
import { parseExecutorConfig } from "../executor/config";
import type { ExecutionReport } from "../executor/executor";
import { ExecutorService } from "../executor/service";
import { parseExporterConfig } from "../latency-exporter/config";
import { LatencyExporterService } from "../latency-exporter/service";
import { parseListenerConfig } from "../listener/config";
import { ListenerService } from "../listener/service";
import { POLYGON_EXCHANGES } from "../polymarket/exchanges";
import { ORDER_ROUTES } from "../polymarket/order";
import type { FaultInput } from "../rpc-proxy/faults";
import { startLocalProviders, type LocalProviders, type LocalProvidersOptions, type ProviderName } from "../rpc-proxy/local-providers";
import { watchBlocksAtNode, type BlockReference } from "./block-reference";
import { createDevAccounts } from "./dev-accounts";

export interface ExecutionOptions {
  /** Every executor's reports, tagged with its region. */
  onReport?: (region: string, report: ExecutionReport) => void;
  deadlineMs?: number;
  /** Time the stand-in venue takes to match before answering POST /order. */
  venueLatencyMs?: number;
}

export interface LocalStackOptions {
  blockTimeMs: number;
  /** The subscribers file content (leaders and who follows them). */
  subscribers: { subscribers: { id: string }[] } & Record<string, unknown>;
  log: Logger;
  latency?: LocalProvidersOptions["latency"];
  /** Faults in place before the listener connects (e.g. a provider on the wrong chain from the start). */
  initialFaults?: Partial<Record<ProviderName, FaultInput[]>>;
  listenerPort?: number;
  controlPort?: number;
  shardCount?: number;
  seed?: string;
  /** Independent pipelines against the one chain and venue, like production regions: own providers, bus, listener, executor. */
  regions?: number;
  /** Adds the stand-in order book and an executor per region; without it the bus is left to the caller. */
  execution?: ExecutionOptions;
  /** Sees every intent and cancel a region's listener publishes (the live view), while the executor owns the shards. */
  onPublish?: (region: string, message: BusMessage) => void;
  /** Adds a latency exporter per region, probing the same four providers as that region's listener. */
  latencyExporter?: boolean;
}

export interface Region {
  name: string;
  providers: LocalProviders;
  bus: InProcessBus;
  listener: ListenerService;
  executor?: ExecutorService;
  latencyExporter?: LatencyExporterService;
}

export interface LocalStack {
  anvil: Anvil;
  sim: TradeSimulator;
  blocks: BlockReference;
  book?: OrderBook;
  regions: Region[];
  /** The first region's parts, which is all a one-region stack has. */
  providers: LocalProviders;
  bus: InProcessBus;
  listener: ListenerService;
  executor?: ExecutorService;
  /** Its `metricsUrl` is what a Prometheus scrapes. */
  latencyExporter?: LatencyExporterService;
  stop(): Promise<void>;
}

/**
 * The local embedded stack: anvil as Polygon (chain 137) with stand-in exchanges at the real addresses; per region
 * four local providers, the listener, (with `execution`) the executor and (with `latencyExporter`) the latency exporter,
 * each with the production code path on an in-process bus; one stand-in order book that settles on the chain. Stops in reverse.
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
    const dir = mkdtempSync(path.join(tmpdir(), "polysync-local-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const subscribersFile = path.join(dir, "subscribers.json");
    writeFileSync(subscribersFile, JSON.stringify(options.subscribers, null, 2));

    const execution = options.execution && (await startExecutionSide(anvil, options, dir, cleanups));
    const regions: Region[] = [];
    for (let i = 0; i < (options.regions ?? 1); i++) {
      regions.push(await startRegion(i, anvil, options, subscribersFile, dir, execution, cleanups));
    }
    const first = regions[0]!;
    return {
      anvil,
      sim,
      blocks,
      ...(execution ? { book: execution.book } : {}),
      regions,
      providers: first.providers,
      bus: first.bus,
      listener: first.listener,
      ...(first.executor ? { executor: first.executor } : {}),
      ...(first.latencyExporter ? { latencyExporter: first.latencyExporter } : {}),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

interface ExecutionSide {
  book: OrderBook;
  accountsFile: string;
  env: Record<string, string>;
}

/** The venue every region submits to, and the subscribers' trading accounts (shared: both regions sign as them). */
async function startExecutionSide(anvil: Anvil, options: LocalStackOptions, dir: string, cleanups: (() => Promise<void> | void)[]): Promise<ExecutionSide> {
  const dev = await createDevAccounts(anvil.httpUrl, options.subscribers.subscribers.map((s) => s.id));
  const exchangeAddress = (name: string) => POLYGON_EXCHANGES.find((e) => e.name === name)!.address;
  const book = await startOrderBook({
    rpcUrl: anvil.httpUrl,
    accounts: dev.bookAccounts,
    markets: SIMULATED_MARKETS.map((m) => ({ tokenId: m.tokenId, exchange: exchangeAddress(ORDER_ROUTES[m.exchange]!.exchange) })),
    defaultExchange: exchangeAddress("ctf-exchange-v2"),
    ...(options.execution?.venueLatencyMs !== undefined ? { matchingLatencyMs: options.execution.venueLatencyMs } : {}),
    // The simulator sends its settlements from dev account 0; the venue's operator is another, so nonces never clash.
    settlement: { operatorIndex: 1 },
  });
  cleanups.push(() => book.stop());
  const accountsFile = path.join(dir, "accounts.json");
  writeFileSync(accountsFile, JSON.stringify({ accounts: dev.accounts }, null, 2));
  return { book, accountsFile, env: dev.env };
}

async function startRegion(
  index: number,
  anvil: Anvil,
  options: LocalStackOptions,
  subscribersFile: string,
  dir: string,
  execution: ExecutionSide | undefined,
  cleanups: (() => Promise<void> | void)[],
): Promise<Region> {
  const name = index === 0 ? "local" : `local-${index + 1}`;
  const providers = await startLocalProviders(anvil, {
    latency: options.latency ?? "default",
    seed: 7 + index,
    ...(index === 0 && options.controlPort !== undefined ? { controlPort: options.controlPort } : {}),
  });
  cleanups.push(() => providers.stop());
  for (const [provider, faults] of Object.entries(index === 0 ? (options.initialFaults ?? {}) : {})) {
    for (const fault of faults ?? []) providers.providers[provider as ProviderName].setFault(fault);
  }
  const shardCount = options.shardCount ?? 4;
  const bus = new InProcessBus({ shardCount, ...(options.onPublish ? { onPublish: (message: BusMessage) => options.onPublish!(name, message) } : {}) });
  cleanups.push(() => bus.close());
  const listenerConfig = parseListenerConfig(
    {
      region: name,
      chain: { chainId: 137, blockTimeMs: options.blockTimeMs },
      exchanges: POLYGON_EXCHANGES,
      providers: Object.values(providers.providers).map((p) => ({ name: p.name, httpUrl: p.httpUrl, wsUrl: p.wsUrl })),
      subscribersFile,
      bus: { kind: "in-process", shardCount },
      http: { host: "127.0.0.1", port: index === 0 ? (options.listenerPort ?? 0) : 0 },
    },
    "local stack",
  );
  const log = options.log.child({ region: name });
  const listener = await ListenerService.start({ config: listenerConfig, bus, log: log.child({ service: "listener" }) });
  cleanups.push(() => listener.stop());
  const latencyExporter = options.latencyExporter ? await startLatencyExporter(name, providers, options, log) : undefined;
  if (latencyExporter) cleanups.push(() => latencyExporter.stop());
  const observed = { name, providers, bus, listener, ...(latencyExporter ? { latencyExporter } : {}) };
  if (!execution) return observed;

  const executorConfig = parseExecutorConfig(
    {
      region: name,
      subscribersFile,
      accountsFile: execution.accountsFile,
      bus: { kind: "in-process", shardCount },
      venue: { url: execution.book.url },
      journalFile: path.join(dir, `${name}.journal`),
      // The subscribers' fills are watched through one of this region's providers, as production does.
      chainRpcUrl: providers.providers.alchemy.httpUrl,
      ...(options.execution?.deadlineMs !== undefined ? { deadlineMs: options.execution.deadlineMs } : {}),
      http: { host: "127.0.0.1", port: 0 },
    },
    "local stack",
  );
  const onReport = options.execution?.onReport;
  const executor = await ExecutorService.start({
    config: executorConfig,
    bus,
    env: { ...process.env, ...execution.env },
    log: log.child({ service: "executor" }),
    ...(onReport ? { onReport: (report: ExecutionReport) => onReport(name, report) } : {}),
  });
  cleanups.push(() => executor.stop());
  return { ...observed, executor };
}

async function startLatencyExporter(
  region: string,
  providers: LocalProviders,
  options: LocalStackOptions,
  log: Logger,
): Promise<LatencyExporterService> {
  const config = parseExporterConfig(
    {
      region,
      chain: { chainId: 137, blockTimeMs: options.blockTimeMs },
      exchanges: POLYGON_EXCHANGES,
      providers: Object.values(providers.providers).map((p) => ({ name: p.name, httpUrl: p.httpUrl, wsUrl: p.wsUrl })),
      // A probe round per block, so a short run already has round trips for every method to look at.
      probe: { intervalMs: Math.max(250, options.blockTimeMs) },
      http: { host: "127.0.0.1", port: 0 },
    },
    "local stack",
  );
  return LatencyExporterService.start({ config, log: log.child({ service: "latency-exporter" }) });
}
