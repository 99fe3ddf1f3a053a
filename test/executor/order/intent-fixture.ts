import type { Hex } from "viem";
import { copyIntentSchema, encodeIntent, type CopyIntent } from "../../../services/intents/intent";
import { intentId } from "../../../services/intents/intent-id";

export const TOKEN = 71321045679252212594626385532706912750332728571942532289631379312455583992563n;
export const EXCHANGES = {
  ctfV1: "0x4bFb41d5B3570DeFd03C39a9A4D8dE6Bd8B8982E",
  ctfV2: "0xE111180000d2663C0091e4f400237545B87B996B",
  negRiskV1: "0xC5d563A36AE78145C45a50134d48A1215220f80a",
  negRiskV2: "0xe2222d279d744050d28e00520010520000310F59",
  v3: "0xe3333700cA9d93003F00f0F71f8515005F6c00Aa",
} as const;

export interface IntentShape {
  side?: "BUY" | "SELL";
  /** BUY collateral or SELL shares, micro-units. */
  amount?: bigint;
  limitPriceMicros?: bigint;
  exchange?: Hex;
  logIndex?: number;
  subscriberId?: string;
  txHash?: Hex;
  blockTimestamp?: number;
}

/** A minimal valid CopyIntent, run through the bus schema so the fixture cannot drift from what the executor receives. */
export function makeIntent(shape: IntentShape = {}): CopyIntent {
  const side = shape.side ?? "BUY";
  const txHash = shape.txHash ?? (`0x${"cd".repeat(32)}` as Hex);
  const logIndex = shape.logIndex ?? 4;
  const subscriberId = shape.subscriberId ?? "alice";
  const common = { tokenId: TOKEN, limitPriceMicros: shape.limitPriceMicros ?? 510_000n, maxSlippageBps: 200 };
  const amount = shape.amount ?? 5_000_000n;
  const intent: CopyIntent = {
    kind: "intent",
    version: 1,
    id: intentId(137, txHash, logIndex, subscriberId),
    chainId: 137,
    subscriberId,
    leader: "0x1000000000000000000000000000000000000001",
    source: {
      exchange: shape.exchange ?? EXCHANGES.ctfV2,
      layout: "v2",
      txHash,
      logIndex,
      blockNumber: 70_123_456n,
      blockHash: `0x${"ab".repeat(32)}`,
      blockTimestamp: shape.blockTimestamp ?? 1_780_000_000,
      tokenId: TOKEN,
      side,
      price: 0.5,
      collateralAmount: 50_000_000n,
      shareAmount: 100_000_000n,
    },
    order: side === "BUY" ? { side, collateralAmount: amount, ...common } : { side, shareAmount: amount, ...common },
    timestamps: { fillFirstSeenAtMs: 1_780_000_000_100, intentCreatedAtMs: 1_780_000_000_103 },
  };
  return copyIntentSchema.parse(JSON.parse(encodeIntent(intent)));
}
