/**
 * The fan-out bench's subscribers, trading accounts and service configs: N subscribers all following one leader, and
 * the files the listener and the executor read exactly as in production (`--config <file>`).
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { Address } from "viem";
import { tokenIdFor, walletAddress } from "../../services/devchain/simulator";
import type { TickSize } from "../../services/executor/order/amounts";
import type { DevAccounts } from "../../services/local-stack/dev-accounts";
import { POLYGON_EXCHANGES } from "../../services/polymarket/exchanges";

export const FANOUT_LEADER: Address = walletAddress("fanout-bench-leader");
/** The token the simulator's leader fills trade by default; the venue knows it as a CTF V2 market. */
export const FANOUT_TOKEN = tokenIdFor("default");
/** The subscribers' tick (risk.tickSize), which the executor turns into the order's rounding; helpers build alike. */
export const FANOUT_TICK_SIZE: TickSize = "0.001";
export const CTF_EXCHANGE_V2: Address = POLYGON_EXCHANGES.find((e) => e.name === "ctf-exchange-v2")!.address;

/** Zero-padded so the ids sort in creation order in every listing. */
export function subscriberIds(count: number): string[] {
  const width = String(count).length;
  return Array.from({ length: count }, (_, i) => `sub-${String(i + 1).padStart(width, "0")}`);
}

/**
 * Every subscriber copies the leader with a fixed 5 pUSD: identical, always-buildable orders, so the bench measures
 * fan-out and not sizing. Caps sit far above what a run trades (each round adds 5 pUSD per subscriber on one token),
 * so every fill yields one intent per subscriber and the executor's risk re-check passes.
 */
export function subscribersConfig(ids: readonly string[], leader: Address): object {
  const risk = { maxOrderNotional: "1000", maxMarketExposure: "1000000000", maxDailyNotional: "1000000000", maxSlippageBps: 200, tickSize: FANOUT_TICK_SIZE };
  return {
    leaders: [{ address: leader, label: "fanout-leader" }],
    subscribers: ids.map((id) => ({ id, sizing: { policy: "fixed", amount: "5" }, risk, follows: [{ leader }] })),
  };
}

export interface FanoutFiles {
  dir: string;
  subscribersFile: string;
  accountsFile: string;
  journalFile: string;
}

/**
 * Writes the subscribers and accounts files into `dir` (keys and API secrets stay in the env, as in production); the
 * executor's journal goes to `journalDir`, `dir` unless given.
 */
export function writeFanoutFiles(dir: string, ids: readonly string[], dev: DevAccounts, journalDir = dir): FanoutFiles {
  const files: FanoutFiles = {
    dir,
    subscribersFile: path.join(dir, "subscribers.json"),
    accountsFile: path.join(dir, "accounts.json"),
    journalFile: path.join(journalDir, "executor.journal"),
  };
  writeFileSync(files.subscribersFile, JSON.stringify(subscribersConfig(ids, FANOUT_LEADER)));
  writeFileSync(files.accountsFile, JSON.stringify({ accounts: dev.accounts }));
  return files;
}

export interface ListenerConfigInput {
  natsUrl: string;
  shardCount: number;
  anvil: { httpUrl: string; wsUrl: string };
  blockTimeMs: number;
  keepWarmMs: number;
  port: number;
  logLevel: string;
}

/**
 * One provider, anvil itself: the fan-out starts at the listener's first sight of the fill
 * (`fillFirstSeenAtMs`), so provider latency and failover, which the detection bench measures, play no part here.
 */
export function writeListenerConfig(files: FanoutFiles, input: ListenerConfigInput): string {
  const file = path.join(files.dir, "listener.json");
  writeFileSync(
    file,
    JSON.stringify({
      region: "bench",
      chain: { chainId: 137, blockTimeMs: input.blockTimeMs },
      exchanges: POLYGON_EXCHANGES,
      providers: [{ name: "anvil", httpUrl: input.anvil.httpUrl, wsUrl: input.anvil.wsUrl }],
      subscribersFile: files.subscribersFile,
      bus: { kind: "nats", servers: [input.natsUrl], shardCount: input.shardCount },
      keepWarmMs: input.keepWarmMs,
      http: { host: "127.0.0.1", port: input.port },
      logLevel: input.logLevel,
    }),
  );
  return file;
}

export interface ExecutorConfigInput {
  natsUrl: string;
  shardCount: number;
  venueUrl: string;
  chainRpcUrl: string;
  deadlineMs: number;
  port: number;
  logLevel: string;
}

/** The production executor config, local: NATS bus, the stand-in venue, on-chain fill tracking against anvil. */
export function writeExecutorConfig(files: FanoutFiles, input: ExecutorConfigInput): string {
  const file = path.join(files.dir, "executor.json");
  writeFileSync(
    file,
    JSON.stringify({
      region: "bench",
      chainId: 137,
      subscribersFile: files.subscribersFile,
      accountsFile: files.accountsFile,
      bus: { kind: "nats", servers: [input.natsUrl], shardCount: input.shardCount },
      venue: { url: input.venueUrl },
      deadlineMs: input.deadlineMs,
      journalFile: files.journalFile,
      chainRpcUrl: input.chainRpcUrl,
      http: { host: "127.0.0.1", port: input.port },
      logLevel: input.logLevel,
    }),
  );
  return file;
}
