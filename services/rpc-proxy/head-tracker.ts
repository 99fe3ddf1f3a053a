import WebSocket from "ws";
import { isObject, isSubscriptionNotification, parseJson, parseQuantity } from "./json-rpc";

const RECONNECT_MS = 500;

/**
 * Follows the upstream chain head over its own WebSocket (`eth_blockNumber` once, then `newHeads`). Faults never touch
 * this socket: it is the proxy's view of the truth that `stale-head` lags behind.
 */
export class HeadTracker {
  private socket?: WebSocket;
  private head?: bigint;
  private stopped = false;
  private reconnectTimer?: NodeJS.Timeout;
  private readonly listeners = new Set<(head: bigint) => void>();
  private readonly waiting: ((head: bigint) => void)[] = [];

  constructor(private readonly wsUrl: string) {}

  start(): void {
    this.connect();
  }

  /** The last head seen, `undefined` before the first. */
  current(): bigint | undefined {
    return this.head;
  }

  /** The current head, or the first one once known. */
  next(): Promise<bigint> {
    if (this.head !== undefined) return Promise.resolve(this.head);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  onHead(listener: (head: bigint) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    this.socket?.terminate();
    this.listeners.clear();
  }

  private connect(): void {
    const socket = new WebSocket(this.wsUrl);
    this.socket = socket;
    socket.on("open", () => {
      socket.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber" }));
      socket.send(JSON.stringify({ jsonrpc: "2.0", id: 2, method: "eth_subscribe", params: ["newHeads"] }));
    });
    socket.on("message", (data) => this.onMessage(parseJson(data.toString())));
    socket.on("error", () => socket.terminate());
    socket.on("close", () => {
      if (this.stopped) return;
      this.reconnectTimer = setTimeout(() => this.connect(), RECONNECT_MS);
    });
  }

  private onMessage(message: unknown): void {
    if (isSubscriptionNotification(message)) {
      const header = message.params.result;
      if (isObject(header)) this.observe(parseQuantity(header.number));
    } else if (isObject(message) && message.id === 1) {
      this.observe(parseQuantity(message.result));
    }
  }

  private observe(head: bigint | undefined): void {
    // The eth_blockNumber answer can arrive after the first newHeads; never move backwards.
    if (head === undefined || (this.head !== undefined && head <= this.head)) return;
    this.head = head;
    for (const resolve of this.waiting.splice(0)) resolve(head);
    for (const listener of [...this.listeners]) listener(head);
  }
}
