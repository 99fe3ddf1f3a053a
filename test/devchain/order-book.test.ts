import { getAddress, type Hex } from "viem";
import { startOrderBook } from "../../services/devchain/order-book/server";
import { hashOrder } from "../../services/polymarket/order";
import {
  CTF_V2,
  domainOf,
  EXCHANGE_V3,
  NEGRISK_V2,
  orderFilledLogs,
  postRaw,
  startOrderBookFixture,
  testKey,
  type OrderBookFixture,
} from "../support/order-book";
import { waitFor } from "../support/wait";

interface OrderView {
  status: string;
  maker_address: string;
  trade: { status: string; transaction_hash: Hex | null; block_number: string | null };
}

describe("stand-in order book", () => {
  let f: OrderBookFixture;
  const deadline = () => ({ orderType: "FAK" as const, deadlineMs: Date.now() + 5000 });
  const view = async (orderHash: Hex, trader = f.traders.eoa) => (await f.client.order(orderHash, trader.account)) as OrderView | undefined;
  const settled = (orderHash: Hex, trader = f.traders.eoa): Promise<OrderView> =>
    waitFor(`order ${orderHash} CONFIRMED`, async () => {
      const current = await view(orderHash, trader);
      return current?.trade.status === "CONFIRMED" ? current : undefined;
    }, 8000);

  beforeAll(async () => {
    f = await startOrderBookFixture();
  });
  afterAll(async () => {
    await f?.stop();
  });

  it("accepts a signed order and settles it on chain: OrderFilled with maker = the subscriber and the order's hash", async () => {
    const { eoa } = f.traders;
    const signed = await f.order(eoa, f.tokens.ctf);
    const orderHash = hashOrder(signed.domain, signed.order);
    const outcome = await f.client.submit(signed, deadline());
    expect(outcome).toEqual({ kind: "accepted", orderHash, status: "matched", venueOrderId: orderHash });

    const final = await settled(orderHash);
    expect(final.trade.transaction_hash).toMatch(/^0x[0-9a-f]{64}$/);
    const logs = await orderFilledLogs(f.anvil.httpUrl, CTF_V2, orderHash);
    expect(logs).toHaveLength(1);
    // The subscriber's order is the taker order: its aggregated fill names the exchange as taker.
    expect(logs[0]!.args).toMatchObject({ orderHash, maker: eoa.wallet, taker: CTF_V2, side: 0, tokenId: f.tokens.ctf });
    expect(logs[0]!.args.makerAmountFilled).toBe(signed.order.makerAmount);
    expect(logs[0]!.transactionHash).toBe(final.trade.transaction_hash);
    expect(BigInt(final.trade.block_number!)).toBe(logs[0]!.blockNumber);
  });

  it("accepts every signature type, on every order exchange", async () => {
    const cases = [
      { trader: f.traders.proxy, token: f.tokens.negRisk, exchange: NEGRISK_V2 },
      { trader: f.traders.safe, token: f.tokens.v3, exchange: EXCHANGE_V3 },
      { trader: f.traders.deposit, token: f.tokens.ctf, exchange: CTF_V2 },
    ];
    for (const { trader, token, exchange } of cases) {
      const signed = await f.order(trader, token);
      const orderHash = hashOrder(signed.domain, signed.order);
      expect(await f.client.submit(signed, deadline())).toMatchObject({ kind: "accepted", orderHash });
      await settled(orderHash, trader);
      const logs = await orderFilledLogs(f.anvil.httpUrl, exchange, orderHash);
      expect(logs.map((l) => getAddress(l.args.maker!))).toEqual([trader.wallet]);
    }
  });

  it("rejects a wrong signer, a wrong maker for the signature type and a wrong domain", async () => {
    const { eoa, proxy, safe, deposit } = f.traders;
    const stranger = testKey("stranger");
    const rejected = async (signed: Awaited<ReturnType<typeof f.order>>) => {
      const outcome = await f.client.submit(signed, deadline());
      expect(outcome.kind).toBe("rejected");
      return outcome.kind === "rejected" ? outcome.reason : "";
    };

    const forged = await f.order(eoa, f.tokens.ctf);
    forged.signature = await stranger.sign({ hash: hashOrder(forged.domain, forged.order) });
    expect(await rejected(forged)).toMatch(new RegExp(`^HTTP 400: invalid signature: it recovers to ${stranger.address}, not the signer`));

    expect(await rejected(await f.order(proxy, f.tokens.ctf, { maker: safe.wallet }))).toContain(`is not the POLY_PROXY wallet of signer ${proxy.key.address}`);
    expect(await rejected(await f.order(safe, f.tokens.ctf, { maker: proxy.wallet }))).toContain(`is not the Safe of signer ${safe.key.address}`);
    expect(await rejected(await f.order(eoa, f.tokens.ctf, { maker: proxy.wallet }))).toContain("signature type 0 needs maker == signer");

    const notTheOwner = await f.order(deposit, f.tokens.ctf);
    notTheOwner.signature = await stranger.sign({ hash: hashOrder(notTheOwner.domain, notTheOwner.order) });
    expect(await rejected(notTheOwner)).toContain(`deposit wallet ${deposit.wallet} answered 0xffffffff to ERC-1271 isValidSignature`);

    // An ExchangeV3 market signed with domain version "2": a valid signature of another digest.
    expect(await rejected(await f.order(safe, f.tokens.v3, {}, domainOf(EXCHANGE_V3, "2")))).toContain("invalid signature: it recovers to");
    // The API key of one trader cannot post another trader's order.
    const foreign = await f.order(proxy, f.tokens.ctf);
    expect((await postRaw(f.book.url, foreign, eoa.account)).body).toEqual({ error: "the order signer address has to be the address of the API KEY" });
    expect(f.book.order(hashOrder(forged.domain, forged.order))).toBeUndefined();
  });

  it("takes an account's public key in advance, and refuses a key that is another address's", async () => {
    const { eoa, safe } = f.traders;
    const options = { rpcUrl: f.anvil.httpUrl, markets: [{ tokenId: f.tokens.ctf, exchange: CTF_V2 }], settlement: { paused: true } };
    await expect(startOrderBook({ ...options, accounts: [{ ...eoa.account, publicKey: safe.key.publicKey }] })).rejects.toThrow(
      `public key ${safe.key.publicKey} belongs to ${safe.key.address}, not ${eoa.account.address}`,
    );
    const book = await startOrderBook({ ...options, accounts: [{ ...eoa.account, publicKey: eoa.key.publicKey }] });
    try {
      expect((await postRaw(book.url, await f.order(eoa, f.tokens.ctf), eoa.account)).status).toBe(200);
      const forged = await f.order(eoa, f.tokens.ctf);
      forged.signature = await safe.key.sign({ hash: hashOrder(forged.domain, forged.order) });
      expect((await postRaw(book.url, forged, eoa.account)).body.error).toMatch(new RegExp(`^invalid signature: it recovers to ${safe.key.address}, not the signer`));
    } finally {
      await book.stop();
    }
  });

  it("refuses a second copy of an order by hash, sequentially and concurrently", async () => {
    const { eoa } = f.traders;
    const first = await f.order(eoa, f.tokens.ctf);
    const orderHash = hashOrder(first.domain, first.order);
    expect((await f.client.submit(first, deadline())).kind).toBe("accepted");
    expect(await f.client.submit(first, deadline())).toEqual({ kind: "duplicate", orderHash });

    const racing = await f.order(eoa, f.tokens.ctf);
    const racingHash = hashOrder(racing.domain, racing.order);
    const answers = await Promise.all(Array.from({ length: 8 }, () => postRaw(f.book.url, racing, eoa.account)));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    const refused = answers.filter((a) => a.status !== 200);
    expect(refused).toHaveLength(7);
    for (const answer of refused) expect(answer).toEqual({ status: 400, body: { error: `order ${racingHash} is invalid. Duplicated.` } });

    await settled(racingHash);
    expect(await orderFilledLogs(f.anvil.httpUrl, CTF_V2, racingHash)).toHaveLength(1);
  });

  it("refuses requests whose L2 authentication is wrong", async () => {
    const { eoa } = f.traders;
    const signed = await f.order(eoa, f.tokens.ctf);
    const unauthorized = { status: 401, body: { error: "Unauthorized/Invalid api key" } };
    expect(await postRaw(f.book.url, signed, eoa.account, { secret: Buffer.alloc(32, 7).toString("base64") })).toEqual(unauthorized);
    expect(await postRaw(f.book.url, signed, eoa.account, { passphrase: "guess" })).toEqual(unauthorized);
    expect(await postRaw(f.book.url, signed, eoa.account, { timestampSec: Math.floor(Date.now() / 1000) - 600 })).toEqual(unauthorized);
    expect(await postRaw(f.book.url, signed, eoa.account, { owner: "key-someone-else" })).toEqual({
      status: 400,
      body: { error: "the order owner has to be the owner of the API KEY" },
    });
    expect(f.book.order(hashOrder(signed.domain, signed.order))).toBeUndefined();
    // Orders are private to their key.
    const mine = await f.order(eoa, f.tokens.ctf);
    const mineHash = hashOrder(mine.domain, mine.order);
    await f.client.submit(mine, deadline());
    expect(await view(mineHash, f.traders.safe)).toBeUndefined();
  });

  it("holds settlement while paused: MATCHED until resumed, then MINED and CONFIRMED", async () => {
    f.book.pauseSettlement();
    const signed = await f.order(f.traders.eoa, f.tokens.ctf);
    const orderHash = hashOrder(signed.domain, signed.order);
    try {
      expect((await f.client.submit(signed, deadline())).kind).toBe("accepted");
      // Three block times: an unpaused settlement would be mined by now.
      await new Promise((resolve) => setTimeout(resolve, 3 * f.anvil.blockTimeMs));
      expect((await view(orderHash))?.trade).toEqual({ id: expect.any(String), status: "MATCHED", transaction_hash: null, block_number: null });
    } finally {
      f.book.resumeSettlement();
    }
    const seen = new Set<string>();
    await waitFor("CONFIRMED", async () => {
      const status = (await view(orderHash))!.trade.status;
      seen.add(status);
      return status === "CONFIRMED";
    }, 8000, 10);
    expect(seen.has("FAILED")).toBe(false);
    expect(await orderFilledLogs(f.anvil.httpUrl, CTF_V2, orderHash)).toHaveLength(1);
  });
});
