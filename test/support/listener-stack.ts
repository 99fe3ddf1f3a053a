import pino from "pino";
import type { Hex } from "viem";
import type { BusMessage, CancelIntent, CopyIntent } from "../../services/intents/intent";
import type { Anvil } from "../../services/devchain/anvil";
import { walletAddress, type TradeSimulator } from "../../services/devchain/simulator";
import type { ListenerService } from "../../services/listener/service";
import { startLocalStack, type LocalStackOptions } from "../../services/local-stack/stack";
import type { LocalProviders, LocalProvidersOptions } from "../../services/rpc-proxy/local-providers";
import { waitFor } from "./wait";

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
  initialFaults?: LocalStackOptions["initialFaults"];
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

/** The local stack with zero provider latency by default, and every bus message recorded. */
export async function startListenerStack(options: StackOptions = {}): Promise<ListenerStack> {
  const blockTimeMs = options.blockTimeMs ?? 300;
  const stack = await startLocalStack({
    blockTimeMs,
    subscribers: TEST_SUBSCRIBERS,
    log: pino({ level: "silent" }),
    latency: options.latency ?? "zero",
    ...(options.initialFaults ? { initialFaults: options.initialFaults } : {}),
    seed: "listener-test",
  });
  const intents: CopyIntent[] = [];
  const cancels: CancelIntent[] = [];
  await stack.bus.subscribe([0, 1, 2, 3], (message: BusMessage) => {
    if (message.kind === "intent") intents.push(message);
    else cancels.push(message);
  });
  const blockSeenAtMs = stack.blocks.seenAtMs;
  const waitUntil = async (what: string, predicate: () => boolean, timeoutMs = 15_000) => {
    await waitFor(what, predicate, timeoutMs, 20);
  };
  return {
    anvil: stack.anvil,
    providers: stack.providers,
    sim: stack.sim,
    service: stack.listener,
    intents,
    cancels,
    blockSeenAtMs,
    async metric(name, labels = {}) {
      const metric = stack.listener.registry.getSingleMetric(name);
      if (!metric) throw new Error(`no metric ${name}`);
      const values = (await metric.get()).values.filter((v) =>
        Object.entries(labels).every(([k, want]) => String((v.labels as Record<string, unknown>)[k]) === want),
      );
      return values.reduce((sum, v) => sum + v.value, 0);
    },
    waitFor: waitUntil,
    async waitBlocks(n) {
      const start = blockSeenAtMs.size;
      await waitUntil(`${n} blocks`, () => blockSeenAtMs.size >= start + n, n * blockTimeMs * 4 + 2000);
    },
    stop: () => stack.stop(),
  };
}

export function intentsFor(intents: readonly CopyIntent[], txHash: Hex, logIndex?: number): CopyIntent[] {
  return intents.filter((i) => i.source.txHash === txHash.toLowerCase() && (logIndex === undefined || i.source.logIndex === logIndex));
}
