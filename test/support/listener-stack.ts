import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pino from "pino";
import WebSocket from "ws";
import type { Address, Hex } from "viem";
import type { BusMessage, CancelIntent, CopyIntent } from "../../services/intents/intent";
import { InProcessBus } from "../../services/bus/in-process";
import { startAnvil, type Anvil } from "../../services/devchain/anvil";
import { installStandInExchanges } from "../../services/devchain/exchanges";
import { TradeSimulator, walletAddress } from "../../services/devchain/simulator";
import { parseListenerConfig } from "../../services/listener/config";
import { ListenerService } from "../../services/listener/service";
import { POLYGON_EXCHANGES } from "../../services/polymarket/exchanges";
import { startLocalProviders, type LocalProviders, type LocalProvidersOptions } from "../../services/rpc-proxy/local-providers";
import type { FaultInput } from "../../services/rpc-proxy/faults";

export const LEADER_A = walletAddress("leader-a");
export const LEADER_B = walletAddress("leader-b");
export const NOT_FOLLOWED = walletAddress("nobody-follows-me");

/** alice: 10% of leader A; bob: fixed 10 pUSD of leader A and B; carol: 50% of leader B. */
export const TEST_SUBSCRIBERS = {
  leaders: [{ address: LEADER_A }, { address: LEADER_B }],
  subscribers: [
    {
      id: "alice",
      sizing: { policy: "percentage", percent: 10 },
      risk: { maxOrderNotional: "1000", maxMarketExposure: "100000", maxDailyNotional: "100000", maxSlippageBps: 200, minOrderNotional: "0.000001" },
      follows: [{ leader: LEADER_A }],
    },
    {
      id: "bob",
      sizing: { policy: "fixed", amount: "10" },
      risk: { maxOrderNotional: "1000", maxMarketExposure: "100000", maxDailyNotional: "100000", maxSlippageBps: 100, minOrderNotional: "0.000001" },
      follows: [{ leader: LEADER_A }, { leader: LEADER_B }],
    },
    {
      id: "carol",
      sizing: { policy: "percentage", percent: 50 },
      risk: { maxOrderNotional: "1000", maxMarketExposure: "100000", maxDailyNotional: "100000", maxSlippageBps: 100, minOrderNotional: "0.000001" },
      follows: [{ leader: LEADER_B }],
    },
  ],
};

export interface StackOptions {
  blockTimeMs?: number;
  latency?: LocalProvidersOptions["latency"];
  /** Faults set before the listener starts (e.g. wrong chain at connect). */
  initialFaults?: Partial<Record<string, FaultInput[]>>;
}

export interface ListenerStack {
  anvil: Anvil;
  providers: LocalProviders;
  sim: TradeSimulator;
  service: ListenerService;
  intents: CopyIntent[];
  cancels: CancelIntent[];
  /** Arrival time of each block at anvil itself (no proxy), by block hash: the reference for detection latency. */
  blockSeenAtMs: Map<string, number>;
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  waitFor(what: string, predicate: () => boolean, timeoutMs?: number): Promise<void>;
  waitBlocks(n: number): Promise<void>;
  stop(): Promise<void>;
}

/** anvil + stand-in exchanges + four local providers + the listener on an in-process bus, all on 127.0.0.1. */
export async function startListenerStack(options: StackOptions = {}): Promise<ListenerStack> {
  const blockTimeMs = options.blockTimeMs ?? 300;
  const cleanups: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const c of cleanups.reverse()) await c();
  };
  try {
    const anvil = await startAnvil({ blockTimeMs });
    cleanups.push(() => anvil.stop());
    await installStandInExchanges(anvil.httpUrl);
    const sim = await TradeSimulator.create({ rpcUrl: anvil.httpUrl, seed: "listener-test" });
    const blockSeenAtMs = new Map<string, number>();
    const direct = await watchBlocksDirect(anvil.wsUrl, blockSeenAtMs);
    cleanups.push(() => direct.terminate());
    const providers = await startLocalProviders(anvil, { latency: options.latency ?? "zero", seed: 7 });
    cleanups.push(() => providers.stop());
    for (const [name, faults] of Object.entries(options.initialFaults ?? {})) {
      for (const fault of faults ?? []) providers.providers[name as keyof typeof providers.providers].setFault(fault);
    }
    const dir = mkdtempSync(path.join(tmpdir(), "listener-test-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const subscribersFile = path.join(dir, "subscribers.json");
    writeFileSync(subscribersFile, JSON.stringify(TEST_SUBSCRIBERS));
    const config = parseListenerConfig(
      {
        region: "local",
        chain: { chainId: 137, blockTimeMs },
        exchanges: POLYGON_EXCHANGES,
        providers: Object.values(providers.providers).map((p) => ({ name: p.name, httpUrl: p.httpUrl, wsUrl: p.wsUrl })),
        subscribersFile,
        bus: { kind: "in-process", shardCount: 4 },
        http: { host: "127.0.0.1", port: 0 },
        logLevel: "warn",
      },
      "test config",
    );
    const bus = new InProcessBus({ shardCount: 4 });
    cleanups.push(() => bus.close());
    const intents: CopyIntent[] = [];
    const cancels: CancelIntent[] = [];
    await bus.subscribe([0, 1, 2, 3], (message: BusMessage) => {
      if (message.kind === "intent") intents.push(message);
      else cancels.push(message);
    });
    const service = await ListenerService.start({ config, bus, log: pino({ level: "silent" }) });
    cleanups.push(() => service.stop());
    const waitFor = async (what: string, predicate: () => boolean, timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    return {
      anvil,
      providers,
      sim,
      service,
      intents,
      cancels,
      blockSeenAtMs,
      async metric(name, labels = {}) {
        const metric = service.registry.getSingleMetric(name);
        if (!metric) throw new Error(`no metric ${name}`);
        const values = (await metric.get()).values.filter((v) =>
          Object.entries(labels).every(([k, want]) => String((v.labels as Record<string, unknown>)[k]) === want),
        );
        return values.reduce((sum, v) => sum + v.value, 0);
      },
      waitFor,
      async waitBlocks(n) {
        const start = blockSeenAtMs.size;
        await waitFor(`${n} blocks`, () => blockSeenAtMs.size >= start + n, n * blockTimeMs * 4 + 2000);
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function watchBlocksDirect(wsUrl: string, seen: Map<string, number>): Promise<WebSocket> {
  const socket = new WebSocket(wsUrl);
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  socket.on("message", (data) => {
    const message = JSON.parse(data.toString());
    if (message.method === "eth_subscription") {
      const hash = (message.params.result as { hash: Hex }).hash;
      if (!seen.has(hash)) seen.set(hash, performance.timeOrigin + performance.now());
    }
  });
  socket.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_subscribe", params: ["newHeads"] }));
  return socket;
}

export function intentsFor(intents: readonly CopyIntent[], txHash: Hex, logIndex?: number): CopyIntent[] {
  return intents.filter((i) => i.source.txHash === txHash.toLowerCase() && (logIndex === undefined || i.source.logIndex === logIndex));
}

export type { Address };
