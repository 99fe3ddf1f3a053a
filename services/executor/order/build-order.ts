import { isHex, zeroHash, type Hex } from "viem";
import type { CopyIntent } from "../../intents/intent";
import { ORDER_SIDES, orderDomainForSource, type Order, type OrderDomain } from "../../polymarket/order";
import { checkedAccount, type TradingAccount } from "./account";
import { orderAmounts, type OrderAmounts, type TickSize } from "./amounts";
import { orderSalt } from "./salt";

/** Per-market order-book settings; the caller supplies the default tick (0.01) for markets it has no data on. */
export interface MarketConfig {
  tickSize: TickSize;
}

export interface OrderTags {
  /** bytes32 builder code credited with the order's volume. */
  builderCode?: Hex;
  metadata?: Hex;
}

export interface BuiltOrder {
  domain: OrderDomain;
  order: Order;
}

/**
 * The unsigned order copying `intent` for one subscriber, as a pure function of its inputs: no clock and no randomness,
 * so every replica and every retry yields the byte-identical order (same hash), which is what lets the venue drop a
 * resend after an `unknown` outcome instead of filling twice. Amounts are market-order (FAK/FOK) amounts at the
 * intent's limit price; see amounts.ts for the rounding.
 */
export function buildOrder(intent: CopyIntent, account: TradingAccount, market: MarketConfig, tags: OrderTags = {}): BuiltOrder {
  const { maker, signer, signatureType } = checkedAccount(intent.subscriberId, account);
  const amounts = amountsFor(intent, market.tickSize);
  return {
    domain: orderDomainForSource(intent.source.exchange, intent.chainId),
    order: {
      salt: orderSalt(intent.id),
      maker,
      signer,
      tokenId: intent.order.tokenId,
      makerAmount: amounts.makerAmount,
      takerAmount: amounts.takerAmount,
      side: ORDER_SIDES[intent.order.side],
      signatureType,
      // The fill's block time is the same in every region; the executor's own clock is not.
      timestamp: BigInt(intent.source.blockTimestamp) * 1000n,
      metadata: bytes32("metadata", tags.metadata),
      builder: bytes32("builder code", tags.builderCode),
    },
  };
}

function amountsFor(intent: CopyIntent, tickSize: TickSize): OrderAmounts {
  const { order } = intent;
  try {
    return order.side === "BUY"
      ? orderAmounts({ side: "BUY", collateralAmount: order.collateralAmount, limitPriceMicros: order.limitPriceMicros }, tickSize)
      : orderAmounts({ side: "SELL", shareAmount: order.shareAmount, limitPriceMicros: order.limitPriceMicros }, tickSize);
  } catch (err) {
    throw new Error(`intent ${intent.id} (subscriber ${intent.subscriberId}): ${(err as Error).message}`);
  }
}

function bytes32(what: string, value: Hex | undefined): Hex {
  if (value === undefined) return zeroHash;
  if (!isHex(value, { strict: true }) || value.length !== 66) throw new Error(`${what} must be a 32-byte hex string, got ${value}`);
  return value.toLowerCase() as Hex;
}
