import WebSocket from "ws";
import type { Hex } from "viem";
import type { RpcErrorKind } from "../metrics/catalogue";
import { readBlockHeader, type BlockHeader } from "./block-header";
import { preciseNowMs } from "./clock";
import { jsonRpcErrorKind, statusErrorKind } from "./errors";
import type { ProviderStatus } from "./provider";

export interface LogFilter {
  address: readonly Hex[];
  topics: readonly (readonly Hex[] | Hex | null)[];
}

export interface WsSessionOptions {
  chainId: number;
  /** Without a filter only newHeads is subscribed (the latency exporter watches heads, not logs). */
  logFilter?: LogFilter;
  /** Connect, the chain-id check and each subscription must finish within this. */
  handshakeTimeoutMs: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** A provider on the wrong chain is asked again only this often. */
  wrongChainRetryMs: number;
  /**
   * Whether a frame is handled the moment it is read. The others wait until every frame of the socket reads at hand is
   * handled (setImmediate), in their order and with their arrival time: a provider sends a block's logs as one burst,
   * and a leader's fill should not queue behind the JSON of other traders' fills read with it. Default: all at once.
   */
  urgent?: (text: string) => boolean;
}

export const DEFAULT_WS_SESSION: Omit<WsSessionOptions, "chainId" | "logFilter"> = {
  handshakeTimeoutMs: 3000,
  backoffInitialMs: 250,
  backoffMaxMs: 5000,
  wrongChainRetryMs: 30_000,
};

export type ReconnectReason = "stalled" | "closed" | "error" | "handshake_timeout" | "wrong_chain";

export interface WsSessionEvents {
  head(provider: string, header: BlockHeader, arrivalMs: number): void;
  log(provider: string, log: unknown, arrivalMs: number): void;
  malformed(provider: string, what: string, message: string): void;
  connected(provider: string): void;
  /** `kind` classifies what the provider did wrong; undefined when the caller dropped the socket (forceReconnect). */
  disconnected(provider: string, reason: ReconnectReason, detail: string, kind: RpcErrorKind | undefined): void;
  wrongChain(provider: string, reported: string): void;
}

type Pending = { resolve: (value: unknown) => void; reject: (err: Error) => void };
type HandshakeError = Error & { reason?: ReconnectReason; kind?: RpcErrorKind };

/** ws reports a refused upgrade as "Unexpected server response: <status>": a throttling or failing endpoint. */
function socketErrorKind(message: string): RpcErrorKind {
  if (/timed out/i.test(message)) return "timeout";
  const status = /Unexpected server response: (\d{3})/.exec(message);
  return status ? statusErrorKind(Number(status[1])) : "network";
}

/**
 * One provider's WebSocket: checks the chain id, subscribes to newHeads (and the exchange logs), and reconnects with
 * jittered exponential backoff forever (viem gives up after five fixed tries). Liveness is judged outside, by heads
 * compared across providers: a stalled socket still answers pings, so pings prove nothing.
 */
export class WsSession {
  private socket: WebSocket | undefined;
  private readonly pending = new Map<number, Pending>();
  private readonly subscriptions = new Map<string, "head" | "log">();
  private nextId = 1;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** When the socket's last TCP chunk was read: frames parsed from one chunk share it. */
  private chunkAtMs: number | undefined;
  private deferred: { text: string; arrivalMs: number }[] = [];

  constructor(
    private readonly status: ProviderStatus,
    private readonly options: WsSessionOptions,
    private readonly events: WsSessionEvents,
  ) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  /** Drops the socket (e.g. silently stalled) and connects again at once. */
  forceReconnect(reason: ReconnectReason, detail: string): void {
    if (this.stopped) return;
    this.teardown(reason, detail, undefined);
    this.attempt = 0;
    this.scheduleConnect(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const socket = this.socket;
    this.socket = undefined;
    this.failPending(new Error("session stopped"));
    this.subscriptions.clear();
    this.status.wsConnected = false;
    socket?.removeAllListeners();
    socket?.on("error", () => {});
    socket?.terminate();
  }

  private connect(): void {
    if (this.stopped) return;
    // No permessage-deflate: a compressed frame is inflated on libuv's thread pool, a hop between read and handling.
    const socket = new WebSocket(this.status.endpoint.wsUrl, { handshakeTimeout: this.options.handshakeTimeoutMs, perMessageDeflate: false });
    this.socket = socket;
    socket.on("message", (data) => this.onFrame(data.toString(), this.chunkAtMs ?? preciseNowMs()));
    socket.on("close", (code) => this.onDown(socket, "closed", `socket closed (${code})`, "network"));
    socket.on("error", (err) => this.onDown(socket, "error", err.message, socketErrorKind(err.message)));
    socket.on("open", () => {
      // ws parses every frame of a chunk synchronously, one 'message' after another: stamping at 'message' would charge
      // a burst's later logs with the handling time of the earlier ones. ws keeps the TCP socket in _socket (8.x).
      const tcp = (socket as unknown as { _socket?: { prependListener(event: "data", fn: () => void): void } })._socket;
      tcp?.prependListener("data", () => (this.chunkAtMs = preciseNowMs()));
      this.handshake(socket).catch((err: HandshakeError) =>
        this.onDown(socket, err.reason ?? "handshake_timeout", err.message, err.kind ?? "network"),
      );
    });
  }

  private async handshake(socket: WebSocket): Promise<void> {
    const chainId = await this.call(socket, "eth_chainId", []);
    if (typeof chainId !== "string" || Number(chainId) !== this.options.chainId) {
      this.status.chain = "wrong";
      this.events.wrongChain(this.status.name, String(chainId));
      throw Object.assign(new Error(`chain id ${String(chainId)}, expected ${this.options.chainId}`), {
        reason: "wrong_chain" as const,
        kind: "wrong_chain" as const,
      });
    }
    this.status.chain = "ok";
    const heads = await this.call(socket, "eth_subscribe", ["newHeads"]);
    const logs = this.options.logFilter && (await this.call(socket, "eth_subscribe", ["logs", this.options.logFilter]));
    if (typeof heads !== "string" || (this.options.logFilter && typeof logs !== "string")) {
      throw Object.assign(new Error("eth_subscribe did not return subscription ids"), {
        reason: "error" as const,
        kind: "malformed" as const,
      });
    }
    this.subscriptions.set(heads, "head");
    if (typeof logs === "string") this.subscriptions.set(logs, "log");
    this.attempt = 0;
    this.status.wsConnected = true;
    this.events.connected(this.status.name);
  }

  private call(socket: WebSocket, method: string, params: unknown[]): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(Object.assign(new Error(`${method} unanswered after ${this.options.handshakeTimeoutMs} ms`), {
          reason: "handshake_timeout" as const,
          kind: "timeout" as const,
        }));
      }, this.options.handshakeTimeoutMs);
      this.pending.set(id, {
        resolve: (v) => (clearTimeout(timer), resolve(v)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      socket.send(JSON.stringify({ jsonrpc: "2.0", id, method, params }));
    });
  }

  private onFrame(text: string, arrivalMs: number): void {
    if (this.options.urgent === undefined || this.options.urgent(text)) {
      this.onMessage(text, arrivalMs);
      return;
    }
    this.deferred.push({ text, arrivalMs });
    if (this.deferred.length === 1) setImmediate(() => this.handleDeferred());
  }

  /**
   * In arrival order. A notification whose socket was torn down meanwhile finds no subscription and is ignored, as a
   * late frame of that socket would be; after stop() nothing is handled.
   */
  private handleDeferred(): void {
    const frames = this.deferred;
    this.deferred = [];
    if (this.stopped) return;
    for (const frame of frames) this.onMessage(frame.text, frame.arrivalMs);
  }

  private onMessage(text: string, arrivalMs: number): void {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(text);
    } catch {
      this.events.malformed(this.status.name, "json", "WebSocket message is not JSON");
      return;
    }
    if (typeof message !== "object" || message === null) {
      this.events.malformed(this.status.name, "json", "WebSocket message is not an object");
      return;
    }
    if (message.method === "eth_subscription") {
      const params = message.params as { subscription?: unknown; result?: unknown } | undefined;
      const kind = typeof params?.subscription === "string" ? this.subscriptions.get(params.subscription) : undefined;
      if (!kind) return;
      if (kind === "log") {
        this.events.log(this.status.name, params?.result, arrivalMs);
        return;
      }
      let header: BlockHeader;
      try {
        header = readBlockHeader(params?.result);
      } catch (err) {
        this.events.malformed(this.status.name, "head", (err as Error).message);
        return;
      }
      this.events.head(this.status.name, header, arrivalMs);
      return;
    }
    const pending = typeof message.id === "number" ? this.pending.get(message.id) : undefined;
    if (!pending) return;
    this.pending.delete(message.id as number);
    if (message.error !== undefined) {
      const error = message.error as { code?: unknown; message?: unknown };
      pending.reject(Object.assign(new Error(`JSON-RPC error ${String(error?.code)}: ${String(error?.message)}`), {
        reason: "error" as const,
        kind: jsonRpcErrorKind(error?.code),
      }));
    } else pending.resolve(message.result);
  }

  private onDown(socket: WebSocket, reason: ReconnectReason, detail: string, kind: RpcErrorKind): void {
    if (socket !== this.socket || this.stopped) return;
    this.teardown(reason, detail, kind);
    const delay =
      reason === "wrong_chain"
        ? this.options.wrongChainRetryMs
        : Math.random() * Math.min(this.options.backoffMaxMs, this.options.backoffInitialMs * 2 ** this.attempt);
    this.attempt += 1;
    this.scheduleConnect(delay);
  }

  private teardown(reason: ReconnectReason, detail: string, kind: RpcErrorKind | undefined): void {
    const socket = this.socket;
    this.socket = undefined;
    this.failPending(new Error(`socket down: ${detail}`));
    this.subscriptions.clear();
    this.status.wsConnected = false;
    this.chunkAtMs = undefined;
    if (socket) {
      socket.removeAllListeners();
      socket.on("error", () => {});
      socket.terminate();
    }
    this.events.disconnected(this.status.name, reason, detail, kind);
  }

  private failPending(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  private scheduleConnect(delayMs: number): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.connect();
    }, delayMs);
  }
}
