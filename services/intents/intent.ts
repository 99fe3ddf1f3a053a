import { getAddress, type Address, type Hex } from "viem";
import { z } from "zod";
import { intentId } from "./intent-id";
import { readBusMessage, type PayloadIssue } from "./validate";
import { CANCEL_REASONS, INTENT_VERSION } from "./version";

export { CANCEL_REASONS, INTENT_VERSION };

/*
 * The message the listener publishes and the executor consumes. JSON on the wire with bigints as decimal strings;
 * amounts are 6-decimal micro-units and prices micro-units of collateral per share (1_000_000 = 1.0).
 * Unknown fields are dropped on decode, so a newer listener may add fields without breaking an older executor; a
 * change in meaning bumps `version`, which an older executor rejects.
 *
 * The zod schemas below are the format's definition and its types. Consumers decode with the hand-written
 * readBusMessage (validate.ts): the same rules at about a fifth of zod's cost, the id's keccak aside (paid by both);
 * a parity test holds the two together.
 */

const bigintString = z
  .string({ error: "must be a decimal integer string" })
  .regex(/^(0|[1-9][0-9]*)$/, "must be a non-negative decimal integer string")
  .transform((value) => BigInt(value));
const positiveBigintString = bigintString.refine((value) => value > 0n, "must be > 0");
const hash32 = z
  .string({ error: "must be a 32-byte hex string" })
  .regex(/^0x[0-9a-fA-F]{64}$/, "must be a 32-byte hex string")
  .transform((value) => value.toLowerCase() as Hex);
const address = z
  .string({ error: "must be a 20-byte hex address" })
  .regex(/^0x[0-9a-fA-F]{40}$/, "must be a 20-byte hex address")
  .transform((value): Address => getAddress(value));
const side = z.enum(["BUY", "SELL"], { error: 'must be "BUY" or "SELL"' });
const epochMs = z.number({ error: "must be epoch milliseconds" }).finite().nonnegative();
const version = z.literal(INTENT_VERSION, { error: `unsupported version (this build reads ${INTENT_VERSION})` });
const subscriberId = z.string({ error: "must be a string" }).min(1, "must not be empty");
/** Strictly inside (0, 1): the order book takes no order at 0 or 1. */
const limitPriceMicros = bigintString.refine((value) => value > 0n && value < 1_000_000n, "must be in (0, 1000000)");
const maxSlippageBps = z.number({ error: "must be basis points" }).int().min(0).max(9_999);

const sourceFillSchema = z.object({
  exchange: address,
  layout: z.enum(["v1", "v2"], { error: 'must be "v1" or "v2"' }),
  txHash: hash32,
  logIndex: z.number({ error: "must be a number" }).int().nonnegative(),
  blockNumber: bigintString,
  blockHash: hash32,
  /** Unix seconds of the fill's block: the same in every region, so the executor derives the order timestamp from it. */
  blockTimestamp: z.number({ error: "must be unix seconds" }).int().positive(),
  tokenId: bigintString,
  side,
  /** The leader's price as the detector rendered it (float); the exact price is collateralAmount / shareAmount. */
  price: z.number({ error: "must be a number" }).finite().nonnegative(),
  collateralAmount: bigintString,
  shareAmount: bigintString,
});

const orderCommon = { tokenId: bigintString, limitPriceMicros, maxSlippageBps };
/** BUY spends `collateralAmount`; SELL sells `shareAmount` (the executor clamps it to what the subscriber holds). */
const orderSchema = z.discriminatedUnion(
  "side",
  [
    z.object({ side: z.literal("BUY"), collateralAmount: positiveBigintString, ...orderCommon }),
    z.object({ side: z.literal("SELL"), shareAmount: positiveBigintString, ...orderCommon }),
  ],
  { error: 'must have side "BUY" or "SELL"' },
);

export const copyIntentSchema = z
  .object({
    kind: z.literal("intent"),
    version,
    /** intentId(chainId, source.txHash, source.logIndex, subscriberId): the dedupe key end to end. */
    id: hash32,
    chainId: z.number({ error: "must be a chain id" }).int().positive(),
    subscriberId,
    leader: address,
    source: sourceFillSchema,
    order: orderSchema,
    timestamps: z.object({
      /** When this listener first saw the leader's fill (any detection path). */
      fillFirstSeenAtMs: epochMs,
      intentCreatedAtMs: epochMs,
    }),
  })
  // An id that does not match its fill would defeat dedupe downstream (two ids, one fill, two orders).
  .refine(
    (intent) =>
      intent.id === intentId(intent.chainId, intent.source.txHash, intent.source.logIndex, intent.subscriberId),
    {
      message: "does not match intentId(chainId, source.txHash, source.logIndex, subscriberId)",
      path: ["id"],
    },
  )
  .refine((intent) => intent.order.side === intent.source.side && intent.order.tokenId === intent.source.tokenId, {
    message: "must copy the source fill's side and token",
    path: ["order"],
  });

/** Withdraws an intent: its fill was reorged out, or an operator pulled it. The executor drops it if not yet placed. */
export const cancelIntentSchema = z.object({
  kind: z.literal("cancel"),
  version,
  id: hash32,
  subscriberId,
  reason: z.enum(CANCEL_REASONS, { error: `must be one of ${CANCEL_REASONS.join(", ")}` }),
  cancelledAtMs: epochMs,
});

export const busMessageSchema = z.discriminatedUnion("kind", [copyIntentSchema, cancelIntentSchema], {
  error: 'kind must be "intent" or "cancel"',
});

export type CopyIntent = z.output<typeof copyIntentSchema>;
export type CopyOrder = CopyIntent["order"];
export type CancelIntent = z.output<typeof cancelIntentSchema>;
export type BusMessage = CopyIntent | CancelIntent;

/**
 * Serialises a bus message. No validation here: it sits on the detect → intent hot path (a zod pass with the id's
 * keccak costs 0.1–0.5 ms per intent), intents come only from buildIntents, whose output the tests decode, and every
 * consumer validates with decodeMessage, where untrusted bytes actually arrive.
 */
export function encodeMessage(message: BusMessage): string {
  return JSON.stringify(message, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value));
}

/** Parses and validates a bus message; throws `bad intent payload: <field path>: <problem>` on anything malformed. */
export function decodeMessage(payload: string | Uint8Array): BusMessage {
  const read = readBusMessage(parsePayload(payload));
  if (Array.isArray(read)) throw new Error(`bad intent payload: ${describeIssues(read)}`);
  return read;
}

/** JSON.parse with the error every consumer reports for bytes that are not JSON. */
export function parsePayload(payload: string | Uint8Array): unknown {
  const text = typeof payload === "string" ? payload : decoder.decode(payload);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`bad intent payload: not JSON (${(err as Error).message})`);
  }
}

const decoder = new TextDecoder();

/** `<field path>: <problem>; …`, the root named "(root)". */
export function describeIssues(issues: readonly PayloadIssue[]): string {
  return issues.map((issue) => `${issue.path || "(root)"}: ${issue.message}`).join("; ");
}

export function encodeIntent(intent: CopyIntent): string {
  return encodeMessage(intent);
}

/** Like decodeMessage, for a payload that must be an intent (not a cancel). */
export function decodeIntent(payload: string | Uint8Array): CopyIntent {
  const message = decodeMessage(payload);
  if (message.kind !== "intent") throw new Error(`bad intent payload: kind: expected "intent", got "${message.kind}"`);
  return message;
}
