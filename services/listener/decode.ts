import type { Address, Hex } from "viem";
import {
  ORDER_FILLED_V1_TOPIC,
  ORDER_FILLED_V2_TOPIC,
  type ExchangeLayout,
} from "../polymarket/abi";
import { ChecksumCache } from "../polymarket/checksum-cache";
import type { ExchangeContract } from "../polymarket/exchanges";
import { fillKey, type Fill, type Side } from "./fill";

/** The fields of an RPC log the decoder reads; RPC payloads are untrusted, so every field is checked. */
export interface RawLog {
  address?: unknown;
  topics?: unknown;
  data?: unknown;
  blockNumber?: unknown;
  blockHash?: unknown;
  transactionHash?: unknown;
  logIndex?: unknown;
  removed?: unknown;
  blockTimestamp?: unknown;
}

export class MalformedLogError extends Error {
  constructor(readonly what: string, message: string) {
    super(message);
    this.name = "MalformedLogError";
  }
}

const HASH = /^0x[0-9a-fA-F]{64}$/;
const QUANTITY = /^0x[0-9a-fA-F]{1,64}$/;
/** A log index fits 32 bits (the intent id packs it as uint32); anything longer is a malformed answer. */
const LOG_INDEX = /^0x[0-9a-fA-F]{1,8}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** Where a validated log sits on chain. */
export interface LogPosition {
  /** Lower case: checksummed only once the log turns out to be a leader's fill. */
  exchange: string;
  blockNumber: bigint;
  blockHash: Hex;
  txHash: Hex;
  logIndex: number;
  topics: Hex[];
  data: Hex;
  removed: boolean;
  /** Unix seconds, when the provider includes it (geth ≥ 1.16 and anvil do); else the detector takes it from the header. */
  blockTimestamp: number | undefined;
}

/** What the detector reads of every log before deciding whether it deserves a full validation and decode. */
export interface LogGlance {
  blockHash: Hex;
  /** Lower-case maker topic, if the log has one. */
  maker: string | undefined;
  removed: boolean;
}

/**
 * Reads only the block hash, the maker topic and the removed flag: most exchange logs are other traders' fills, and
 * four providers deliver each of them, so full validation is kept for the few that matter (a leader's, a removal).
 */
export function glanceAtLog(log: RawLog): LogGlance {
  if (typeof log !== "object" || log === null) throw new MalformedLogError("log", "log is not an object");
  if (typeof log.blockHash !== "string" || !HASH.test(log.blockHash)) {
    throw new MalformedLogError("blockHash", `log field blockHash is not valid: ${JSON.stringify(log.blockHash)?.slice(0, 80)}`);
  }
  if (!Array.isArray(log.topics)) throw new MalformedLogError("topics", "log has no topics");
  const makerTopic: unknown = log.topics[2];
  let maker: string | undefined;
  if (makerTopic !== undefined) {
    if (typeof makerTopic !== "string" || !HASH.test(makerTopic)) throw new MalformedLogError("topics.2", "log maker topic is not a 32-byte hex string");
    maker = makerOfTopics(log.topics as Hex[]);
  }
  return { blockHash: log.blockHash as Hex, maker, removed: log.removed === true };
}

const TOPICS_KEY = '"topics":["';
/** `"0x` + 64 hex digits + `",` + `"`: from one topic's first hex digit to the next one's. */
const TOPIC_STRIDE = 69;

/**
 * The maker of a log notification read off its JSON text, lower-case, without parsing it; undefined when the text is not
 * laid out as nodes write it (compact, topics as 32-byte strings), e.g. a head. Only decides how soon a frame is
 * handled: every frame is still parsed and validated, so a wrong guess costs latency, never a fill.
 */
export function makerInFrame(text: string): string | undefined {
  const start = text.indexOf(TOPICS_KEY);
  if (start < 0) return undefined;
  const maker = start + TOPICS_KEY.length + 2 * TOPIC_STRIDE;
  if (text.charCodeAt(maker - 1) !== 0x22 || text.charCodeAt(maker + 66) !== 0x22 || !text.startsWith("0x", maker)) return undefined;
  return `0x${text.slice(maker + 26, maker + 66)}`.toLowerCase();
}

const TX_HASH_KEY = '"transactionHash":"';
const LOG_INDEX_KEY = '"logIndex":"0x';

/**
 * fillKey of a log notification read off its JSON text, or undefined when it is not laid out as expected. Like
 * makerInFrame, it only decides how soon a frame is handled.
 */
export function fillKeyInFrame(text: string): string | undefined {
  const tx = text.indexOf(TX_HASH_KEY);
  const index = text.indexOf(LOG_INDEX_KEY);
  if (tx < 0 || index < 0) return undefined;
  const txStart = tx + TX_HASH_KEY.length;
  const indexStart = index + LOG_INDEX_KEY.length;
  const indexEnd = text.indexOf('"', indexStart);
  if (text.charCodeAt(txStart + 66) !== 0x22 || indexEnd < 0 || indexEnd - indexStart > 8) return undefined;
  const logIndex = Number.parseInt(text.slice(indexStart, indexEnd), 16);
  return Number.isNaN(logIndex) ? undefined : fillKey({ txHash: text.slice(txStart, txStart + 66) as Hex, logIndex });
}

/** Validates the envelope of an RPC log; a pending log (no block yet) or a bad field is malformed. */
export function readLogPosition(log: RawLog): LogPosition {
  const field = (name: string, value: unknown, pattern: RegExp): string => {
    if (typeof value !== "string" || !pattern.test(value)) {
      throw new MalformedLogError(name, `log field ${name} is not valid: ${JSON.stringify(value)?.slice(0, 80)}`);
    }
    return value;
  };
  if (!Array.isArray(log.topics) || log.topics.length === 0) {
    throw new MalformedLogError("topics", "log has no topics");
  }
  const topics = log.topics.map((t, i) => field(`topics.${i}`, t, HASH) as Hex);
  if (typeof log.data !== "string" || !/^0x([0-9a-fA-F]{2})*$/.test(log.data)) {
    throw new MalformedLogError("data", "log field data is not hex bytes");
  }
  return {
    exchange: field("address", log.address, ADDRESS).toLowerCase(),
    blockNumber: BigInt(field("blockNumber", log.blockNumber, QUANTITY)),
    blockHash: field("blockHash", log.blockHash, HASH) as Hex,
    txHash: field("transactionHash", log.transactionHash, HASH) as Hex,
    logIndex: Number(field("logIndex", log.logIndex, LOG_INDEX)),
    topics,
    data: log.data as Hex,
    removed: log.removed === true,
    blockTimestamp: log.blockTimestamp === undefined ? undefined : Number(BigInt(field("blockTimestamp", log.blockTimestamp, QUANTITY))),
  };
}

/** Maps exchange address → layout; built once from config. */
export class ExchangeIndex {
  private readonly layouts = new Map<string, ExchangeLayout>();
  constructor(exchanges: readonly ExchangeContract[]) {
    for (const e of exchanges) this.layouts.set(e.address.toLowerCase(), e.layout);
  }
  layoutOf(address: string): ExchangeLayout | undefined {
    return this.layouts.get(address.toLowerCase());
  }
  get addresses(): Address[] {
    return [...this.layouts.keys()].map((a) => checksums.of(a));
  }
}

const checksums = new ChecksumCache();

/**
 * Static words in OrderFilled's `data` (the indexed parameters are in the topics). V1: makerAssetId, takerAssetId,
 * makerAmountFilled, takerAmountFilled, fee. V2/V3: side, tokenId, makerAmountFilled, takerAmountFilled, fee, builder,
 * metadata.
 */
const DATA_WORDS: Record<ExchangeLayout, number> = { v1: 5, v2: 7 };

/**
 * Word `index` of log data already checked to be hex. Every parameter read is a static word, so this is what viem's
 * decodeAbiParameters does for them, minus its generic walk (10–15 µs per fill, a quarter of the detect stage's CPU);
 * test/listener/decode.test.ts holds the two equal on random logs of both layouts.
 */
function dataWord(data: Hex, index: number): bigint {
  return BigInt(`0x${data.slice(2 + 64 * index, 66 + 64 * index)}`);
}

/** The maker topic of an OrderFilled log, lower-cased, read without decoding: most fills on chain are not leaders'. */
export function makerOfTopics(topics: readonly Hex[]): string | undefined {
  const topic = topics[2];
  return topic ? `0x${topic.slice(26)}`.toLowerCase() : undefined;
}

/**
 * Decodes an OrderFilled log into a leader Fill, or returns undefined when the log is not an OrderFilled or its maker
 * is not a leader. Leaders are matched on maker only: the taker appearance is the counterparty's fill.
 */
export function decodeLeaderFill(
  position: LogPosition,
  blockTimestamp: number,
  chainId: number,
  exchanges: ExchangeIndex,
  isLeader: (makerLowerCase: string) => boolean,
): Fill | undefined {
  const layout = exchanges.layoutOf(position.exchange);
  if (!layout) return undefined;
  const topic0 = position.topics[0];
  const expected = layout === "v1" ? ORDER_FILLED_V1_TOPIC : ORDER_FILLED_V2_TOPIC;
  if (topic0 !== expected) return undefined;
  const maker = makerOfTopics(position.topics);
  if (!maker || !isLeader(maker)) return undefined;

  if (position.topics.length !== 4) {
    throw new MalformedLogError("topics", `OrderFilled needs 4 topics, got ${position.topics.length}`);
  }
  const bytes = (position.data.length - 2) / 2;
  if (bytes < DATA_WORDS[layout] * 32) {
    throw new MalformedLogError("abi", `OrderFilled log does not decode as ${layout}: data is ${bytes} bytes, needs ${DATA_WORDS[layout] * 32}`);
  }
  const amounts = layout === "v1" ? readV1(position.data) : readV2(position.data);
  if (amounts.shareAmount === 0n || amounts.collateralAmount === 0n) {
    throw new MalformedLogError("amounts", `OrderFilled with a zero amount (tx ${position.txHash} log ${position.logIndex})`);
  }
  return {
    chainId,
    exchange: checksums.of(position.exchange),
    layout,
    blockNumber: position.blockNumber,
    blockHash: position.blockHash,
    blockTimestamp,
    txHash: position.txHash,
    logIndex: position.logIndex,
    orderHash: position.topics[1],
    maker: checksums.of(maker),
    ...amounts,
    price: Number(amounts.collateralAmount) / Number(amounts.shareAmount),
    fee: dataWord(position.data, 4),
  };
}

interface FillAmounts {
  side: Side;
  tokenId: bigint;
  collateralAmount: bigint;
  shareAmount: bigint;
}

/** V1: asset id 0 is collateral, so a maker giving asset 0 is buying. */
function readV1(data: Hex): FillAmounts {
  const makerAssetId = dataWord(data, 0);
  const takerAssetId = dataWord(data, 1);
  const made = dataWord(data, 2);
  const taken = dataWord(data, 3);
  if (makerAssetId === 0n && takerAssetId === 0n) {
    throw new MalformedLogError("assetIds", "V1 OrderFilled with both asset ids 0");
  }
  return makerAssetId === 0n
    ? { side: "BUY", tokenId: takerAssetId, collateralAmount: made, shareAmount: taken }
    : { side: "SELL", tokenId: makerAssetId, collateralAmount: taken, shareAmount: made };
}

/** V2/V3: explicit side; the maker gives collateral on a BUY and shares on a SELL. */
function readV2(data: Hex): FillAmounts {
  const side = dataWord(data, 0);
  const tokenId = dataWord(data, 1);
  const made = dataWord(data, 2);
  const taken = dataWord(data, 3);
  if (side === 0n) return { side: "BUY", tokenId, collateralAmount: made, shareAmount: taken };
  if (side === 1n) return { side: "SELL", tokenId, collateralAmount: taken, shareAmount: made };
  throw new MalformedLogError("side", `V2 OrderFilled with side ${side} (expected 0 or 1)`);
}
