import type { Hex } from "viem";
import type { SignedOrder } from "../polymarket/order";

/** FAK/FOK: market orders that never rest; GTC/GTD: limit orders. Copies are FAK unless configured otherwise. */
export type OrderType = "FAK" | "FOK" | "GTC" | "GTD";

/**
 * What happened to one submission. `unknown` means the venue may or may not have the order (timeout, connection reset
 * after the body was sent): the caller must not build a different order for the same intent, and may resend the same
 * bytes, which the venue dedupes by order hash.
 */
export type SubmitOutcome =
  | { kind: "accepted"; orderHash: Hex; status: string; venueOrderId: string }
  /**
   * The venue already holds this exact signed order (same hash): it landed. `afterUnknownAttempt` says it landed
   * through an earlier attempt of the same submit call whose answer was lost (timeout, reset, 5xx); without it the
   * order was placed before this call (e.g. by a previous run of the executor).
   */
  | { kind: "duplicate"; orderHash: Hex; afterUnknownAttempt?: true }
  | { kind: "rejected"; orderHash: Hex; reason: string }
  | { kind: "unknown"; orderHash: Hex; reason: string };

export interface SubmitOptions {
  orderType: OrderType;
  /**
   * Give up once this epoch-ms deadline passes: `unknown` if any attempt may have reached the venue, `rejected` when
   * none can have (nothing sent, connection refused, rate limited).
   */
  deadlineMs: number;
  /** GTD only: unix seconds after which the venue cancels the order. Sent in the body, not signed. */
  expiration?: bigint;
}

/** The order book: the production path for copy orders. */
export interface OrderVenue {
  submit(order: SignedOrder, options: SubmitOptions): Promise<SubmitOutcome>;
}
