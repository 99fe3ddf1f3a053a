import { getAddress, zeroHash, type Address, type Hex } from "viem";
import type { TradingAccount } from "../../../services/executor/order/account";
import { buildOrder } from "../../../services/executor/order/build-order";
import { orderSalt } from "../../../services/executor/order/salt";
import { hashOrder, type SignatureType } from "../../../services/polymarket/order";
import { EXCHANGES, makeIntent, TOKEN } from "./intent-fixture";

const KEY = getAddress("0x00000000000000000000000000000000000000aa");
const WALLET = getAddress("0x00000000000000000000000000000000000000bb");
const EOA: TradingAccount = { maker: KEY, signer: KEY, signatureType: 0 };
const TICK = { tickSize: "0.01" } as const;

function json(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));
}

describe("fields", () => {
  test("a BUY: amounts from the intent at its limit, side 0, token, block-time timestamp, derived salt, zero tags", () => {
    const intent = makeIntent({ side: "BUY", amount: 5_000_000n, limitPriceMicros: 510_000n, blockTimestamp: 1_780_000_123 });
    const { order } = buildOrder(intent, EOA, TICK);
    expect(order).toEqual({
      salt: orderSalt(intent.id),
      maker: KEY,
      signer: KEY,
      tokenId: TOKEN,
      makerAmount: 5_000_000n,
      takerAmount: 9_803_900n, // 5 / 0.51 = 9.80392… shares, cut to 4 decimals
      side: 0,
      signatureType: 0,
      timestamp: 1_780_000_123_000n,
      metadata: zeroHash,
      builder: zeroHash,
    });
  });

  test("a SELL: shares are the maker amount, collateral the taker amount, side 1", () => {
    const { order } = buildOrder(makeIntent({ side: "SELL", amount: 12_345_678n, limitPriceMicros: 430_000n }), EOA, TICK);
    expect([order.side, order.makerAmount, order.takerAmount]).toEqual([1, 12_340_000n, 5_306_200n]);
  });

  test("the tick size of the market decides the grid", () => {
    const intent = makeIntent({ side: "BUY", amount: 10_000_000n, limitPriceMicros: 512_345n });
    expect(buildOrder(intent, EOA, { tickSize: "0.1" }).order.takerAmount).toBe(20_000_000n); // at 0.5
    expect(buildOrder(intent, EOA, { tickSize: "0.0001" }).order.takerAmount).toBe(19_519_800n); // at 0.5123
  });

  test("builder code and metadata when configured, lowercased; anything but bytes32 is refused", () => {
    const builderCode = `0x${"Ab".repeat(32)}` as Hex;
    const metadata = `0x${"01".repeat(32)}` as Hex;
    const { order } = buildOrder(makeIntent(), EOA, TICK, { builderCode, metadata });
    expect(order.builder).toBe(builderCode.toLowerCase());
    expect(order.metadata).toBe(metadata);
    expect(() => buildOrder(makeIntent(), EOA, TICK, { builderCode: "0x1234" })).toThrow("builder code must be a 32-byte hex string, got 0x1234");
    expect(() => buildOrder(makeIntent(), EOA, TICK, { metadata: `0x${"zz".repeat(32)}` as Hex })).toThrow(/metadata must be a 32-byte hex string/);
  });
});

describe("domain", () => {
  test.each([
    ["CTF Exchange V1 (legacy) → V2", EXCHANGES.ctfV1, "2", EXCHANGES.ctfV2],
    ["CTF Exchange V2", EXCHANGES.ctfV2, "2", EXCHANGES.ctfV2],
    ["NegRisk V1 (legacy) → NegRisk V2", EXCHANGES.negRiskV1, "2", EXCHANGES.negRiskV2],
    ["NegRisk V2", EXCHANGES.negRiskV2, "2", EXCHANGES.negRiskV2],
    ["ExchangeV3", EXCHANGES.v3, "3", EXCHANGES.v3],
  ])("%s", (_name, exchange, version, verifyingContract) => {
    expect(buildOrder(makeIntent({ exchange }), EOA, TICK).domain).toEqual({ version, chainId: 137, verifyingContract });
  });

  test("a fill from an unknown exchange", () => {
    expect(() => buildOrder(makeIntent({ exchange: "0x0000000000000000000000000000000000000123" }), EOA, TICK)).toThrow(/no order route for exchange/);
  });
});

describe("account relation", () => {
  test.each([
    [0, KEY, KEY],
    [1, WALLET, KEY],
    [2, WALLET, KEY],
    [3, WALLET, WALLET],
  ] as const)("type %d is accepted with maker %s and signer %s, checksummed", (signatureType, maker, signer) => {
    const { order } = buildOrder(makeIntent(), { maker: maker.toLowerCase() as Address, signer: signer.toLowerCase() as Address, signatureType }, TICK);
    expect([order.maker, order.signer, order.signatureType]).toEqual([maker, signer, signatureType]);
  });

  test.each([
    [0, WALLET, KEY, "signature type 0 (EOA) needs maker == signer"],
    [3, WALLET, KEY, "signature type 3 (POLY_1271) needs maker == signer (the deposit wallet)"],
    [1, KEY, KEY, "signature type 1 needs maker (the wallet) != signer (its owner EOA)"],
    [2, WALLET, WALLET.toLowerCase(), "signature type 2 needs maker (the wallet) != signer"],
    [7, KEY, KEY, "unknown signature type 7"],
    [0, "0x1234", KEY, "maker 0x1234 is not an address"],
  ] as const)("type %d with maker %s and signer %s is refused, naming the subscriber", (signatureType, maker, signer, problem) => {
    const account = { maker, signer, signatureType: signatureType as SignatureType } as TradingAccount;
    expect(() => buildOrder(makeIntent({ subscriberId: "bob" }), account, TICK)).toThrow(`subscriber bob: bad trading account: ${problem}`);
  });
});

describe("errors name the intent and subscriber", () => {
  test("amounts that round to zero", () => {
    const intent = makeIntent({ side: "BUY", amount: 9_999n, subscriberId: "carol" });
    expect(() => buildOrder(intent, EOA, TICK)).toThrow(`intent ${intent.id} (subscriber carol): BUY collateral 9999 micro-units rounds to zero at 2 decimals`);
  });

  test("an unsupported tick size", () => {
    const intent = makeIntent();
    expect(() => buildOrder(intent, EOA, { tickSize: "0.02" as "0.01" })).toThrow(`intent ${intent.id} (subscriber alice): unsupported tick size "0.02"`);
  });
});

describe("determinism", () => {
  afterEach(() => jest.useRealTimers());

  test("the same intent gives a byte-identical order and hash, whatever the clock says", () => {
    jest.useFakeTimers({ now: new Date("2026-01-01T00:00:00Z") });
    const first = buildOrder(makeIntent(), EOA, TICK);
    jest.setSystemTime(new Date("2027-06-01T12:34:56Z"));
    const second = buildOrder(makeIntent(), EOA, TICK);
    expect(json(second)).toBe(json(first));
    expect(hashOrder(second.domain, second.order)).toBe(hashOrder(first.domain, first.order));
  });

  test("different intents get different salts, all within JSON's safe integers", () => {
    const salts = new Set<bigint>();
    for (let logIndex = 0; logIndex < 500; logIndex++) {
      for (const subscriberId of ["alice", "bob"]) {
        const { order } = buildOrder(makeIntent({ logIndex, subscriberId }), EOA, TICK);
        expect(order.salt).toBeLessThanOrEqual(BigInt(Number.MAX_SAFE_INTEGER));
        expect(order.salt).toBeGreaterThanOrEqual(0n);
        salts.add(order.salt);
      }
    }
    salts.add(buildOrder(makeIntent({ txHash: `0x${"ef".repeat(32)}` }), EOA, TICK).order.salt);
    expect(salts.size).toBe(1001);
  });

  test("the salt survives a JSON number round trip, which is how the order book receives it", () => {
    const { order } = buildOrder(makeIntent(), EOA, TICK);
    expect(BigInt(JSON.parse(JSON.stringify({ salt: Number(order.salt) })).salt)).toBe(order.salt);
  });
});
