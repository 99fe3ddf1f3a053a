import http from "node:http";
import type { AddressInfo, Socket } from "node:net";

/**
 * `down`: every connection is dropped at once; `slow`: answers after `delayMs`; `error`: a JSON-RPC error instead of
 * forwarding (the transaction never reaches the chain).
 */
export type RelayFault =
  | { kind: "down" }
  | { kind: "slow"; delayMs: number }
  | { kind: "error"; code: number; message: string };

export interface PrivateRelayOptions {
  /** The anvil node the relay hands transactions to (the block producer, in private-mempool terms). */
  upstreamUrl: string;
  /** 0 picks a free port. */
  port?: number;
}

export interface PrivateRelay {
  url: string;
  /** eth_sendRawTransaction requests received, whatever the fault. */
  readonly received: number;
  setFault(fault: RelayFault | undefined): void;
  stop(): Promise<void>;
}

const SLOW_FAULT_MAX_MS = 60_000;

/**
 * A stand-in private relay: JSON-RPC over HTTP accepting only eth_sendRawTransaction, forwarded to anvil so the
 * transaction lands in the next block. It answers the way bor/geth do ("already known" for a transaction it already
 * has), where anvil says "transaction already imported". Other methods are refused, as private mempools do.
 */
export async function startPrivateRelay(options: PrivateRelayOptions): Promise<PrivateRelay> {
  let fault: RelayFault | undefined;
  let received = 0;
  const sockets = new Set<Socket>();

  const server = http.createServer((req, res) => {
    let raw = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (raw += chunk));
    req.on("end", () => {
      void answer(raw).then((body) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body)));
    });
  });
  server.on("connection", (socket) => {
    if (fault?.kind === "down") {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });

  async function answer(raw: string): Promise<object> {
    let request: { id?: unknown; method?: unknown; params?: unknown };
    try {
      request = JSON.parse(raw) as typeof request;
    } catch {
      return { jsonrpc: "2.0", id: null, error: { code: -32700, message: "parse error" } };
    }
    const id = request.id ?? null;
    if (request.method !== "eth_sendRawTransaction") {
      return { jsonrpc: "2.0", id, error: { code: -32601, message: `method ${String(request.method)} not supported by this relay` } };
    }
    received++;
    const current = fault;
    // unref: a slow answer still pending at stop() must not hold the process open.
    if (current?.kind === "slow") await new Promise((resolve) => setTimeout(resolve, Math.min(current.delayMs, SLOW_FAULT_MAX_MS)).unref());
    if (current?.kind === "error") return { jsonrpc: "2.0", id, error: { code: current.code, message: current.message } };
    return forward(options.upstreamUrl, id, request.params);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", (err) => reject(new Error(`private relay cannot listen: ${err.message}`)));
    server.listen(options.port ?? 0, "127.0.0.1", resolve);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    get received() {
      return received;
    },
    setFault(next) {
      fault = next;
      if (next?.kind === "down") for (const socket of sockets) socket.destroy();
    },
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function forward(upstreamUrl: string, id: unknown, params: unknown): Promise<object> {
  try {
    const response = await fetch(upstreamUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id, method: "eth_sendRawTransaction", params }),
    });
    const body = (await response.json()) as { error?: { code: number; message: string } };
    if (body.error && /already imported/i.test(body.error.message)) {
      return { ...body, error: { code: -32000, message: "already known" } };
    }
    return body;
  } catch (err) {
    return { jsonrpc: "2.0", id, error: { code: -32603, message: `relay could not reach its block producer: ${(err as Error).message}` } };
  }
}
