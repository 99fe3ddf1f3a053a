import { getAddress, isAddress, type Hex } from "viem";
import { z } from "zod";
import { ORDER_SIDES, type Order, type SignedOrder } from "../polymarket/order";
import type { OrderType } from "./venue";

/**
 * The JSON of `POST /order` for a V2/V3 order, field for field as Polymarket's clients build it (clob-client-v2
 * `orderToJsonV2`, py-clob-client-v2 `order_to_json_v2`): salt as a JSON number, big integers as decimal strings,
 * side as "BUY"/"SELL", expiration (unix seconds, "0" unless GTD) outside the signed struct, `owner` = the API key.
 * The domain is not sent: the venue knows each token's exchange.
 */
export interface WireOrder {
  salt: number;
  maker: string;
  signer: string;
  tokenId: string;
  makerAmount: string;
  takerAmount: string;
  side: "BUY" | "SELL";
  expiration: string;
  signatureType: number;
  timestamp: string;
  metadata: string;
  builder: string;
  signature: string;
}

export interface PostOrderBody {
  order: WireOrder;
  owner: string;
  orderType: OrderType;
  deferExec: boolean;
  postOnly: boolean;
}

/** An order as the venue received it, before it knows the domain (from the token) or checks the signature. */
export interface ReceivedOrder {
  order: Order;
  signature: Hex;
  /** Unix seconds; 0 = none. */
  expiration: bigint;
  owner: string;
  orderType: OrderType;
}

/** Why a salt can be refused before sending: the venue reads it as a JSON number, exact only up to 2^53 - 1. */
export function unsendableSaltReason(salt: bigint): string | undefined {
  return salt <= BigInt(Number.MAX_SAFE_INTEGER) ? undefined : `salt ${salt} exceeds 2^53-1, the venue's JSON number range`;
}

export function toPostOrderBody(signed: SignedOrder, owner: string, orderType: OrderType, expiration = 0n): PostOrderBody {
  const o = signed.order;
  const saltProblem = unsendableSaltReason(o.salt);
  if (saltProblem) throw new Error(saltProblem);
  return {
    order: {
      salt: Number(o.salt),
      maker: o.maker,
      signer: o.signer,
      tokenId: o.tokenId.toString(),
      makerAmount: o.makerAmount.toString(),
      takerAmount: o.takerAmount.toString(),
      side: o.side === ORDER_SIDES.BUY ? "BUY" : "SELL",
      expiration: expiration.toString(),
      signatureType: o.signatureType,
      timestamp: o.timestamp.toString(),
      metadata: o.metadata,
      builder: o.builder,
      signature: signed.signature,
    },
    owner,
    orderType,
    deferExec: false,
    postOnly: false,
  };
}

const UINT256_MAX = (1n << 256n) - 1n;
const uint = z
  .string()
  .regex(/^\d{1,78}$/, "a decimal integer string")
  .transform((v) => BigInt(v))
  .refine((v) => v <= UINT256_MAX, "at most 2^256-1");
const address = z.string().refine((v) => isAddress(v, { strict: false }), "an address").transform((v) => getAddress(v));
const bytes32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "32 bytes of hex").transform((v) => v.toLowerCase() as Hex);

const wireOrderSchema = z.object({
  salt: z.number().int().nonnegative().refine(Number.isSafeInteger, "a safe integer"),
  maker: address,
  signer: address,
  tokenId: uint,
  makerAmount: uint,
  takerAmount: uint,
  side: z.enum(["BUY", "SELL"]),
  expiration: uint,
  signatureType: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)]),
  timestamp: uint,
  metadata: bytes32,
  builder: bytes32,
  signature: z.string().regex(/^0x([0-9a-fA-F]{2})+$/, "hex bytes").transform((v) => v.toLowerCase() as Hex),
});

const postOrderBodySchema = z.object({
  order: wireOrderSchema,
  owner: z.string().min(1),
  orderType: z.enum(["FAK", "FOK", "GTC", "GTD"]),
  deferExec: z.boolean().optional(),
  postOnly: z.boolean().optional(),
});

/** Parses a `POST /order` body; throws a ZodError naming the bad field. */
export function parsePostOrderBody(json: unknown): ReceivedOrder {
  const body = postOrderBodySchema.parse(json);
  const w = body.order;
  return {
    order: {
      salt: BigInt(w.salt),
      maker: w.maker,
      signer: w.signer,
      tokenId: w.tokenId,
      makerAmount: w.makerAmount,
      takerAmount: w.takerAmount,
      side: w.side === "BUY" ? ORDER_SIDES.BUY : ORDER_SIDES.SELL,
      signatureType: w.signatureType,
      timestamp: w.timestamp,
      metadata: w.metadata,
      builder: w.builder,
    },
    signature: w.signature,
    expiration: w.expiration,
    owner: body.owner,
    orderType: body.orderType,
  };
}

/**
 * A successful `POST /order` answer (clob-client-v2 `OrderResponse`, docs "Create order"): status is one of matched,
 * live, delayed, unmatched. Errors come instead as `{"error": "..."}` with a 4xx/5xx status.
 */
export const orderResponseSchema = z.object({
  success: z.boolean(),
  errorMsg: z.string().optional().default(""),
  orderID: z.string().optional().default(""),
  status: z.string().optional().default(""),
  makingAmount: z.string().optional(),
  takingAmount: z.string().optional(),
  transactionsHashes: z.array(z.string()).optional(),
  tradeIDs: z.array(z.string()).optional(),
});
export type OrderResponse = z.infer<typeof orderResponseSchema>;

export const errorResponseSchema = z.object({ error: z.string() });
