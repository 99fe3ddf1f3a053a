/**
 * The stand-in order book (services/devchain/order-book) in its own process, as the real venue is never on the
 * executor's CPU: its signature checks, HTTP handling and settlement run on the bench's core, not the executor's.
 * The parent talks to it over the IPC channel: order count, when each order was accepted, settlement pause/resume.
 */
import { fork, type ChildProcess } from "node:child_process";
import type { Address, Hex } from "viem";
import { startOrderBook, type OrderBook } from "../../services/devchain/order-book/server";
import type { TradeStatus } from "../../services/devchain/order-book/store";
import { stopChildProcess } from "../../services/shared/child-process";
import { apiCredentials } from "../../services/venue/l2-auth";

/** Credentials travel as plain strings: apiCredentials() hides the secret from serialisation, IPC included. */
export interface VenueAccountInput {
  address: Address;
  key: string;
  secret: string;
  passphrase: string;
  /** The signer's public key, which the venue learns at API-key creation (types 0–2). */
  publicKey?: Hex;
}

export interface VenueStartInput {
  rpcUrl: string;
  accounts: VenueAccountInput[];
  markets: { tokenId: string; exchange: Address }[];
  defaultExchange: Address;
  /** anvil dev account that sends settlements; the trade simulator uses #0. */
  operatorIndex: number;
}

/** A trade's state, and why it failed when it did. */
export interface TradeState {
  status: TradeStatus;
  failure?: string;
}

type Request =
  | { op: "start"; input: VenueStartInput }
  | { op: "count" }
  | { op: "acceptedAt"; hashes: Hex[] }
  | { op: "trades"; hashes: Hex[] }
  | { op: "pauseSettlement" }
  | { op: "resumeSettlement" }
  | { op: "stop" };

type Envelope = { id: number } & Request;
type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

const START_TIMEOUT_MS = 30_000;
const REQUEST_TIMEOUT_MS = 15_000;

export interface VenueChild {
  url: string;
  pid: number;
  orderCount(): Promise<number>;
  /** The venue's accept time (its `createdAtMs`, epoch ms) per order hash; null for an order it does not hold. */
  acceptedAt(hashes: readonly Hex[]): Promise<(number | null)[]>;
  /** Settlement state per order hash; null for an order it does not hold. */
  trades(hashes: readonly Hex[]): Promise<(TradeState | null)[]>;
  pauseSettlement(): Promise<void>;
  resumeSettlement(): Promise<void>;
  stop(): Promise<void>;
}

export async function startVenueChild(input: VenueStartInput): Promise<VenueChild> {
  // The child inherits the bench's CPU affinity: the bench's core.
  const child = fork(__filename, [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "pipe", "pipe", "ipc"] });
  let output = "";
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const call = requester(child, () => output);
  try {
    const { url } = (await call({ op: "start", input }, START_TIMEOUT_MS)) as { url: string };
    return {
      url,
      pid: child.pid!,
      orderCount: async () => (await call({ op: "count" })) as number,
      acceptedAt: async (hashes) => (await call({ op: "acceptedAt", hashes: [...hashes] })) as (number | null)[],
      trades: async (hashes) => (await call({ op: "trades", hashes: [...hashes] })) as (TradeState | null)[],
      pauseSettlement: async () => void (await call({ op: "pauseSettlement" })),
      resumeSettlement: async () => void (await call({ op: "resumeSettlement" })),
      stop: async () => {
        await call({ op: "stop" }).catch(() => undefined);
        await stopChildProcess(child);
      },
    };
  } catch (err) {
    await stopChildProcess(child);
    throw err;
  }
}

/** Request/reply over the IPC channel, each request with a bounded wait. */
function requester(child: ChildProcess, output: () => string): (request: Request, timeoutMs?: number) => Promise<unknown> {
  let nextId = 0;
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>();
  child.on("message", (reply: Reply) => {
    const entry = waiting.get(reply.id);
    waiting.delete(reply.id);
    if (!entry) return;
    if (reply.ok) entry.resolve(reply.result);
    else entry.reject(new Error(`venue child: ${reply.error}`));
  });
  child.once("exit", (code, signal) => {
    for (const entry of waiting.values()) entry.reject(new Error(`venue child exited (${code ?? signal}): ${output().slice(-800)}`));
    waiting.clear();
  });
  return (request, timeoutMs = REQUEST_TIMEOUT_MS) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error(`venue child did not answer ${request.op} within ${timeoutMs} ms: ${output().slice(-800)}`));
      }, timeoutMs);
      waiting.set(id, {
        resolve: (value) => (clearTimeout(timer), resolve(value)),
        reject: (err) => (clearTimeout(timer), reject(err)),
      });
      child.send({ id, ...request } satisfies Envelope);
    });
}

async function serve(book: OrderBook | undefined, request: Request): Promise<{ book?: OrderBook; result: unknown }> {
  if (request.op === "start") {
    const { input } = request;
    const started = await startOrderBook({
      rpcUrl: input.rpcUrl,
      accounts: input.accounts.map((a) => ({ address: a.address, credentials: apiCredentials(a), ...(a.publicKey ? { publicKey: a.publicKey } : {}) })),
      markets: input.markets.map((m) => ({ tokenId: BigInt(m.tokenId), exchange: m.exchange })),
      defaultExchange: input.defaultExchange,
      settlement: { operatorIndex: input.operatorIndex },
    });
    return { book: started, result: { url: started.url } };
  }
  if (!book) throw new Error(`${request.op} before start`);
  switch (request.op) {
    case "count":
      return { result: book.orderCount };
    case "acceptedAt":
      return { result: request.hashes.map((h) => book.order(h)?.createdAtMs ?? null) };
    case "trades":
      return {
        result: request.hashes.map((h): TradeState | null => {
          const trade = book.order(h)?.trade;
          return trade ? { status: trade.status, ...(trade.failure ? { failure: trade.failure } : {}) } : null;
        }),
      };
    case "pauseSettlement":
      book.pauseSettlement();
      return { result: null };
    case "resumeSettlement":
      book.resumeSettlement();
      return { result: null };
    case "stop":
      await stopOnce(book);
      return { result: null };
  }
}

let stopping: Promise<void> | undefined;

function stopOnce(book: OrderBook | undefined): Promise<void> {
  stopping ??= book?.stop() ?? Promise.resolve();
  return stopping;
}

function childMain(): void {
  let book: OrderBook | undefined;
  process.on("message", (envelope: Envelope) => {
    const { id, ...request } = envelope;
    serve(book, request as Request).then(
      (answer) => {
        if (answer.book) book = answer.book;
        process.send!({ id, ok: true, result: answer.result } satisfies Reply);
        if (request.op === "stop") process.disconnect();
      },
      (err: Error) => process.send!({ id, ok: false, error: err.stack ?? err.message } satisfies Reply),
    );
  });
  // The parent is gone (crashed, killed): stop, bounded, rather than linger as an orphan holding a port.
  process.on("disconnect", () => {
    const exit = setTimeout(() => process.exit(0), 5000);
    exit.unref();
    void stopOnce(book).finally(() => process.exit(0));
  });
}

if (require.main === module) childMain();
