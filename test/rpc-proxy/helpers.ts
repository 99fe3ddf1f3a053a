import WebSocket from "ws";
import { waitFor } from "../support/wait";

export { waitFor };

export interface RpcReply {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

/** Raw JSON-RPC over HTTP, so tests see status codes, headers and bodies that a client library would hide. */
export async function rpc(url: string, body: unknown, timeoutMs = 3000): Promise<RpcReply> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

export function call(method: string, params: unknown[] = [], id: number | string = 1) {
  return { jsonrpc: "2.0", id, method, params };
}

export async function result(url: string, method: string, params: unknown[] = []): Promise<any> {
  const reply = await rpc(url, call(method, params));
  if (reply.json?.error) throw new Error(`${method}: ${JSON.stringify(reply.json.error)}`);
  return reply.json.result;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Deploys init code `PUSH1 0 PUSH1 0 LOG0 STOP`: one log per transaction, no contract needed. */
export async function emitLog(httpUrl: string): Promise<{ blockNumber: bigint; transactionHash: string }> {
  const [from] = await result(httpUrl, "eth_accounts");
  const hash = await result(httpUrl, "eth_sendTransaction", [{ from, data: "0x60006000a000" }]);
  const receipt = await waitFor("the log transaction's receipt", () => result(httpUrl, "eth_getTransactionReceipt", [hash]), 5000);
  return { blockNumber: BigInt(receipt.blockNumber), transactionHash: hash };
}

/** A raw WebSocket JSON-RPC client that keeps every frame it receives. */
export class TestSocket {
  readonly frames: string[] = [];
  /** `performance.now()` at the arrival of each frame, same index as `frames`. */
  readonly arrivals: number[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private nextId = 1;

  private constructor(readonly socket: WebSocket) {
    socket.on("message", (data) => {
      this.frames.push(data.toString());
      this.arrivals.push(performance.now());
    });
    this.closed = new Promise((resolve) => socket.on("close", (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  static open(url: string): Promise<TestSocket> {
    const socket = new WebSocket(url);
    return new Promise((resolve, reject) => {
      socket.once("open", () => resolve(new TestSocket(socket)));
      socket.once("error", reject);
    });
  }

  get open(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  parsed(): any[] {
    return this.frames.map((frame) => {
      try {
        return JSON.parse(frame);
      } catch {
        return undefined;
      }
    });
  }

  send(message: unknown): void {
    this.socket.send(JSON.stringify(message));
  }

  /** Sends a request and waits for the answer with its id. */
  async request(method: string, params: unknown[] = [], timeoutMs = 3000): Promise<any> {
    const id = this.nextId++;
    this.send(call(method, params, id));
    return waitFor(`answer to ${method}`, () => this.parsed().find((message) => message?.id === id), timeoutMs, 5);
  }

  async subscribe(type: string, ...params: unknown[]): Promise<string> {
    const answer = await this.request("eth_subscribe", [type, ...params]);
    if (typeof answer.result !== "string") throw new Error(`eth_subscribe ${type}: ${JSON.stringify(answer)}`);
    return answer.result;
  }

  /** Results of the notifications received so far for one subscription. */
  notifications(subscription: string): any[] {
    return this.parsed()
      .filter((message) => message?.method === "eth_subscription" && message.params.subscription === subscription)
      .map((message) => message.params.result);
  }

  /** Arrival time of each newHeads notification of one subscription, by block number. */
  headArrivals(subscription: string): Map<number, number> {
    const arrivals = new Map<number, number>();
    this.parsed().forEach((message, index) => {
      if (message?.method === "eth_subscription" && message.params.subscription === subscription) {
        arrivals.set(Number(BigInt(message.params.result.number)), this.arrivals[index]);
      }
    });
    return arrivals;
  }

  close(): void {
    this.socket.terminate();
  }
}
