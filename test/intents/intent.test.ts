import type { Hex } from "viem";
import {
  decodeIntent,
  decodeMessage,
  encodeIntent,
  encodeMessage,
  type CancelIntent,
  type CopyIntent,
} from "../../services/intents/intent";
import { intentId } from "../../services/intents/intent-id";

const TX = `0x${"cd".repeat(32)}` as Hex;
const BLOCK = `0x${"ab".repeat(32)}` as Hex;
const TOKEN = 71321045679252212594626385532706912750332728571942532289631379312455583992563n;

function intent(overrides: Partial<CopyIntent> = {}): CopyIntent {
  return {
    kind: "intent",
    version: 1,
    id: intentId(137, TX, 4, "alice"),
    chainId: 137,
    subscriberId: "alice",
    leader: "0x1000000000000000000000000000000000000001",
    source: {
      exchange: "0xE111180000d2663C0091e4f400237545B87B996B",
      layout: "v2",
      txHash: TX,
      logIndex: 4,
      blockNumber: 70_123_456n,
      blockHash: BLOCK,
      blockTimestamp: 1_764_000_000,
      tokenId: TOKEN,
      side: "BUY",
      price: 0.5,
      collateralAmount: 50_000_000n,
      shareAmount: 100_000_000n,
    },
    order: {
      side: "BUY",
      tokenId: TOKEN,
      collateralAmount: 5_000_000n,
      limitPriceMicros: 510_000n,
      maxSlippageBps: 200,
    },
    timestamps: { fillFirstSeenAtMs: 1_780_000_000_000.25, intentCreatedAtMs: 1_780_000_000_003.5 },
    ...overrides,
  };
}

const cancel: CancelIntent = {
  kind: "cancel",
  version: 1,
  id: intentId(137, TX, 4, "alice"),
  subscriberId: "alice",
  reason: "reorg",
  cancelledAtMs: 1_780_000_001_000,
};

/** Encodes, then edits the JSON, to produce payloads encodeMessage itself would refuse. */
function tampered(edit: (json: any) => void): string {
  const json = JSON.parse(encodeIntent(intent()));
  edit(json);
  return JSON.stringify(json);
}

describe("encode/decode", () => {
  test("round-trips an intent, with bigints as decimal strings on the wire", () => {
    const payload = encodeIntent(intent());
    const json = JSON.parse(payload);
    expect(json.source.tokenId).toBe(TOKEN.toString());
    expect(json.order).toEqual({
      side: "BUY",
      tokenId: TOKEN.toString(),
      collateralAmount: "5000000",
      limitPriceMicros: "510000",
      maxSlippageBps: 200,
    });
    expect(json.source.blockNumber).toBe("70123456");
    expect(decodeIntent(payload)).toEqual(intent());
    expect(decodeMessage(new TextEncoder().encode(payload))).toEqual(intent());
  });

  test("round-trips a SELL order (shares, not collateral)", () => {
    const sell = intent({
      source: { ...intent().source, side: "SELL" },
      order: {
        side: "SELL",
        tokenId: TOKEN,
        shareAmount: 10_000_000n,
        limitPriceMicros: 490_000n,
        maxSlippageBps: 200,
      },
    });
    expect(decodeIntent(encodeIntent(sell))).toEqual(sell);
  });

  test("round-trips a cancel", () => {
    expect(decodeMessage(encodeMessage(cancel))).toEqual(cancel);
    expect(() => decodeIntent(encodeMessage(cancel))).toThrow(
      'bad intent payload: kind: expected "intent", got "cancel"',
    );
  });

  test("ignores unknown fields, so a newer publisher does not break an older consumer", () => {
    expect(decodeIntent(tampered((j) => (j.routingHint = "eu")))).toEqual(intent());
  });
});

describe("bad payloads give a clear error naming the field", () => {
  test.each<[string, (json: any) => void, string]>([
    [
      "amount as a JSON number",
      (j) => (j.order.collateralAmount = 5000000),
      "order.collateralAmount: must be a decimal integer string",
    ],
    [
      "negative amount",
      (j) => (j.order.collateralAmount = "-5"),
      "order.collateralAmount: must be a non-negative decimal integer string",
    ],
    ["zero order amount", (j) => (j.order.collateralAmount = "0"), "order.collateralAmount: must be > 0"],
    [
      "limit price of 1",
      (j) => (j.order.limitPriceMicros = "1000000"),
      "order.limitPriceMicros: must be in (0, 1000000)",
    ],
    ["missing source tx hash", (j) => delete j.source.txHash, "source.txHash: must be a 32-byte hex string"],
    ["short block hash", (j) => (j.source.blockHash = "0x1234"), "source.blockHash: must be a 32-byte hex string"],
    ["bad leader", (j) => (j.leader = "0xnope"), "leader: must be a 20-byte hex address"],
    ["future version", (j) => (j.version = 2), "version: unsupported version (this build reads 1)"],
    ["unknown kind", (j) => (j.kind = "order"), 'kind must be "intent" or "cancel"'],
    ["unknown side", (j) => (j.order.side = "HOLD"), 'order.side: must have side "BUY" or "SELL"'],
    ["fractional slippage", (j) => (j.order.maxSlippageBps = 1.5), "order.maxSlippageBps:"],
    [
      "id of another fill",
      (j) => (j.source.logIndex = 5),
      "id: does not match intentId(chainId, source.txHash, source.logIndex, subscriberId)",
    ],
    ["order on another token", (j) => (j.order.tokenId = "1"), "order: must copy the source fill's side and token"],
  ])("%s", (_label, edit, expected) => {
    expect(() => decodeMessage(tampered(edit))).toThrow(expected);
    expect(() => decodeMessage(tampered(edit))).toThrow(/^bad intent payload: /);
  });

  test("not JSON", () => {
    expect(() => decodeMessage("{nope")).toThrow(/^bad intent payload: not JSON/);
  });

  test("cancel with an unknown reason", () => {
    const payload = JSON.stringify({ ...JSON.parse(encodeMessage(cancel)), reason: "bored" });
    expect(() => decodeMessage(payload)).toThrow("bad intent payload: reason: must be one of reorg, operator");
  });

  test("an intent whose id does not belong to its fill and subscriber is refused by the consumer", () => {
    expect(() => decodeIntent(encodeIntent(intent({ subscriberId: "mallory" })))).toThrow(/^bad intent payload: id: does not match/);
  });
});
