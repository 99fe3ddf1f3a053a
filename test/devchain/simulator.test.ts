import {
  createPublicClient,
  decodeErrorResult,
  http,
  isAddressEqual,
  parseEventLogs,
  zeroAddress,
  type BaseError,
  type Hex,
  type PublicClient,
} from "viem";
import {
  EXCHANGE_V1_EVENTS,
  EXCHANGE_V2_EVENTS,
  ORDER_FILLED_V1_TOPIC,
  ORDER_FILLED_V2_TOPIC,
} from "../../services/polymarket/abi";
import { POLYGON_EXCHANGES } from "../../services/polymarket/exchanges";
import { startAnvil, type Anvil } from "../../services/devchain/anvil";
import { installStandInExchanges, standInBytecode } from "../../services/devchain/exchanges";
import { STAND_IN_V1_ABI, STAND_IN_V2_ABI } from "../../services/devchain/contracts/artifacts";
import {
  TradeSimulator,
  buildMatch,
  encodeMatch,
  tokenIdFor,
  walletAddress,
  Rng,
  type MatchSpec,
  type SubmittedMatch,
} from "../../services/devchain/simulator";

// Published topic0 values (polymarket.md), independent of both ABIs.
const PUBLISHED_V1_TOPIC = "0xd0a08e8c493f9c94f29311604c9de1b4e8c8d4c06bd0c789af57f2d65bfec0f6";
const PUBLISHED_V2_TOPIC = "0xd543adfd945773f1a62f74f0ee55a5e3b9b1a28262980ba90b1a89f2ea84d8ee";

const leaderA = walletAddress("leader-a");
const leaderB = walletAddress("leader-b");
const byName = (name: string) => POLYGON_EXCHANGES.find((e) => e.name === name)!;

describe("stand-in exchanges and trade simulator on anvil", () => {
  let anvil: Anvil;
  let pub: PublicClient;
  let sim: TradeSimulator;

  beforeAll(async () => {
    anvil = await startAnvil({ blockTimeMs: 250 });
    pub = createPublicClient({ transport: http(anvil.httpUrl), cacheTime: 0 });
    await installStandInExchanges(anvil.httpUrl);
    sim = await TradeSimulator.create({ rpcUrl: anvil.httpUrl, seed: "simulator-test", receiptTimeoutMs: 5_000 });
  }, 30_000);

  afterAll(async () => {
    await anvil?.stop();
  });

  async function decoded(submitted: SubmittedMatch) {
    const receipt = await pub.getTransactionReceipt({ hash: submitted.txHash });
    const abi = submitted.match.exchange.layout === "v1" ? EXCHANGE_V1_EVENTS : EXCHANGE_V2_EVENTS;
    return parseEventLogs({ abi, logs: receipt.logs });
  }

  it("has the stand-in bytecode at all five real exchange addresses", async () => {
    expect(POLYGON_EXCHANGES).toHaveLength(5);
    for (const exchange of POLYGON_EXCHANGES) {
      expect(await pub.getCode({ address: exchange.address })).toBe(standInBytecode(exchange.layout));
    }
  });

  it("uses the published topic0 values", () => {
    expect(ORDER_FILLED_V1_TOPIC).toBe(PUBLISHED_V1_TOPIC);
    expect(ORDER_FILLED_V2_TOPIC).toBe(PUBLISHED_V2_TOPIC);
  });

  it("reports a resting leader order as maker, with the taker order's maker as taker", async () => {
    const s = await sim.leaderAsMaker({ leader: leaderA, exchange: byName("ctf-exchange-v2"), side: "BUY" });
    const events = await decoded(s);
    expect(events.map((e) => e.eventName)).toEqual(["OrderFilled", "OrderFilled", "OrdersMatched"]);
    expect(events[0]!.topics[0]).toBe(PUBLISHED_V2_TOPIC);

    const [leaderFill] = s.leaderFills;
    expect(s.leaderFills).toHaveLength(1);
    const log = events.find((e) => e.logIndex === leaderFill!.logIndex)!;
    expect(log.eventName).toBe("OrderFilled");
    expect(log.args).toMatchObject({
      maker: leaderA,
      taker: s.match.taker.maker,
      side: 0,
      tokenId: leaderFill!.tokenId,
      makerAmountFilled: leaderFill!.collateralAmount,
      takerAmountFilled: leaderFill!.shareAmount,
    });
    expect(leaderFill).toMatchObject({ txHash: s.txHash, blockHash: s.blockHash, blockNumber: s.blockNumber });
    expect(leaderFill!.price).toBeGreaterThan(0);
    expect(leaderFill!.price).toBeLessThan(1);
  });

  it("reports a leader taker order as the aggregated fill whose taker is the exchange", async () => {
    const exchange = byName("exchange-v3");
    const s = await sim.leaderAsTaker({ leader: leaderA, exchange, side: "SELL", counterparties: 2 });
    const events = await decoded(s);
    expect(events.map((e) => e.eventName)).toEqual(["OrderFilled", "OrderFilled", "OrderFilled", "OrdersMatched"]);

    expect(s.leaderFills).toHaveLength(1);
    const fill = s.leaderFills[0]!;
    expect(fill).toMatchObject({ maker: leaderA, taker: exchange.address, side: "SELL" });
    const aggregated = events[2]!;
    expect(aggregated.logIndex).toBe(fill.logIndex);
    expect(aggregated.args).toMatchObject({
      maker: leaderA,
      taker: exchange.address,
      side: 1,
      makerAmountFilled: fill.shareAmount,
      takerAmountFilled: fill.collateralAmount,
      fee: fill.fee,
    });
    // The makers' fills name the leader as taker: a listener matching on taker would count them too.
    for (const maker of events.slice(0, 2)) expect(maker.args).toMatchObject({ taker: leaderA });
    expect(events[3]!.args).toMatchObject({ takerOrderHash: fill.orderHash, takerOrderMaker: leaderA });
  });

  it("settles several makers, two of them leaders, in one transaction with distinct log indexes", async () => {
    const other = walletAddress("someone-else");
    const s = await sim.multiFill({
      exchange: byName("negrisk-ctf-exchange-v2"),
      makers: [leaderA, other, leaderB],
      leaders: [leaderA, leaderB],
    });
    expect(s.fills).toHaveLength(4);
    expect(new Set(s.fills.map((f) => f.logIndex)).size).toBe(4);
    expect(s.leaderFills.map((f) => f.maker)).toEqual([leaderA, leaderB]);
    const events = await decoded(s);
    for (const fill of s.fills) {
      const log = events.find((e) => e.logIndex === fill.logIndex)!;
      expect(log.eventName).toBe("OrderFilled");
      expect(isAddressEqual((log.args as { maker: Hex }).maker, fill.maker)).toBe(true);
    }
  });

  it("encodes V1 BUY with makerAssetId 0 and SELL with takerAssetId 0", async () => {
    const exchange = byName("ctf-exchange-v1");
    const buy = await sim.leaderAsMaker({ leader: leaderA, exchange, side: "BUY" });
    const sell = await sim.leaderAsMaker({ leader: leaderA, exchange: byName("negrisk-ctf-exchange-v1"), side: "SELL" });
    for (const [s, side] of [[buy, "BUY"], [sell, "SELL"]] as const) {
      const fill = s.leaderFills[0]!;
      const log = (await decoded(s)).find((e) => e.logIndex === fill.logIndex)!;
      expect(log.topics[0]).toBe(PUBLISHED_V1_TOPIC);
      expect(fill.side).toBe(side);
      expect(log.args).toMatchObject(
        side === "BUY"
          ? { makerAssetId: 0n, takerAssetId: fill.tokenId, makerAmountFilled: fill.collateralAmount, takerAmountFilled: fill.shareAmount }
          : { makerAssetId: fill.tokenId, takerAssetId: 0n, makerAmountFilled: fill.shareAmount, takerAmountFilled: fill.collateralAmount },
      );
    }
  });

  it("sends settlements without waiting and keys every leader fill by (tx hash, log index)", async () => {
    const rng = new Rng("same-block");
    const matches = [0, 1, 2].map(() =>
      buildMatch(
        { exchange: byName("ctf-exchange-v2"), tokenId: tokenIdFor("x"), taker: { wallet: walletAddress("t"), side: "BUY" }, makers: [leaderA] },
        rng,
      ),
    );
    const hashes: Hex[] = [];
    for (const m of matches) hashes.push(await sim.send(m));
    const settled = await Promise.all(matches.map((m, i) => sim.settled(m, hashes[i]!, [leaderA])));
    const keys = settled.flatMap((s) => s.leaderFills.map((f) => `${f.txHash}:${f.logIndex}`));
    expect(new Set(keys).size).toBe(3);
  });

  it("reverts on obviously invalid settlements with the stand-in's custom errors", async () => {
    const v2 = buildMatch(
      { exchange: byName("ctf-exchange-v2"), tokenId: 1n, taker: { wallet: leaderA, side: "BUY" }, makers: [leaderB] },
      new Rng(1),
    );
    const v1 = { ...v2, exchange: byName("ctf-exchange-v1") };
    const revertOf = async (match: MatchSpec) => {
      const abi = match.exchange.layout === "v1" ? STAND_IN_V1_ABI : STAND_IN_V2_ABI;
      try {
        await pub.call({ to: match.exchange.address, data: encodeMatch(match) });
        return "no revert";
      } catch (err) {
        const raw = (err as BaseError).walk((e) => typeof (e as { data?: unknown }).data === "string") as unknown as {
          data: Hex;
        };
        return decodeErrorResult({ abi, data: raw.data }).errorName;
      }
    };

    expect(await revertOf(v2)).toBe("no revert");
    expect(await revertOf({ ...v2, makers: [] })).toBe("NoMakerOrders");
    expect(await revertOf({ ...v2, makers: [{ ...v2.makers[0]!, shareAmount: 0n }] })).toBe("ZeroAmount");
    expect(await revertOf({ ...v2, taker: { ...v2.taker, tokenId: 0n } })).toBe("ZeroTokenId");
    expect(await revertOf({ ...v1, taker: { ...v1.taker, collateralAmount: 0n } })).toBe("ZeroAmount");
    // Asset ids 0 and 0: neither side names an outcome token.
    expect(await revertOf({ ...v1, taker: { ...v1.taker, tokenId: 0n } })).toBe("InvalidAssetIds");
    expect(await revertOf({ ...v1, makers: [{ ...v1.makers[0]!, maker: zeroAddress }] })).toBe("ZeroMaker");
  });

  it("runs a deterministic random mix", async () => {
    const first = await sim.runRandom({ fillsPerBlock: 4, count: 8, leaders: [leaderA, leaderB], seed: 7 });
    expect(first.submitted).toHaveLength(8);
    expect(first.leaderFills.length).toBeGreaterThan(0);
    for (const f of first.leaderFills) expect([leaderA, leaderB]).toContain(f.maker);
    const again = await sim.runRandom({ fillsPerBlock: 4, count: 8, leaders: [leaderA, leaderB], seed: 7 });
    expect(again.submitted.map((s) => s.match)).toEqual(first.submitted.map((s) => s.match));
  });
});
