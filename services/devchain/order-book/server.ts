import { randomUUID } from "node:crypto";
import http, { type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { createPublicClient, formatUnits, http as viemHttp, type Address, type Hex } from "viem";
import { ZodError } from "zod";
import { hashOrder, ORDER_SIDES } from "../../polymarket/order";
import { parsePostOrderBody, type ReceivedOrder } from "../../venue/order-wire";
import { L2Verifier, type OrderBookAccount } from "./auth";
import { FaultQueue, type OrderBookFault } from "./faults";
import { MarketDomains, type MarketConfig } from "./markets";
import { Settlement, type SettlementOptions } from "./settlement";
import { SignatureCheck } from "./signature-check";
import { createSignerKeys, type SignerKeys } from "./signer-keys";
import { OrderStore, type BookOrder } from "./store";
import type { WalletFactories } from "./wallets";
import { loadKeccak } from "../../shared/keccak";

export interface OrderBookOptions {
  /** anvil with the stand-in exchanges installed (installStandInExchanges). */
  rpcUrl: string;
  /** API accounts: each key's owner address must be the signer of the orders it posts. */
  accounts: readonly OrderBookAccount[];
  markets: readonly MarketConfig[];
  /** The exchange of tokens not in `markets`; without it such orders are refused. */
  defaultExchange?: Address;
  /** 0 picks a free port. */
  port?: number;
  /** Time "matching" takes before POST /order answers. */
  matchingLatencyMs?: number;
  /** Accepted clock difference of POLY_TIMESTAMP. */
  authWindowSec?: number;
  settlement?: Omit<SettlementOptions, "rpcUrl">;
  walletFactories?: WalletFactories;
}

export interface OrderBook {
  /** What checks order signatures (SignerKeys.engine). */
  readonly signatureEngine: string;
  url: string;
  /** Faults of POST /order, applied in order (see faults.ts). */
  readonly faults: FaultQueue;
  /** Accepted orders by hash, with their trade state. */
  order(orderHash: Hex): BookOrder | undefined;
  readonly orderCount: number;
  pauseSettlement(): void;
  resumeSettlement(): void;
  stop(): Promise<void>;
}

interface Reply {
  status: number;
  body: unknown;
}

/** A fault that leaves the request unanswered. */
const NO_REPLY = Symbol("no reply");
const MAX_BODY_BYTES = 256 * 1024;
/** Docs, error codes: every authentication failure is this one message. */
const UNAUTHORIZED: Reply = { status: 401, body: { error: "Unauthorized/Invalid api key" } };

/**
 * A local stand-in of Polymarket's order book speaking its HTTP API: `POST /order` (L2 auth, EIP-712 signature and
 * maker/signer relation per signature type, dedupe by order hash) and `GET /data/order/{hash}`. Every accepted order
 * matches in full against a house market maker and is settled on the local chain by settlement.ts.
 */
export async function startOrderBook(options: OrderBookOptions): Promise<OrderBook> {
  await loadKeccak();
  const chain = createPublicClient({ transport: viemHttp(options.rpcUrl) });
  const markets = new MarketDomains(options.markets, await chain.getChainId(), options.defaultExchange);
  const auth = new L2Verifier(options.accounts, options.authWindowSec ?? 30);
  const keys = signerKeys();
  for (const { address, publicKey } of options.accounts) if (publicKey) keys.learn(address, publicKey);
  const signatures = new SignatureCheck(keys, chain, options.walletFactories);
  const store = new OrderStore();
  const faults = new FaultQueue();
  const settlement = await Settlement.create({ rpcUrl: options.rpcUrl, ...options.settlement });

  async function postOrder(headers: IncomingHttpHeaders, body: string): Promise<Reply | typeof NO_REPLY> {
    const fault = faults.take();
    if (fault?.kind === "reject") return { status: 400, body: { error: fault.message } };
    if (fault?.phase === "before-accept") return faultReply(fault);
    const reply = await placeOrder(headers, body);
    return fault ? faultReply(fault) : reply;
  }

  async function placeOrder(headers: IncomingHttpHeaders, body: string): Promise<Reply> {
    const authResult = auth.verify("POST", "/order", body, headers);
    if (!authResult.ok) return UNAUTHORIZED;
    const { account } = authResult;
    let received: ReceivedOrder;
    try {
      received = parsePostOrderBody(JSON.parse(body));
    } catch (err) {
      return refuse(`Invalid order payload${err instanceof ZodError ? `: ${err.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}` : ""}`);
    }
    const { order, signature } = received;
    if (received.owner !== account.credentials.key) return refuse("the order owner has to be the owner of the API KEY");
    if (order.signer.toLowerCase() !== account.address.toLowerCase()) return refuse("the order signer address has to be the address of the API KEY");
    if (order.makerAmount === 0n || order.takerAmount === 0n) return refuse("Invalid order payload: zero amount");
    const expirationProblem = checkExpiration(received);
    if (expirationProblem) return refuse(expirationProblem);
    const domain = markets.domainFor(order.tokenId);
    if (!domain) return refuse(`market not found for token id ${order.tokenId}`);

    const orderHash = hashOrder(domain, order);
    const duplicated = refuse(`order ${orderHash} is invalid. Duplicated.`);
    if (store.has(orderHash)) return duplicated;
    const problem = await signatures.problem(order, orderHash, signature);
    if (problem) return refuse(problem);
    const entry: BookOrder = {
      orderHash,
      order,
      signature,
      domain,
      owner: account.credentials.key,
      orderType: received.orderType,
      expiration: received.expiration,
      createdAtMs: Date.now(),
      trade: { id: randomUUID(), status: "MATCHED" },
    };
    if (!store.claim(entry)) return duplicated;
    if (options.matchingLatencyMs) await new Promise((resolve) => setTimeout(resolve, options.matchingLatencyMs));
    settlement.enqueue(entry);
    return {
      status: 200,
      body: {
        success: true,
        errorMsg: "",
        orderID: orderHash,
        status: "matched",
        // As the venue reports them: making = what the order gives, taking = what it gets, in 6-decimal units.
        makingAmount: formatUnits(order.makerAmount, 6),
        takingAmount: formatUnits(order.takerAmount, 6),
        transactionsHashes: [],
        tradeIDs: [entry.trade.id],
      },
    };
  }

  function getOrder(headers: IncomingHttpHeaders, path: string, orderHash: string): Reply {
    const authResult = auth.verify("GET", path, "", headers);
    if (!authResult.ok) return UNAUTHORIZED;
    const entry = store.get(orderHash.toLowerCase() as Hex);
    // Another key's order is as invisible as a missing one.
    if (!entry || entry.owner !== authResult.account.credentials.key) return { status: 404, body: { error: "order not found" } };
    return { status: 200, body: orderView(entry) };
  }

  async function route(req: http.IncomingMessage): Promise<Reply | typeof NO_REPLY> {
    const path = req.url ?? "/";
    let body: string;
    try {
      body = await readBody(req);
    } catch (err) {
      return { status: 413, body: { error: (err as Error).message } };
    }
    const orderMatch = /^\/data\/order\/(0x[0-9a-fA-F]{64})$/.exec(path);
    if (req.method === "POST" && path === "/order") return postOrder(req.headers, body);
    if (req.method === "GET" && orderMatch) return getOrder(req.headers, path, orderMatch[1]!);
    return { status: 404, body: { error: `no route ${req.method} ${path}` } };
  }

  const server = http.createServer((req, res) => {
    route(req)
      // A bug here must answer 500 (as the venue's own errors do), not take the dev stack down.
      .catch((): Reply => ({ status: 500, body: { error: "Internal server error" } }))
      .then((reply) => {
        if (reply === NO_REPLY) return;
        res.writeHead(reply.status, { "content-type": "application/json" }).end(JSON.stringify(reply.body, bigintAsString));
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err) => reject(new Error(`order book cannot listen: ${err.message}`)));
    server.listen(options.port ?? 0, "127.0.0.1", resolve);
  });

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    signatureEngine: keys.engine,
    faults,
    order: (orderHash) => store.get(orderHash),
    get orderCount() {
      return store.size;
    },
    pauseSettlement: () => settlement.pause(),
    resumeSettlement: () => settlement.resume(),
    stop: async () => {
      // Hung requests (hang faults) end here too.
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await settlement.stop();
    },
  };
}

/** The native engine where it loads; otherwise the fallback, announced once on stderr so a slow bench explains itself. */
function signerKeys(): SignerKeys {
  const { keys, fallback } = createSignerKeys();
  if (fallback) process.emitWarning(`order book: ${fallback}`);
  return keys;
}

function refuse(error: string): Reply {
  return { status: 400, body: { error } };
}

function faultReply(fault: Exclude<OrderBookFault, { kind: "reject" }>): Reply | typeof NO_REPLY {
  return fault.kind === "hang" ? NO_REPLY : { status: fault.status, body: { error: `injected fault: HTTP ${fault.status}` } };
}

/** GTD orders expire in the future (docs: "invalid expiration"); every other type carries expiration 0. */
function checkExpiration(received: ReceivedOrder): string | undefined {
  if (received.orderType === "GTD") {
    return received.expiration > BigInt(Math.floor(Date.now() / 1000)) ? undefined : "invalid expiration";
  }
  return received.expiration === 0n ? undefined : `invalid expiration value: ${received.orderType} orders carry expiration 0`;
}

/** The order in the shape of the venue's `GET /data/order` (snake_case), with its trade's settlement state. */
function orderView(entry: BookOrder): object {
  const { order, trade } = entry;
  const buy = order.side === ORDER_SIDES.BUY;
  const shares = buy ? order.takerAmount : order.makerAmount;
  const collateral = buy ? order.makerAmount : order.takerAmount;
  return {
    id: entry.orderHash,
    status: "MATCHED",
    owner: entry.owner,
    maker_address: order.maker,
    signer: order.signer,
    asset_id: order.tokenId,
    side: buy ? "BUY" : "SELL",
    original_size: formatUnits(shares, 6),
    size_matched: formatUnits(shares, 6),
    price: (Number(collateral) / Number(shares)).toString(),
    order_type: entry.orderType,
    expiration: entry.expiration,
    created_at: Math.floor(entry.createdAtMs / 1000),
    associate_trades: [trade.id],
    trade: {
      id: trade.id,
      status: trade.status,
      transaction_hash: trade.transactionHash ?? null,
      block_number: trade.blockNumber ?? null,
      ...(trade.failure ? { error: trade.failure } : {}),
    },
  };
}

function bigintAsString(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
      if (body.length > MAX_BODY_BYTES) {
        reject(new Error(`body larger than ${MAX_BODY_BYTES} bytes`));
        req.destroy();
      }
    });
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });
}
