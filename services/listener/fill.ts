import type { Address, Hex } from "viem";
import type { ExchangeLayout } from "../polymarket/abi";

export type Side = "BUY" | "SELL";

/**
 * One leader fill, decoded from an `OrderFilled` log where the leader is the maker. Amounts are 6-decimal fixed point
 * (collateral and outcome shares alike), gross of fees, exactly as the event reports them.
 */
export interface Fill {
  chainId: number;
  exchange: Address;
  layout: ExchangeLayout;
  blockNumber: bigint;
  blockHash: Hex;
  /** Unix seconds: the same in every region, unlike any local clock, so orders derive their timestamp from it. */
  blockTimestamp: number;
  txHash: Hex;
  /** With txHash, the identity of a fill: one transaction carries many fills. */
  logIndex: number;
  orderHash: Hex;
  /** The leader. The taker topic is not read: it is the counterparty, and checksumming it cost a keccak per fill. */
  maker: Address;
  side: Side;
  tokenId: bigint;
  collateralAmount: bigint;
  shareAmount: bigint;
  /** collateral / shares, in collateral units per share (0..1 for a binary outcome). */
  price: number;
  fee: bigint;
}

/** Stable key of a fill for dedupe: (tx hash, log index), never the tx hash alone. */
export function fillKey(fill: Pick<Fill, "txHash" | "logIndex">): string {
  return `${fill.txHash.toLowerCase()}:${fill.logIndex}`;
}
