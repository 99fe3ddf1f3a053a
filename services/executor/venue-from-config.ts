import type { SignedOrder } from "../polymarket/order";
import { OrderBookClient, type SubmitAttempt } from "../venue/order-book-client";
import type { SubscriberAccount } from "./accounts";
import type { ExecutorConfig } from "./config";

/** The production venue: the order book over HTTP, each order posted with the API account of its maker's subscriber. */
export function venueFromConfig(
  config: ExecutorConfig["venue"],
  accounts: ReadonlyMap<string, SubscriberAccount>,
  onAttempt?: (attempt: SubmitAttempt) => void,
): OrderBookClient {
  const byMaker = new Map([...accounts.values()].map((account) => [account.maker.toLowerCase(), account.api]));
  return new OrderBookClient({
    baseUrl: config.url,
    accountFor: (signed: SignedOrder) => byMaker.get(signed.order.maker.toLowerCase()),
    attemptTimeoutMs: config.attemptTimeoutMs,
    maxSockets: config.maxInFlight,
    ...(onAttempt ? { onAttempt } : {}),
  });
}
