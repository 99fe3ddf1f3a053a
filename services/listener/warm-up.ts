import { encodeAbiParameters, encodeEventTopics, numberToHex, pad, type Address } from "viem";
import { encodeMessage } from "../intents/intent";
import { EXCHANGE_V1_EVENTS, EXCHANGE_V2_EVENTS } from "../polymarket/abi";
import type { ExchangeContract } from "../polymarket/exchanges";
import { decodeLeaderFill, ExchangeIndex, readLogPosition } from "./decode";
import { buildIntents } from "./intents/build-intents";
import { ExposureLedger } from "./sizing/exposure";
import type { CopyRule } from "./subscribers/schema";

const ZERO32 = pad("0x", { size: 32 });

/** A synthetic OrderFilled log as an RPC would deliver it, for each layout. */
function syntheticLog(exchange: ExchangeContract, maker: Address, i: number): Record<string, unknown> {
  const orderHash = pad(numberToHex(i + 1), { size: 32 });
  const common = { address: exchange.address, blockNumber: "0x1", blockHash: pad("0x1", { size: 32 }), transactionHash: orderHash, logIndex: numberToHex(i % 50), removed: false };
  if (exchange.layout === "v1") {
    const buy = i % 2 === 0;
    return {
      ...common,
      topics: encodeEventTopics({ abi: EXCHANGE_V1_EVENTS, eventName: "OrderFilled", args: { orderHash, maker, taker: exchange.address } }),
      data: encodeAbiParameters(
        EXCHANGE_V1_EVENTS[0].inputs.slice(3),
        buy ? [0n, 7n, 500_000n, 1_000_000n, 0n] : [7n, 0n, 1_000_000n, 500_000n, 0n],
      ),
    };
  }
  return {
    ...common,
    topics: encodeEventTopics({ abi: EXCHANGE_V2_EVENTS, eventName: "OrderFilled", args: { orderHash, maker, taker: exchange.address } }),
    data: encodeAbiParameters(EXCHANGE_V2_EVENTS[0].inputs.slice(3), [i % 2, 7n, 500_000n, 1_000_000n, 0n, ZERO32, ZERO32]),
  };
}

/**
 * Runs the detect → intent path on synthetic fills before the first real one. A leader fill every few seconds never
 * gets V8 past its interpreter: measured here, cold fills took 1–15 ms against ~0.1 ms once optimized. The results
 * are thrown away (a scratch ledger, nothing published). Returns how long it took.
 */
export function warmUpHotPath(
  chainId: number,
  exchanges: readonly ExchangeContract[],
  rules: ReadonlyMap<Address, readonly CopyRule[]>,
  iterations = 3000,
): number {
  const started = performance.now();
  const leader = rules.keys().next().value as Address | undefined;
  if (!leader || exchanges.length === 0) return 0;
  const index = new ExchangeIndex(exchanges);
  const logs = exchanges.flatMap((e) => [0, 1].map((i) => syntheticLog(e, leader, i)));
  const ledger = new ExposureLedger();
  const maker = leader.toLowerCase();
  for (let i = 0; i < iterations; i++) {
    const fill = decodeLeaderFill(readLogPosition(logs[i % logs.length]), chainId, index, (m) => m === maker);
    if (!fill) continue;
    const built = buildIntents(fill, rules, ledger, { nowMs: Date.now(), fillFirstSeenAtMs: Date.now(), globalKillSwitch: false });
    for (const intent of built.intents) encodeMessage(intent);
  }
  return performance.now() - started;
}
