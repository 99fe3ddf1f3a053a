import {
  getAddress,
  hashDomain,
  hexToBytes,
  keccak256,
  recoverTypedDataAddress,
  toHex,
  type Address,
  type Hex,
  type TypedDataDomain,
} from "viem";
import { keccakBytes, keccakHex } from "../shared/keccak";
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
  /** hashOrder(domain, order), set by whoever signed it so the executor and the venue client do not hash again. */
  orderHash?: Hex;
}

export function typedDataDomain(domain: OrderDomain): TypedDataDomain {
  return { name: ORDER_DOMAIN_NAME, version: domain.version, chainId: domain.chainId, verifyingContract: domain.verifyingContract };
}

const ORDER_TYPE_HASH = hexToBytes(keccak256(toHex(`Order(${ORDER_TYPES.Order.map((f) => `${f.type} ${f.name}`).join(",")})`)));
const DOMAIN_TYPES = {
  EIP712Domain: [
    { name: "name", type: "string" },
    { name: "version", type: "string" },
    { name: "chainId", type: "uint256" },
    { name: "verifyingContract", type: "address" },
  ],
} as const;
const domainSeparators = new Map<string, Uint8Array>();

function domainSeparator(domain: OrderDomain): Uint8Array {
  const key = `${domain.version}:${domain.chainId}:${domain.verifyingContract.toLowerCase()}`;
  let separator = domainSeparators.get(key);
  if (!separator) {
    const fields = { name: ORDER_DOMAIN_NAME, version: domain.version, chainId: BigInt(domain.chainId), verifyingContract: domain.verifyingContract };
    separator = hexToBytes(hashDomain({ domain: fields, types: DOMAIN_TYPES }));
    domainSeparators.set(key, separator);
  }
  return separator;
}

/**
 * The EIP-712 digest the signer signs and the venue dedupes on: keccak(0x1901 ‖ domain separator ‖ struct hash).
 * Written out for this one fixed struct (twelve static words) because viem's generic hashTypedData validates and walks
 * the types on every call: 170 µs against 25 µs here, which is a third of the signing budget in a 1,000-order fan-out.
 * test/polymarket/order.test.ts checks it equals viem's hashTypedData on random orders for every domain.
 */
export function hashOrder(domain: OrderDomain, order: Order): Hex {
  const struct = new Uint8Array(32 * 12);
  struct.set(ORDER_TYPE_HASH, 0);
  const words: (bigint | Hex)[] = [
    order.salt,
    order.maker,
    order.signer,
    order.tokenId,
    order.makerAmount,
    order.takerAmount,
    BigInt(order.side),
    BigInt(order.signatureType),
    order.timestamp,
    order.metadata,
    order.builder,
  ];
  words.forEach((word, i) => writeWord(struct, 32 * (i + 1), word));
  const digestInput = new Uint8Array(2 + 32 + 32);
  digestInput[0] = 0x19;
  digestInput[1] = 0x01;
  digestInput.set(domainSeparator(domain), 2);
  digestInput.set(keccakBytes(struct), 34);
  return keccakHex(digestInput);
}

const UINT256_MAX = (1n << 256n) - 1n;

/** One ABI word: an unsigned integer, or a left-padded address / bytes32 given as hex. */
function writeWord(target: Uint8Array, offset: number, word: bigint | Hex): void {
  if (typeof word === "bigint") {
    if (word < 0n || word > UINT256_MAX) throw new Error(`order field out of uint256 range: ${word}`);
    let value = word;
    for (let i = 31; i >= 0 && value > 0n; i--) {
      target[offset + i] = Number(value & 0xffn);
      value >>= 8n;
    }
    return;
  }
  const bytes = hexToBytes(word);
  if (bytes.length !== 20 && bytes.length !== 32) throw new Error(`order field must be an address or bytes32, got ${bytes.length} bytes`);
  target.set(bytes, offset + 32 - bytes.length);
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

/** JSON of a signed order with integers as decimal strings: what the journal stores to resend byte for byte. */
export function encodeSignedOrder(signed: SignedOrder): string {
  return JSON.stringify(signed, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value));
}

const BIGINT_FIELDS = ["salt", "tokenId", "makerAmount", "takerAmount", "timestamp"] as const;

export function decodeSignedOrder(text: string): SignedOrder {
  const raw = JSON.parse(text) as { domain: OrderDomain; order: Record<string, unknown>; signature: Hex };
  const order = { ...raw.order } as Record<string, unknown>;
  for (const field of BIGINT_FIELDS) {
    if (typeof order[field] !== "string" || !/^[0-9]+$/.test(order[field] as string)) throw new Error(`signed order: ${field} is not a decimal string`);
    order[field] = BigInt(order[field] as string);
  }
  return { domain: raw.domain, order: order as unknown as Order, signature: raw.signature };
}
