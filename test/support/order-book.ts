import { createPublicClient, http, keccak256, toHex, type Address, type Hex } from "viem";
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { EXCHANGE_V2_EVENTS } from "../../services/polymarket/abi";
import { POLYGON_EXCHANGES } from "../../services/polymarket/exchanges";
import { hashOrder, ORDER_SIDES, type Order, type OrderDomain, type SignatureType, type SignedOrder } from "../../services/polymarket/order";
import { startAnvil, type Anvil } from "../../services/devchain/anvil";
import { installDepositWallet } from "../../services/devchain/deposit-wallets";
import { installStandInExchanges } from "../../services/devchain/exchanges";
import { startOrderBook, type OrderBook } from "../../services/devchain/order-book/server";
import { proxyWalletOf, safeWalletOf } from "../../services/devchain/order-book/wallets";
import { tokenIdFor, walletAddress } from "../../services/devchain/simulator";
import { apiCredentials, l2Headers, type ApiCredentials } from "../../services/venue/l2-auth";
import { OrderBookClient, type L2Account, type OrderBookClientOptions } from "../../services/venue/order-book-client";
import { toPostOrderBody } from "../../services/venue/order-wire";

/** Order-book test fixtures: deterministic keys, API credentials, real EIP-712 signatures. */

export const ZERO_BYTES32: Hex = `0x${"00".repeat(32)}`;

export const exchangeAddress = (name: string): Address => {
  const exchange = POLYGON_EXCHANGES.find((e) => e.name === name);
  if (!exchange) throw new Error(`no exchange ${name}`);
  return exchange.address;
};

export const CTF_V2 = exchangeAddress("ctf-exchange-v2");
export const NEGRISK_V2 = exchangeAddress("negrisk-ctf-exchange-v2");
export const EXCHANGE_V3 = exchangeAddress("exchange-v3");

export const domainOf = (verifyingContract: Address, version: "2" | "3" = "2"): OrderDomain => ({ version, chainId: 137, verifyingContract });

/** A deterministic EOA key per name. */
export function testKey(name: string): PrivateKeyAccount {
  return privateKeyToAccount(keccak256(toHex(`poly-syncer/test/key/${name}`)));
}

/** Deterministic API credentials; the secret is url-safe base64 like Polymarket's. */
export function testCredentials(name: string): ApiCredentials {
  const secret = Buffer.from(keccak256(toHex(`poly-syncer/test/secret/${name}`)).slice(2), "hex").toString("base64url");
  return apiCredentials({ key: `key-${name}`, secret: `${secret}=`, passphrase: `passphrase-${name}` });
}

export function testAccount(name: string, address: Address): L2Account {
  return { address, credentials: testCredentials(name) };
}

let saltSeq = 1;

export interface OrderSpec {
  maker: Address;
  signer: Address;
  signatureType: SignatureType;
  tokenId?: bigint;
  side?: "BUY" | "SELL";
  salt?: bigint;
}

/** A BUY of 10 shares at 0.40 (or the SELL mirror), fresh salt, millisecond timestamp. */
export function buildOrder(spec: OrderSpec): Order {
  const buy = (spec.side ?? "BUY") === "BUY";
  return {
    salt: spec.salt ?? BigInt(saltSeq++),
    maker: spec.maker,
    signer: spec.signer,
    tokenId: spec.tokenId ?? tokenIdFor("order-book-test"),
    makerAmount: buy ? 4_000_000n : 10_000_000n,
    takerAmount: buy ? 10_000_000n : 4_000_000n,
    side: buy ? ORDER_SIDES.BUY : ORDER_SIDES.SELL,
    signatureType: spec.signatureType,
    timestamp: BigInt(Date.now()),
    metadata: ZERO_BYTES32,
    builder: ZERO_BYTES32,
  };
}

/** Signs the EIP-712 digest with `key`, as the executor's DigestSigner does. */
export async function signOrder(key: PrivateKeyAccount, domain: OrderDomain, order: Order): Promise<SignedOrder> {
  return { domain, order, signature: await key.sign({ hash: hashOrder(domain, order) }) };
}

/** A deposit wallet address for tests (placed with installDepositWallet). */
export const depositWalletFor = (name: string): Address => walletAddress(`deposit-wallet/${name}`);

/** Every OrderFilled on `exchange` whose orderHash is `orderHash` (normally exactly one). */
export async function orderFilledLogs(rpcUrl: string, exchange: Address, orderHash: Hex) {
  const chain = createPublicClient({ transport: http(rpcUrl) });
  return chain.getLogs({ address: exchange, event: EXCHANGE_V2_EVENTS[0], args: { orderHash }, fromBlock: 0n, toBlock: "latest" });
}

export interface Trader {
  name: string;
  key: PrivateKeyAccount;
  /** The order's maker: the EOA, its proxy, its Safe or its deposit wallet. */
  wallet: Address;
  signatureType: SignatureType;
  /** The API account; its address is the orders' signer. */
  account: L2Account;
}

export interface OrderBookFixture {
  anvil: Anvil;
  book: OrderBook;
  client: OrderBookClient;
  traders: { eoa: Trader; proxy: Trader; safe: Trader; deposit: Trader };
  /** Tokens per exchange; orders for them must be signed with that exchange's domain. */
  tokens: { ctf: bigint; negRisk: bigint; v3: bigint };
  /** Signs a fresh order of `trader` for `token` with the market's domain (or `domain` to test a wrong one). */
  order(trader: Trader, token: bigint, overrides?: Partial<Order>, domain?: OrderDomain): Promise<SignedOrder>;
  stop(): Promise<void>;
}

/** anvil with the stand-in exchanges and a deposit wallet, the stand-in order book, and a client for it. */
export async function startOrderBookFixture(options: Partial<OrderBookClientOptions> = {}): Promise<OrderBookFixture> {
  const anvil = await startAnvil({ blockTimeMs: 250 });
  try {
    await installStandInExchanges(anvil.httpUrl);
    const trader = (name: string, signatureType: SignatureType, walletOf: (owner: Address) => Address): Trader => {
      const key = testKey(name);
      const wallet = walletOf(key.address);
      const signer = signatureType === 3 ? wallet : key.address;
      return { name, key, wallet, signatureType, account: testAccount(name, signer) };
    };
    const traders = {
      eoa: trader("eoa", 0, (owner) => owner),
      proxy: trader("proxy", 1, (owner) => proxyWalletOf(owner)),
      safe: trader("safe", 2, (owner) => safeWalletOf(owner)),
      deposit: trader("deposit", 3, () => depositWalletFor("deposit")),
    };
    await installDepositWallet(anvil.httpUrl, traders.deposit.wallet, traders.deposit.key.address);
    const tokens = { ctf: tokenIdFor("ob-ctf"), negRisk: tokenIdFor("ob-negrisk"), v3: tokenIdFor("ob-v3") };
    const domains = new Map<bigint, OrderDomain>([
      [tokens.ctf, domainOf(CTF_V2)],
      [tokens.negRisk, domainOf(NEGRISK_V2)],
      [tokens.v3, domainOf(EXCHANGE_V3, "3")],
    ]);
    const book = await startOrderBook({
      rpcUrl: anvil.httpUrl,
      accounts: Object.values(traders).map((t) => t.account),
      markets: [...domains].map(([tokenId, domain]) => ({ tokenId, exchange: domain.verifyingContract })),
      settlement: { pollMs: 25, confirmations: 1 },
    });
    const bySigner = new Map(Object.values(traders).map((t) => [t.account.address.toLowerCase(), t.account]));
    const client = new OrderBookClient({
      baseUrl: book.url,
      accountFor: (signed) => bySigner.get(signed.order.signer.toLowerCase()),
      attemptTimeoutMs: 2000,
      ...options,
    });
    return {
      anvil,
      book,
      client,
      traders,
      tokens,
      order: (t, token, overrides = {}, domain = domains.get(token)!) =>
        signOrder(t.key, domain, {
          ...buildOrder({ maker: t.wallet, signer: t.account.address, signatureType: t.signatureType, tokenId: token }),
          ...overrides,
        }),
      stop: async () => {
        client.close();
        await book.stop();
        await anvil.stop();
      },
    };
  } catch (err) {
    await anvil.stop();
    throw err;
  }
}

/** POST /order exactly as the client sends it, returning the raw answer (for concurrency and auth tests). */
export async function postRaw(
  url: string,
  signed: SignedOrder,
  account: L2Account,
  tamper: { secret?: string; passphrase?: string; timestampSec?: number; owner?: string } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const body = JSON.stringify(toPostOrderBody(signed, tamper.owner ?? account.credentials.key, "FAK"));
  const credentials = apiCredentials({
    key: account.credentials.key,
    secret: tamper.secret ?? account.credentials.secret,
    passphrase: tamper.passphrase ?? account.credentials.passphrase,
  });
  const timestampSec = tamper.timestampSec ?? Math.floor(Date.now() / 1000);
  const headers = l2Headers(account.address, credentials, { method: "POST", requestPath: "/order", body, timestampSec });
  const response = await fetch(`${url}/order`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
