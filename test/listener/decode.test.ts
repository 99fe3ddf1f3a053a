import { decodeAbiParameters, encodeAbiParameters, encodeEventTopics, getAddress, pad, type AbiParameter, type Hex } from "viem";
import { EXCHANGE_V1_EVENTS, EXCHANGE_V2_EVENTS } from "../../services/polymarket/abi";
import { POLYGON_EXCHANGES } from "../../services/polymarket/exchanges";
import {
  decodeLeaderFill,
  ExchangeIndex,
  fillKeyInFrame,
  glanceAtLog,
  makerInFrame,
  MalformedLogError,
  readLogPosition,
} from "../../services/listener/decode";
import { fillKey } from "../../services/listener/fill";
import { copyRulesByLeader, parseSubscribers } from "../../services/listener/subscribers/load";
import { HotPathExerciser } from "../../services/listener/warm-up";

const LEADER = getAddress("0x1111111111111111111111111111111111111111");
const OTHER = getAddress("0x2222222222222222222222222222222222222222");
const V1 = POLYGON_EXCHANGES.find((e) => e.name === "ctf-exchange-v1")!.address;
const V2 = POLYGON_EXCHANGES.find((e) => e.name === "ctf-exchange-v2")!.address;
const exchanges = new ExchangeIndex(POLYGON_EXCHANGES);
const isLeader = (maker: string) => maker === LEADER.toLowerCase();
const ORDER_HASH = pad("0xabc", { size: 32 });

function envelope(address: Hex, topics: Hex[], data: Hex, extra: Record<string, unknown> = {}) {
  return {
    address,
    topics,
    data,
    blockNumber: "0x10",
    blockHash: pad("0xb10c", { size: 32 }),
    transactionHash: pad("0x7a", { size: 32 }),
    logIndex: "0x3",
    removed: false,
    ...extra,
  };
}

function v1Log(maker: Hex, makerAssetId: bigint, takerAssetId: bigint, made: bigint, taken: bigint) {
  const topics = encodeEventTopics({ abi: EXCHANGE_V1_EVENTS, eventName: "OrderFilled", args: { orderHash: ORDER_HASH, maker, taker: OTHER } });
  const data = encodeAbiParameters(
    [{ type: "uint256" }, { type: "uint256" }, { type: "uint256" }, { type: "uint256" }, { type: "uint256" }],
    [makerAssetId, takerAssetId, made, taken, 7n],
  );
  return envelope(V1, topics as Hex[], data);
}

function v2Log(maker: Hex, side: number, tokenId: bigint, made: bigint, taken: bigint) {
  const topics = encodeEventTopics({ abi: EXCHANGE_V2_EVENTS, eventName: "OrderFilled", args: { orderHash: ORDER_HASH, maker, taker: OTHER } });
  const data = encodeAbiParameters(
    [{ type: "uint8" }, { type: "uint256" }, { type: "uint256" }, { type: "uint256" }, { type: "uint256" }, { type: "bytes32" }, { type: "bytes32" }],
    [side, tokenId, made, taken, 0n, pad("0x", { size: 32 }), pad("0x", { size: 32 })],
  );
  return envelope(V2, topics as Hex[], data);
}

const decode = (raw: Record<string, unknown>) => decodeLeaderFill(readLogPosition(raw), 1_764_000_000, 137, exchanges, isLeader);

describe("decodeLeaderFill", () => {
  it("V1: maker asset 0 is a BUY of the taker asset", () => {
    const fill = decode(v1Log(LEADER, 0n, 42n, 520_000n, 1_000_000n))!;
    expect(fill).toMatchObject({ side: "BUY", tokenId: 42n, collateralAmount: 520_000n, shareAmount: 1_000_000n, layout: "v1" });
    expect(fill.price).toBeCloseTo(0.52, 10);
    expect(fill).toMatchObject({ logIndex: 3, blockNumber: 16n, maker: LEADER, fee: 7n });
  });

  it("V1: a non-zero maker asset is a SELL of that asset", () => {
    const fill = decode(v1Log(LEADER, 42n, 0n, 2_000_000n, 600_000n))!;
    expect(fill).toMatchObject({ side: "SELL", tokenId: 42n, shareAmount: 2_000_000n, collateralAmount: 600_000n });
    expect(fill.price).toBeCloseTo(0.3, 10);
  });

  it("V2: explicit side and token id", () => {
    expect(decode(v2Log(LEADER, 0, 9n, 250_000n, 500_000n))).toMatchObject({ side: "BUY", tokenId: 9n, collateralAmount: 250_000n, shareAmount: 500_000n });
    expect(decode(v2Log(LEADER, 1, 9n, 500_000n, 450_000n))).toMatchObject({ side: "SELL", collateralAmount: 450_000n, shareAmount: 500_000n });
  });

  it("reads the log's blockTimestamp when the provider sends one, and names it when it is malformed", () => {
    const raw = v2Log(LEADER, 0, 9n, 250_000n, 500_000n);
    expect(readLogPosition(raw).blockTimestamp).toBeUndefined();
    expect(readLogPosition({ ...raw, blockTimestamp: "0x6925d0c0" }).blockTimestamp).toBe(0x6925d0c0);
    expect(() => readLogPosition({ ...raw, blockTimestamp: "yesterday" })).toThrow(/blockTimestamp/);
    expect(decode(raw)!.blockTimestamp).toBe(1_764_000_000);
  });

  it("ignores fills whose maker is not a leader, even when the leader is the taker", () => {
    const raw = v1Log(OTHER, 0n, 42n, 1n, 2n);
    expect(decode(raw)).toBeUndefined();
  });

  it("ignores a V2-shaped log at a V1 exchange address (wrong topic for the layout)", () => {
    expect(decode({ ...v2Log(LEADER, 0, 9n, 1n, 2n), address: V1 })).toBeUndefined();
  });

  it("rejects malformed envelopes and payloads with a named field", () => {
    const good = v2Log(LEADER, 0, 9n, 250_000n, 500_000n);
    const cases: [Record<string, unknown>, string][] = [
      [{ ...good, blockHash: null }, "blockHash"],
      [{ ...good, logIndex: "three" }, "logIndex"],
      [{ ...good, logIndex: "0x100000000" }, "logIndex"],
      [{ ...good, topics: [] }, "topics"],
      [{ ...good, data: "0x123" }, "data"],
      [{ ...good, data: "0x" }, "abi"],
      [v2Log(LEADER, 2, 9n, 1n, 1n), "side"],
      [v2Log(LEADER, 0, 9n, 0n, 1n), "amounts"],
      [v1Log(LEADER, 0n, 0n, 1n, 1n), "assetIds"],
    ];
    for (const [raw, what] of cases) {
      let caught: unknown;
      try {
        decode(raw);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(MalformedLogError);
      expect((caught as MalformedLogError).what).toBe(what);
    }
  });
});

describe("decodeLeaderFill's word reads", () => {
  const dataInputs = (inputs: readonly AbiParameter[]) => inputs.filter((input) => !("indexed" in input && input.indexed));
  let state = 11;
  const byte = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) >>> 24;
  /** A word that is small, huge or anything between: amounts and token ids span the whole uint256 range on chain. */
  const word = (): bigint => {
    const length = [1, 3, 8, 16, 32][byte() % 5]!;
    return BigInt(`0x${Buffer.from(Array.from({ length }, byte)).toString("hex")}`) || 1n;
  };
  const tail = (): string => "ab".repeat(byte() % 3 === 0 ? 32 : 0);

  it("equal viem's decodeAbiParameters on random logs of both layouts, trailing bytes included", () => {
    for (let i = 0; i < 400; i++) {
      const v1 = i % 2 === 0;
      const event = (v1 ? EXCHANGE_V1_EVENTS : EXCHANGE_V2_EVENTS)[0];
      const inputs = dataInputs(event.inputs);
      const values = v1
        ? (() => {
            const asset = word();
            return i % 4 === 0 ? [0n, asset, word(), word(), word()] : [asset, 0n, word(), word(), word()];
          })()
        : [i % 4 === 1 ? 0 : 1, word(), word(), word(), word(), pad("0x12", { size: 32 }), pad("0x34", { size: 32 })];
      const data = `${encodeAbiParameters(inputs, values)}${tail()}` as Hex;
      const raw = { ...(v1 ? v1Log(LEADER, 0n, 1n, 1n, 1n) : v2Log(LEADER, 0, 1n, 1n, 1n)), data };
      const fill = decode(raw)!;
      const viem = Object.fromEntries(decodeAbiParameters(inputs, data).map((value, k) => [inputs[k]!.name!, value])) as Record<string, bigint | number>;
      const buy = v1 ? viem.makerAssetId === 0n : viem.side === 0;
      expect(fill.side).toBe(buy ? "BUY" : "SELL");
      expect(fill.tokenId).toBe(v1 ? (buy ? viem.takerAssetId : viem.makerAssetId) : viem.tokenId);
      expect(fill.collateralAmount).toBe(buy ? viem.makerAmountFilled : viem.takerAmountFilled);
      expect(fill.shareAmount).toBe(buy ? viem.takerAmountFilled : viem.makerAmountFilled);
      expect(fill.fee).toBe(viem.fee);
    }
  });

  it("reject data one byte short of the layout, as viem does", () => {
    for (const raw of [v1Log(LEADER, 0n, 42n, 1n, 2n), v2Log(LEADER, 0, 9n, 1n, 2n)]) {
      const short = raw.data.slice(0, -2) as Hex;
      const inputs = dataInputs((raw.address === V1 ? EXCHANGE_V1_EVENTS : EXCHANGE_V2_EVENTS)[0].inputs);
      expect(() => decodeAbiParameters(inputs, short)).toThrow();
      expect(() => decode({ ...raw, data: short })).toThrow(expect.objectContaining({ what: "abi", message: expect.stringMatching(/needs (160|224)/) }));
    }
  });
});

describe("glanceAtLog", () => {
  it("reads block hash, maker and removed without validating the rest", () => {
    const raw = { ...v2Log(LEADER, 0, 9n, 1n, 2n), data: "not validated here", removed: true };
    expect(glanceAtLog(raw)).toEqual({ blockHash: raw.blockHash, maker: LEADER.toLowerCase(), removed: true });
    expect(glanceAtLog({ ...raw, topics: [raw.topics[0]] }).maker).toBeUndefined();
  });

  it("names the field it could not read", () => {
    const raw = v2Log(LEADER, 0, 9n, 1n, 2n);
    expect(() => glanceAtLog({ ...raw, blockHash: "0x1" })).toThrow("log field blockHash is not valid");
    expect(() => glanceAtLog({ ...raw, topics: "x" })).toThrow("log has no topics");
    expect(() => glanceAtLog({ ...raw, topics: [raw.topics[0], raw.topics[1], 7] })).toThrow("maker topic");
  });
});

describe("HotPathExerciser", () => {
  it("runs the decode → intent path on synthetic fills of a followed leader, and does nothing without leaders", async () => {
    const rules = copyRulesByLeader(parseSubscribers(JSON.stringify({
      leaders: [{ address: LEADER }],
      subscribers: [{ id: "s1", sizing: { policy: "fixed", amount: "5" }, risk: { maxOrderNotional: "10", maxMarketExposure: "10", maxDailyNotional: "10", maxSlippageBps: 100 }, follows: [{ leader: LEADER }] }],
    }), "s.json"));
    const exerciser = new HotPathExerciser(137, POLYGON_EXCHANGES, rules);
    expect(exerciser.run(200)).toBeGreaterThan(0);
    expect(new HotPathExerciser(137, POLYGON_EXCHANGES, new Map()).run(200)).toBe(0);
    const before = exerciser.fills;
    const stop = exerciser.keepWarm(1);
    await new Promise((r) => setTimeout(r, 60));
    stop();
    const ticked = exerciser.fills - before;
    expect(ticked).toBeGreaterThan(5);
    await new Promise((r) => setTimeout(r, 20));
    expect(exerciser.fills - before).toBe(ticked);
  });

  it("warms sizing, not the skip path: every synthetic BUY and SELL on every layout gives each follower an intent", () => {
    const rules = copyRulesByLeader(parseSubscribers(JSON.stringify({
      leaders: [{ address: LEADER }],
      subscribers: ["a", "b"].map((id) => ({ id, sizing: { policy: "percentage", percent: 10 }, risk: { maxOrderNotional: "10", maxMarketExposure: "10", maxDailyNotional: "10", maxSlippageBps: 100 }, follows: [{ leader: LEADER }] })),
    }), "s.json"));
    const exerciser = new HotPathExerciser(137, POLYGON_EXCHANGES, rules);
    exerciser.run(POLYGON_EXCHANGES.length * 2 * 3);
    expect(exerciser.fills).toBe(POLYGON_EXCHANGES.length * 2 * 3);
    expect(exerciser.intents).toBe(exerciser.fills * 2);
  });

  it("warms the path with a few followers however many a leader has", () => {
    const subscribers = Array.from({ length: 1000 }, (_, i) => ({ id: `s${i}`, sizing: { policy: "fixed", amount: "5" }, risk: { maxOrderNotional: "10", maxMarketExposure: "10", maxDailyNotional: "10", maxSlippageBps: 100 }, follows: [{ leader: LEADER }] }));
    const rules = copyRulesByLeader(parseSubscribers(JSON.stringify({ leaders: [{ address: LEADER }], subscribers }), "s.json"));
    const exerciser = new HotPathExerciser(137, POLYGON_EXCHANGES, rules);
    exerciser.run(50);
    expect(exerciser.fills).toBeGreaterThan(0);
    expect(exerciser.intents).toBeGreaterThan(0);
    expect(exerciser.intents).toBeLessThanOrEqual(exerciser.fills * 4);
  });
});

describe("makerInFrame", () => {
  const frame = (log: unknown, space?: number) =>
    JSON.stringify({ jsonrpc: "2.0", method: "eth_subscription", params: { subscription: "0x1", result: log } }, null, space);

  it("reads the maker topic of a compact log notification of either layout", () => {
    expect(makerInFrame(frame(v1Log(LEADER, 0n, 42n, 1n, 2n)))).toBe(LEADER.toLowerCase());
    expect(makerInFrame(frame(v2Log(OTHER, 1, 9n, 1n, 2n)))).toBe(OTHER.toLowerCase());
  });

  it("gives up, never guesses, on anything else", () => {
    const log = v2Log(LEADER, 0, 9n, 1n, 2n);
    expect(makerInFrame(frame(log, 1))).toBeUndefined();
    expect(makerInFrame(frame({ ...log, topics: log.topics.slice(0, 2) }))).toBeUndefined();
    expect(makerInFrame(frame({ ...log, topics: [log.topics[0], "0x12", log.topics[2], log.topics[3]] }))).toBeUndefined();
    expect(makerInFrame(frame({ number: "0x10", hash: pad("0x1", { size: 32 }), logsBloom: "0x00" }))).toBeUndefined();
    expect(makerInFrame('{"topics":["')).toBeUndefined();
    expect(makerInFrame("")).toBeUndefined();
  });
});

describe("fillKeyInFrame", () => {
  const frame = (log: unknown, space?: number) =>
    JSON.stringify({ jsonrpc: "2.0", method: "eth_subscription", params: { subscription: "0x1", result: log } }, null, space);

  it("reads (tx hash, log index) as fillKey would", () => {
    const log = { ...v2Log(LEADER, 0, 9n, 1n, 2n), transactionHash: pad("0xABc", { size: 32 }), logIndex: "0x1f" };
    expect(fillKeyInFrame(frame(log))).toBe(fillKey({ txHash: log.transactionHash, logIndex: 31 }));
  });

  it("gives up on anything else", () => {
    const log = v2Log(LEADER, 0, 9n, 1n, 2n);
    expect(fillKeyInFrame(frame(log, 1))).toBeUndefined();
    expect(fillKeyInFrame(frame({ ...log, transactionHash: "0x12" }))).toBeUndefined();
    expect(fillKeyInFrame(frame({ ...log, logIndex: "0x100000000" }))).toBeUndefined();
    expect(fillKeyInFrame(frame({ ...log, logIndex: "0xzz" }))).toBeUndefined();
    expect(fillKeyInFrame(frame({ number: "0x10" }))).toBeUndefined();
  });
});
