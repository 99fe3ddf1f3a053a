import { getAddress, hashTypedData, recoverTypedDataAddress, type Address, type Hex, type TypedDataDomain } from "viem";
import { POLYGON_EXCHANGES } from "./exchanges";

/**
 * Polymarket CLOB V2 / ExchangeV3 orders (EIP-712). The struct is the same for both; only the domain's version and
 * verifying contract differ. `timestamp` is in milliseconds; expiration travels in the API body, not in the struct.
 */
export const ORDER_TYPES = {
  Order: [
    { name: "salt", type: "uint256" },
    { name: "maker", type: "address" },
    { name: "signer", type: "address" },
    { name: "tokenId", type: "uint256" },
    { name: "makerAmount", type: "uint256" },
    { name: "takerAmount", type: "uint256" },
    { name: "side", type: "uint8" },
    { name: "signatureType", type: "uint8" },
    { name: "timestamp", type: "uint256" },
    { name: "metadata", type: "bytes32" },
    { name: "builder", type: "bytes32" },
  ],
} as const;

export const ORDER_DOMAIN_NAME = "Polymarket CTF Exchange";

/** 0 EOA (signer = maker); 1 POLY_PROXY and 2 POLY_GNOSIS_SAFE (maker = wallet, signer = its owner EOA); 3 POLY_1271. */
export const SIGNATURE_TYPES = { EOA: 0, POLY_PROXY: 1, POLY_GNOSIS_SAFE: 2, POLY_1271: 3 } as const;
export type SignatureType = (typeof SIGNATURE_TYPES)[keyof typeof SIGNATURE_TYPES];

export const ORDER_SIDES = { BUY: 0, SELL: 1 } as const;
export type OrderSide = (typeof ORDER_SIDES)[keyof typeof ORDER_SIDES];

export interface Order {
  salt: bigint;
  maker: Address;
  signer: Address;
  tokenId: bigint;
  /** BUY: collateral paid; SELL: shares sold. 6-decimal fixed point. */
  makerAmount: bigint;
  /** BUY: shares wanted; SELL: collateral wanted. */
  takerAmount: bigint;
  side: OrderSide;
  signatureType: SignatureType;
  timestamp: bigint;
  metadata: Hex;
  builder: Hex;
}

/** "2": CTF Exchange V2 and NegRisk V2 (markets with version "v1"); "3": ExchangeV3 (markets with version "v2"). */
export type OrderDomainVersion = "2" | "3";

export interface OrderDomain {
  version: OrderDomainVersion;
  chainId: number;
  verifyingContract: Address;
}

export interface SignedOrder {
  domain: OrderDomain;
  order: Order;
  signature: Hex;
}

export function typedDataDomain(domain: OrderDomain): TypedDataDomain {
  return { name: ORDER_DOMAIN_NAME, version: domain.version, chainId: domain.chainId, verifyingContract: domain.verifyingContract };
}

/** The EIP-712 digest the signer signs and the venue dedupes on. */
export function hashOrder(domain: OrderDomain, order: Order): Hex {
  return hashTypedData({ domain: typedDataDomain(domain), types: ORDER_TYPES, primaryType: "Order", message: order });
}

/** The EOA whose key produced `signature` (for type 3 the venue asks the wallet instead, via ERC-1271). */
export function recoverOrderSigner(signed: SignedOrder): Promise<Address> {
  return recoverTypedDataAddress({
    domain: typedDataDomain(signed.domain),
    types: ORDER_TYPES,
    primaryType: "Order",
    message: signed.order,
    signature: signed.signature,
  });
}

const EXCHANGE_BY_NAME = new Map(POLYGON_EXCHANGES.map((exchange) => [exchange.name, exchange.address]));

/**
 * Where an order copying a fill must go. Legacy V1 exchanges no longer accept orders, so a fill seen there is copied
 * on its V2 counterpart (neg-risk stays neg-risk); ExchangeV3 markets stay on ExchangeV3 with domain version "3".
 */
export const ORDER_ROUTES: Readonly<Record<string, { exchange: string; version: OrderDomainVersion }>> = {
  "ctf-exchange-v1": { exchange: "ctf-exchange-v2", version: "2" },
  "ctf-exchange-v2": { exchange: "ctf-exchange-v2", version: "2" },
  "negrisk-ctf-exchange-v1": { exchange: "negrisk-ctf-exchange-v2", version: "2" },
  "negrisk-ctf-exchange-v2": { exchange: "negrisk-ctf-exchange-v2", version: "2" },
  "exchange-v3": { exchange: "exchange-v3", version: "3" },
};

/** The order domain for a fill seen on `sourceExchange`; throws naming the address when it is not a known exchange. */
export function orderDomainForSource(
  sourceExchange: Address,
  chainId: number,
  exchanges: ReadonlyMap<string, Address> = EXCHANGE_BY_NAME,
): OrderDomain {
  const source = getAddress(sourceExchange);
  const name = [...exchanges].find(([, address]) => address === source)?.[0];
  const route = name === undefined ? undefined : ORDER_ROUTES[name];
  const target = route && exchanges.get(route.exchange);
  if (!route || !target) throw new Error(`no order route for exchange ${source}: not one of ${[...exchanges.keys()].join(", ")}`);
  return { version: route.version, chainId, verifyingContract: target };
}
