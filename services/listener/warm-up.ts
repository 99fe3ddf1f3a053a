import { encodeAbiParameters, encodeEventTopics, numberToHex, pad, type Address } from "viem";
import { encodeMessage } from "../intents/intent";
import { EXCHANGE_V1_EVENTS, EXCHANGE_V2_EVENTS } from "../polymarket/abi";
import type { ExchangeContract } from "../polymarket/exchanges";
import { decodeLeaderFill, ExchangeIndex, glanceAtLog, readLogPosition } from "./decode";
import { buildIntents } from "./intents/build-intents";
import { ExposureLedger } from "./sizing/exposure";
import type { CopyRule } from "./subscribers/schema";

const ZERO32 = pad("0x", { size: 32 });
/** 50 pUSD for 100 shares: large enough that a percentage follower's copy clears the minimum order. */
const COLLATERAL = 50_000_000n;
const SHARES = 100_000_000n;
/** Followers whose intents each synthetic fill builds. */
const WARM_FOLLOWERS = 4;

/**
 * A synthetic OrderFilled log as an RPC delivers it, a BUY or a SELL at 0.5 (a price or size a follower refuses would
 * warm the skip path instead of the sizing a real fill takes): parsed from JSON with a node's key order, so V8 specialises the
 * hot path for the object shapes real logs will have (a literal of another shape would deoptimise it on the first).
 */
function syntheticLog(exchange: ExchangeContract, maker: Address, i: number): Record<string, unknown> {
  const orderHash = pad(numberToHex(i + 1), { size: 32 });
  const v1 = exchange.layout === "v1";
  const buy = i % 2 === 0;
  const log = {
    address: exchange.address.toLowerCase(),
    topics: encodeEventTopics({
      abi: v1 ? EXCHANGE_V1_EVENTS : EXCHANGE_V2_EVENTS,
      eventName: "OrderFilled",
      args: { orderHash, maker, taker: exchange.address },
    }),
    data: v1
      ? encodeAbiParameters(EXCHANGE_V1_EVENTS[0].inputs.slice(3), buy ? [0n, 7n, COLLATERAL, SHARES, 0n] : [7n, 0n, SHARES, COLLATERAL, 0n])
      : encodeAbiParameters(EXCHANGE_V2_EVENTS[0].inputs.slice(3), [buy ? 0 : 1, 7n, ...(buy ? [COLLATERAL, SHARES] : [SHARES, COLLATERAL]), 0n, ZERO32, ZERO32]),
    blockHash: pad("0x1", { size: 32 }),
    blockNumber: "0x1",
    blockTimestamp: "0x6740a1b0",
    transactionHash: orderHash,
    transactionIndex: "0x0",
    logIndex: numberToHex(i % 50),
    removed: false,
  };
  return JSON.parse(JSON.stringify(log)) as Record<string, unknown>;
}

/**
 * Runs the detect → intent path on synthetic fills of a followed leader, throwing the results away (a scratch ledger,
 * nothing published). Two uses, both measured here:
 * - at start, thousands of times: a leader fill every few seconds never gets V8 past its interpreter;
 * - while running, once every few milliseconds (keepWarm): after 250 ms idle the same optimised code ran 3–10× slower
 *   (decode 0.12 ms against 0.013 ms, sizing 0.29 ms against 0.09 ms: caches and the idle vCPU gone cold); ticking it
 *   every 2 ms kept decode at 0.03 ms and sizing at 0.12 ms, for a few percent of one core.
 */
export class HotPathExerciser {
  private readonly logs: Record<string, unknown>[];
  private readonly index: ExchangeIndex;
  private readonly ledger = new ExposureLedger();
  private readonly maker: string | undefined;
  private readonly rules: ReadonlyMap<Address, readonly CopyRule[]>;
  private next = 0;
  /** Synthetic fills run so far, and the intents they built. */
  fills = 0;
  intents = 0;

  constructor(
    private readonly chainId: number,
    exchanges: readonly ExchangeContract[],
    rules: ReadonlyMap<Address, readonly CopyRule[]>,
  ) {
    const leader = rules.keys().next().value as Address | undefined;
    this.maker = leader?.toLowerCase();
    // Warming the code needs a few followers, not all: with a thousand, every synthetic fill built a thousand intents
    // (start-up warm-up 70–85 s, keep-warm 1.1 cores while idle, measured by the fan-out bench).
    this.rules = leader ? new Map([[leader, (rules.get(leader) ?? []).slice(0, WARM_FOLLOWERS)]]) : new Map();
    this.index = new ExchangeIndex(exchanges);
    this.logs = leader ? exchanges.flatMap((e) => [0, 1].map((i) => syntheticLog(e, leader, i))) : [];
  }

  /**
   * Runs `iterations` synthetic fills; returns the milliseconds it took (0 when no leader is followed). `serialise`
   * also encodes the intents: worth it once at start, not every tick, where its garbage would bring the next
   * scavenge forward onto a real fill.
   */
  run(iterations: number, serialise = true): number {
    if (this.logs.length === 0) return 0;
    const started = performance.now();
    const maker = this.maker;
    for (let i = 0; i < iterations; i++) {
      const raw = this.logs[this.next++ % this.logs.length];
      if (glanceAtLog(raw).maker !== maker) continue;
      const position = readLogPosition(raw);
      const fill = decodeLeaderFill(position, position.blockTimestamp ?? 0, this.chainId, this.index, (m) => m === maker);
      if (!fill) continue;
      const built = buildIntents(fill, this.rules, this.ledger, { nowMs: Date.now(), fillFirstSeenAtMs: Date.now(), globalKillSwitch: false });
      if (serialise) for (const intent of built.intents) encodeMessage(intent);
      this.fills++;
      this.intents += built.intents.length;
    }
    return performance.now() - started;
  }

  /** One synthetic fill every `intervalMs` until the returned stop function is called; 0 disables it. */
  keepWarm(intervalMs: number): () => void {
    if (intervalMs <= 0 || this.logs.length === 0) return () => {};
    const timer = setInterval(() => this.run(1, false), intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }
}
