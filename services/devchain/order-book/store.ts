import type { Hex } from "viem";
import type { Order, OrderDomain } from "../../polymarket/order";
import type { OrderType } from "../../venue/venue";

/** Polymarket trade states: MATCHED off chain, MINED in a block, CONFIRMED after enough blocks, or FAILED. */
export type TradeStatus = "MATCHED" | "MINED" | "CONFIRMED" | "FAILED";

/** The settlement of one accepted order; settlement.ts moves it through the states. */
export interface Trade {
  id: string;
  status: TradeStatus;
  transactionHash?: Hex;
  blockNumber?: bigint;
  failure?: string;
}

export interface BookOrder {
  orderHash: Hex;
  order: Order;
  signature: Hex;
  domain: OrderDomain;
  /** The API key that posted it; only that key may read it back. */
  owner: string;
  orderType: OrderType;
  expiration: bigint;
  createdAtMs: number;
  trade: Trade;
}

/** Accepted orders by EIP-712 hash: the venue's dedupe key. */
export class OrderStore {
  private readonly orders = new Map<Hex, BookOrder>();

  has(orderHash: Hex): boolean {
    return this.orders.has(orderHash);
  }

  get(orderHash: Hex): BookOrder | undefined {
    return this.orders.get(orderHash);
  }

  get size(): number {
    return this.orders.size;
  }

  /**
   * Adds the order unless its hash is taken. Synchronous (no await between the check and the insert), so of two
   * concurrent POSTs of the same order exactly one wins, whatever their verification did meanwhile.
   */
  claim(entry: BookOrder): boolean {
    if (this.orders.has(entry.orderHash)) return false;
    this.orders.set(entry.orderHash, entry);
    return true;
  }
}
