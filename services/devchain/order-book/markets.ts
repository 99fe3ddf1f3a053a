import { getAddress, type Address } from "viem";
import { POLYGON_EXCHANGES, type ExchangeContract } from "../../polymarket/exchanges";
import { ORDER_ROUTES, type OrderDomain } from "../../polymarket/order";

/** A market the stand-in trades: its token and the exchange whose domain its orders are signed for. */
export interface MarketConfig {
  tokenId: bigint;
  exchange: Address;
}

/**
 * Which EIP-712 domain an order for a token must be signed with. The order body carries no domain: the venue knows it
 * from the market (CTF or NegRisk V2 with version "2", ExchangeV3 with "3"), so the stand-in is told per token.
 */
export class MarketDomains {
  private readonly byToken = new Map<bigint, OrderDomain>();
  private readonly fallback: OrderDomain | undefined;

  /**
   * Throws naming the address when an exchange is not one orders can be signed for (legacy V1 exchanges no longer
   * take orders). `defaultExchange` serves tokens that are not listed.
   */
  constructor(
    markets: readonly MarketConfig[],
    chainId: number,
    defaultExchange?: Address,
    exchanges: readonly ExchangeContract[] = POLYGON_EXCHANGES,
  ) {
    const domainOf = (address: Address): OrderDomain => {
      const target = getAddress(address);
      const name = exchanges.find((e) => e.address === target)?.name;
      const route = name === undefined ? undefined : ORDER_ROUTES[name];
      // Only an exchange that routes to itself takes orders; V1 exchanges route to their V2 successors.
      if (!route || route.exchange !== name) {
        const orderExchanges = Object.entries(ORDER_ROUTES).filter(([n, r]) => r.exchange === n).map(([n]) => n);
        throw new Error(`exchange ${target} does not take orders; order exchanges: ${orderExchanges.join(", ")}`);
      }
      return { version: route.version, chainId, verifyingContract: target };
    };
    for (const market of markets) this.byToken.set(market.tokenId, domainOf(market.exchange));
    this.fallback = defaultExchange === undefined ? undefined : domainOf(defaultExchange);
  }

  domainFor(tokenId: bigint): OrderDomain | undefined {
    return this.byToken.get(tokenId) ?? this.fallback;
  }
}
