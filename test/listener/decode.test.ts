import { encodeAbiParameters, encodeEventTopics, getAddress, pad, type Hex } from "viem";
import { EXCHANGE_V1_EVENTS, EXCHANGE_V2_EVENTS } from "../../services/polymarket/abi";
import { POLYGON_EXCHANGES } from "../../services/polymarket/exchanges";
import {
  decodeLeaderFill,
  ExchangeIndex,
  glanceAtLog,
  MalformedLogError,
  readLogPosition,
} from "../../services/listener/decode";
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
    expect(fill).toMatchObject({ logIndex: 3, blockNumber: 16n, maker: LEADER, taker: OTHER, fee: 7n });
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
