import { getAddress, type Address, type Hex } from "viem";
import { intentId } from "./intent-id";
import type { BusMessage, CancelIntent, CopyIntent, CopyOrder } from "./intent";
import { CANCEL_REASONS, INTENT_VERSION } from "./version";

/** One problem of a payload: the dotted field path ("" for the payload itself) and what is wrong with it. */
export interface PayloadIssue {
  path: string;
  message: string;
}

/**
 * The bus message a parsed JSON value holds, checked by hand: the same rules, field order and messages as the zod
 * schemas in intent.ts (test/intents/validate-parity.test.ts holds the two side by side), at about a fifth of the
 * cost on the executor's hot path. Unknown fields are dropped. The cross-field checks (the id belongs to its fill and
 * subscriber; the order copies the fill's side and token) run only once the fields they read are valid, so a bad
 * field is named as such rather than surfacing as an encoding error.
 */
export function readBusMessage(json: unknown): BusMessage | PayloadIssue[] {
  if (!isRecord(json)) return [{ path: "", message: KIND_MESSAGE }];
  if (json.kind === "intent") return readIntent(json);
  if (json.kind === "cancel") return readCancel(json);
  return [{ path: "kind", message: KIND_MESSAGE }];
}

const KIND_MESSAGE = 'kind must be "intent" or "cancel"';
const VERSION_MESSAGE = `unsupported version (this build reads ${INTENT_VERSION})`;
const DECIMAL = /^(0|[1-9][0-9]*)$/;
const HASH32 = /^0x[0-9a-fA-F]{64}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
/** Marks a field that failed; its issue is already recorded. */
const BAD = Symbol("bad field");
type Read<T> = T | typeof BAD;

/** Collects issues under a path prefix, as zod reports nested fields. */
class Issues {
  readonly list: PayloadIssue[] = [];

  add(path: string, message: string): typeof BAD {
    this.list.push({ path, message });
    return BAD;
  }

  bigint(value: unknown, path: string): Read<bigint> {
    if (typeof value !== "string") return this.add(path, "must be a decimal integer string");
    if (!DECIMAL.test(value)) return this.add(path, "must be a non-negative decimal integer string");
    return BigInt(value);
  }

  positiveBigint(value: unknown, path: string): Read<bigint> {
    const read = this.bigint(value, path);
    if (read !== BAD && read <= 0n) return this.add(path, "must be > 0");
    return read;
  }

  hash32(value: unknown, path: string): Read<Hex> {
    if (typeof value !== "string" || !HASH32.test(value)) return this.add(path, "must be a 32-byte hex string");
    return value.toLowerCase() as Hex;
  }

  address(value: unknown, path: string): Read<Address> {
    if (typeof value !== "string" || !ADDRESS.test(value)) return this.add(path, "must be a 20-byte hex address");
    return getAddress(value);
  }

  /** A JSON number passing `ok`; zod's finite() matters because JSON.parse reads 1e400 as Infinity. */
  number(value: unknown, path: string, message: string, ok: (n: number) => boolean): Read<number> {
    if (typeof value !== "number" || !Number.isFinite(value) || !ok(value)) return this.add(path, message);
    return value;
  }

  oneOf<T extends string>(value: unknown, allowed: readonly T[], path: string, message: string): Read<T> {
    return typeof value === "string" && (allowed as readonly string[]).includes(value) ? (value as T) : this.add(path, message);
  }

  version(value: unknown): Read<typeof INTENT_VERSION> {
    return value === INTENT_VERSION ? INTENT_VERSION : this.add("version", VERSION_MESSAGE);
  }

  subscriberId(value: unknown): Read<string> {
    if (typeof value !== "string") return this.add("subscriberId", "must be a string");
    if (value.length === 0) return this.add("subscriberId", "must not be empty");
    return value;
  }

  epochMs(value: unknown, path: string): Read<number> {
    return this.number(value, path, "must be epoch milliseconds", (n) => n >= 0);
  }

  /** A nested object; zod names the received type of anything else. */
  record(value: unknown, path: string): Record<string, unknown> | typeof BAD {
    return isRecord(value) ? value : this.add(path, `Invalid input: expected object, received ${received(value)}`);
  }
}

const SIDES = ["BUY", "SELL"] as const;
const LAYOUTS = ["v1", "v2"] as const;

function readIntent(json: Record<string, unknown>): CopyIntent | PayloadIssue[] {
  const issues = new Issues();
  const version = issues.version(json.version);
  const id = issues.hash32(json.id, "id");
  const chainId = issues.number(json.chainId, "chainId", "must be a chain id", (n) => Number.isSafeInteger(n) && n > 0);
  const subscriberId = issues.subscriberId(json.subscriberId);
  const leader = issues.address(json.leader, "leader");
  const source = readSource(json.source, issues);
  const order = readOrder(json.order, issues);
  const timestamps = readTimestamps(json.timestamps, issues);
  if (
    version === BAD ||
    id === BAD ||
    chainId === BAD ||
    subscriberId === BAD ||
    leader === BAD ||
    source === BAD ||
    order === BAD ||
    timestamps === BAD
  ) {
    return issues.list;
  }
  if (id !== intentId(chainId, source.txHash, source.logIndex, subscriberId)) {
    issues.add("id", "does not match intentId(chainId, source.txHash, source.logIndex, subscriberId)");
  }
  if (order.side !== source.side || order.tokenId !== source.tokenId) {
    issues.add("order", "must copy the source fill's side and token");
  }
  if (issues.list.length > 0) return issues.list;
  return { kind: "intent", version, id, chainId, subscriberId, leader, source, order, timestamps };
}

function readSource(value: unknown, issues: Issues): Read<CopyIntent["source"]> {
  const json = issues.record(value, "source");
  if (json === BAD) return BAD;
  const at = (field: string) => `source.${field}`;
  const source = {
    exchange: issues.address(json.exchange, at("exchange")),
    layout: issues.oneOf(json.layout, LAYOUTS, at("layout"), 'must be "v1" or "v2"'),
    txHash: issues.hash32(json.txHash, at("txHash")),
    // Within the id's uint32: zod's schema lets a larger index through to intentId, which then throws.
    logIndex: issues.number(json.logIndex, at("logIndex"), "must be a number", (n) => Number.isInteger(n) && n >= 0 && n <= 0xffff_ffff),
    blockNumber: issues.bigint(json.blockNumber, at("blockNumber")),
    blockHash: issues.hash32(json.blockHash, at("blockHash")),
    blockTimestamp: issues.number(json.blockTimestamp, at("blockTimestamp"), "must be unix seconds", (n) => Number.isSafeInteger(n) && n > 0),
    tokenId: issues.bigint(json.tokenId, at("tokenId")),
    side: issues.oneOf(json.side, SIDES, at("side"), 'must be "BUY" or "SELL"'),
    price: issues.number(json.price, at("price"), "must be a number", (n) => n >= 0),
    collateralAmount: issues.bigint(json.collateralAmount, at("collateralAmount")),
    shareAmount: issues.bigint(json.shareAmount, at("shareAmount")),
  };
  return Object.values(source).includes(BAD) ? BAD : (source as CopyIntent["source"]);
}

/** BUY carries collateralAmount, SELL shareAmount; the other one is dropped like any unknown field. */
function readOrder(value: unknown, issues: Issues): Read<CopyOrder> {
  if (!isRecord(value) || (value.side !== "BUY" && value.side !== "SELL")) {
    return issues.add(isRecord(value) ? "order.side" : "order", 'must have side "BUY" or "SELL"');
  }
  const amount =
    value.side === "BUY"
      ? issues.positiveBigint(value.collateralAmount, "order.collateralAmount")
      : issues.positiveBigint(value.shareAmount, "order.shareAmount");
  const tokenId = issues.bigint(value.tokenId, "order.tokenId");
  let limitPriceMicros = issues.bigint(value.limitPriceMicros, "order.limitPriceMicros");
  if (limitPriceMicros !== BAD && !(limitPriceMicros > 0n && limitPriceMicros < 1_000_000n)) {
    limitPriceMicros = issues.add("order.limitPriceMicros", "must be in (0, 1000000)");
  }
  const maxSlippageBps = issues.number(value.maxSlippageBps, "order.maxSlippageBps", "must be basis points", (n) => Number.isSafeInteger(n) && n >= 0 && n <= 9_999);
  if (amount === BAD || tokenId === BAD || limitPriceMicros === BAD || maxSlippageBps === BAD) return BAD;
  return value.side === "BUY"
    ? { side: "BUY", collateralAmount: amount, tokenId, limitPriceMicros, maxSlippageBps }
    : { side: "SELL", shareAmount: amount, tokenId, limitPriceMicros, maxSlippageBps };
}

function readTimestamps(value: unknown, issues: Issues): Read<CopyIntent["timestamps"]> {
  const json = issues.record(value, "timestamps");
  if (json === BAD) return BAD;
  const fillFirstSeenAtMs = issues.epochMs(json.fillFirstSeenAtMs, "timestamps.fillFirstSeenAtMs");
  const intentCreatedAtMs = issues.epochMs(json.intentCreatedAtMs, "timestamps.intentCreatedAtMs");
  return fillFirstSeenAtMs === BAD || intentCreatedAtMs === BAD ? BAD : { fillFirstSeenAtMs, intentCreatedAtMs };
}

function readCancel(json: Record<string, unknown>): CancelIntent | PayloadIssue[] {
  const issues = new Issues();
  const version = issues.version(json.version);
  const id = issues.hash32(json.id, "id");
  const subscriberId = issues.subscriberId(json.subscriberId);
  const reason = issues.oneOf(json.reason, CANCEL_REASONS, "reason", `must be one of ${CANCEL_REASONS.join(", ")}`);
  const cancelledAtMs = issues.epochMs(json.cancelledAtMs, "cancelledAtMs");
  if (version === BAD || id === BAD || subscriberId === BAD || reason === BAD || cancelledAtMs === BAD) return issues.list;
  return { kind: "cancel", version, id, subscriberId, reason, cancelledAtMs };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** zod's name for the type of a value it expected to be an object. */
function received(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}
