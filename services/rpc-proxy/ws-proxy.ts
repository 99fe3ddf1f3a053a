import type { IncomingMessage } from "node:http";
import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import WebSocket, { WebSocketServer } from "ws";
import { corruptResult, invalidJsonText, type CallPlan } from "./call-plan";
import { hits, inScope, isSendableCloseCode, latencyFaultDelay, messageVerdict, notificationVerdict, subscriptionMatches, withoutBlockTimestamp } from "./faults";
import { sampleLatency } from "./latency";
import {
  RPC_ERROR,
  isObject,
  isResponse,
  isSubscriptionNotification,
  parseJson,
  parseQuantity,
  parseRequests,
  type JsonRpcRequest,
  type JsonRpcResponse,
  type SubscriptionNotification,
} from "./json-rpc";
import { assembleResponses, errorResponses, planMessage, serializeResponses } from "./message-plan";
import type { ProviderContext } from "./provider-context";
import { ReleaseQueue } from "./release-queue";

const NOTIFICATION_METHODS = ["eth_subscription"];
/** Upstream ids are rewritten so answers map back to one client message even if the client reuses ids. */
const UPSTREAM_ID_PREFIX = "rpc-proxy:";

/** One client message waiting for the upstream answers to its forwarded calls. */
interface PendingMessage {
  batch: boolean;
  requests: JsonRpcRequest[];
  methods: string[];
  calls: CallPlan[];
  answers: (JsonRpcResponse | undefined)[];
  upstreamIds: string[];
  extraDelayMs: number;
  invalidJson: boolean;
}

/** Accepts WebSocket upgrades for one provider; each client gets its own upstream socket. */
export class WsProxy {
  private readonly server = new WebSocketServer({ noServer: true });
  private readonly connections = new Set<WsConnection>();

  constructor(private readonly ctx: ProviderContext) {}

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const unavailable = this.ctx.faults.current()["http-5xx"];
    // A failing provider's load balancer refuses the handshake; a method-scoped 5xx only hits requests.
    if (unavailable && unavailable.methods === undefined && hits(unavailable, "ws", [], this.ctx.rng)) {
      this.ctx.stats.faults(["http-5xx"]);
      socket.end(`HTTP/1.1 ${unavailable.status} ${STATUS_CODES[unavailable.status] ?? "Server Error"}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    this.server.handleUpgrade(req, socket, head, (client) => {
      const connection = new WsConnection(client, this.ctx, () => this.connections.delete(connection));
      this.connections.add(connection);
    });
  }

  close(): void {
    for (const connection of this.connections) connection.terminate();
    this.server.close();
  }
}

/**
 * A client socket paired with its upstream socket. Downstream frames (answers and notifications) pass through a FIFO
 * release queue, so the provider's latency never reorders them.
 */
class WsConnection {
  private readonly upstream: WebSocket;
  private readonly outbox: string[] = [];
  private readonly downstream: ReleaseQueue<string>;
  private readonly pending = new Map<string, { message: PendingMessage; index: number }>();
  /** Client subscription id → subscription type (`newHeads`, `logs`, ...), so faults can target subscription traffic. */
  private readonly subscriptions = new Map<string, string>();
  /** Notifications a stale-head fault holds back until the lagging view reaches their block, in arrival order. */
  private readonly held: { block: bigint; text: string }[] = [];
  private readonly cleanups: (() => void)[] = [];
  private inbound = Promise.resolve();
  private nextId = 0;
  private closed = false;

  constructor(
    private readonly client: WebSocket,
    private readonly ctx: ProviderContext,
    onClosed: () => void,
  ) {
    ctx.stats.connectionOpened();
    this.downstream = new ReleaseQueue((text) => {
      if (client.readyState === WebSocket.OPEN) client.send(text);
    });
    this.upstream = new WebSocket(ctx.upstream.wsUrl);
    this.upstream.on("open", () => {
      for (const text of this.outbox.splice(0)) this.upstream.send(text);
    });
    this.upstream.on("message", (data) => this.fromUpstream(data.toString()));
    this.upstream.on("error", () => this.close(1011, "upstream error"));
    this.upstream.on("close", (code) => this.close(isSendableCloseCode(code) ? code : 1011, "upstream closed"));

    // Client messages are handled one at a time: planning may await the head, and calls must reach upstream in order.
    client.on("message", (data) => {
      this.inbound = this.inbound.then(() => this.fromClient(data.toString())).catch(() => this.close(1011, "proxy error"));
    });
    client.on("error", () => client.terminate());
    client.on("close", () => {
      this.closed = true;
      this.upstream.terminate();
      this.downstream.clear();
      for (const cleanup of this.cleanups) cleanup();
      ctx.stats.connectionClosed();
      onClosed();
    });
    this.cleanups.push(
      ctx.faults.onChange(() => this.onFaultsChanged()),
      ctx.head.onHead(() => this.releaseHeld()),
      ctx.stats.trackHeld(() => this.held.length),
    );
  }

  terminate(): void {
    this.client.terminate();
    this.upstream.terminate();
  }

  private close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.downstream.clear();
    this.upstream.terminate();
    this.client.close(code, reason);
  }

  private async fromClient(text: string): Promise<void> {
    if (this.closed) return;
    const { stats, rng } = this.ctx;
    stats.wsMessage();
    const parsed = parseRequests(text);
    const methods = parsed ? parsed.requests.map((request) => request.method) : ["(invalid)"];
    stats.calls(methods);
    const faults = this.ctx.faults.current();
    const verdict = messageVerdict(faults, "ws", methods, rng);
    if (verdict) stats.faults([verdict.kind]);
    // A stalled node reads the frame and never acts on it.
    if (verdict?.kind === "stall") return;
    if (verdict?.kind === "http-5xx") {
      if (verdict.fault.wsMode === "close") return this.close(1011, `upstream unavailable (${verdict.fault.status})`);
      return this.reply(parsed?.batch ?? false, errorResponses(parsed?.requests ?? [], RPC_ERROR.internal, `upstream unavailable (${verdict.fault.status})`));
    }
    if (verdict?.kind === "http-429") {
      return this.reply(parsed?.batch ?? false, errorResponses(parsed?.requests ?? [], RPC_ERROR.rateLimited, "rate limited"));
    }
    const extraMs = latencyFaultDelay(faults, "ws", methods, rng);
    if (extraMs !== undefined) stats.faults(["latency"]);
    if (!parsed) return this.sendUpstream(text);

    const plan = await planMessage(parsed.requests, { faults, transport: "ws", rng, upstreamHead: () => this.ctx.head.next() });
    if (this.closed) return;
    stats.faults(plan.applied);
    const message: PendingMessage = {
      batch: parsed.batch,
      requests: parsed.requests,
      methods,
      calls: plan.calls,
      answers: [],
      upstreamIds: [],
      extraDelayMs: extraMs ?? 0,
      invalidJson: plan.invalidJson,
    };
    const forwarded = plan.calls.flatMap((call, index) => {
      if (!call.forward) return [];
      if (call.forward.id === undefined) return [call.forward];
      const id = `${UPSTREAM_ID_PREFIX}${this.nextId++}`;
      this.pending.set(id, { message, index });
      message.upstreamIds.push(id);
      return [{ ...call.forward, id }];
    });
    if (forwarded.length > 0) this.sendUpstream(JSON.stringify(parsed.batch ? forwarded : forwarded[0]));
    if (message.upstreamIds.length === 0) this.complete(message);
  }

  private sendUpstream(text: string): void {
    if (this.upstream.readyState === WebSocket.OPEN) this.upstream.send(text);
    else this.outbox.push(text);
  }

  private fromUpstream(text: string): void {
    if (this.closed) return;
    const value = parseJson(text);
    if (isSubscriptionNotification(value)) return this.notification(value, text);
    const answers = Array.isArray(value) ? value : [value];
    const matched = answers.length > 0 && answers.every((answer) => isResponse(answer) && this.pending.has(String(answer.id)));
    // Answers to frames that were not JSON-RPC (and anything else unexpected) pass through untouched.
    if (!matched) return this.downstream.push(text, sampleLatency(this.ctx.latency().ws, this.ctx.rng));
    for (const answer of answers as JsonRpcResponse[]) {
      const entry = this.pending.get(String(answer.id));
      if (!entry) continue;
      entry.message.answers[entry.index] = answer;
      this.pending.delete(String(answer.id));
      if (entry.message.upstreamIds.every((id) => !this.pending.has(id))) this.complete(entry.message);
    }
  }

  private complete(message: PendingMessage): void {
    const { stats, rng } = this.ctx;
    // Answers that were on their way when the stall began are withheld too, and dropped: a stalled node never sends them.
    if (hits(this.ctx.faults.current().stall, "ws", message.methods, rng)) {
      stats.faults(["stall"]);
      return;
    }
    this.trackSubscriptions(message);
    const text = serializeResponses(message.batch, assembleResponses(message.requests, message.calls, (index) => message.answers[index]));
    if (text === "") return;
    this.downstream.push(message.invalidJson ? invalidJsonText(text) : text, sampleLatency(this.ctx.latency().ws, rng) + message.extraDelayMs);
  }

  /** Reads the raw upstream answers, which a `malformed` fault may corrupt on the way to the client. */
  private trackSubscriptions(message: PendingMessage): void {
    message.requests.forEach((request, index) => {
      const answer = message.answers[index];
      const params = Array.isArray(request.params) ? request.params : [];
      if (request.method === "eth_subscribe" && typeof answer?.result === "string") {
        this.subscriptions.set(answer.result, typeof params[0] === "string" ? params[0] : "unknown");
      } else if (request.method === "eth_unsubscribe" && answer?.result === true && typeof params[0] === "string") {
        this.subscriptions.delete(params[0]);
      }
    });
  }

  private reply(batch: boolean, responses: JsonRpcResponse[]): void {
    const text = serializeResponses(batch, responses);
    if (text !== "") this.downstream.push(text, sampleLatency(this.ctx.latency().ws, this.ctx.rng));
  }

  private notification(notification: SubscriptionNotification, text: string): void {
    const { stats, rng } = this.ctx;
    const faults = this.ctx.faults.current();
    if (hits(faults.stall, "ws", NOTIFICATION_METHODS, rng)) {
      stats.faults(["stall"]);
      stats.notificationDropped();
      return;
    }
    const type = this.subscriptions.get(notification.params.subscription);
    const verdict = notificationVerdict(faults, type, rng);
    stats.faults(verdict.applied);
    if (verdict.action !== "forward") {
      stats.notificationDropped();
      if (verdict.action === "close") this.close(verdict.code, "subscriptions dropped");
      return;
    }
    let out = text;
    if (verdict.corrupt === "invalid-json") out = invalidJsonText(text);
    else if (verdict.corrupt === "wrong-shape") {
      out = JSON.stringify({ ...notification, params: { ...notification.params, result: corruptResult(notification.params.result) } });
    } else if (verdict.legacyLogs) {
      out = JSON.stringify({ ...notification, params: { ...notification.params, result: withoutBlockTimestamp(notification.params.result) } });
    }
    const block = this.staleBlock(notification, type);
    if (block !== undefined && (this.held.length > 0 || !this.visible(block))) {
      stats.faults(["stale-head"]);
      this.held.push({ block, text: out });
      return;
    }
    this.forwardNotification(out);
  }

  private forwardNotification(text: string): void {
    const { stats, rng } = this.ctx;
    const extraMs = latencyFaultDelay(this.ctx.faults.current(), "ws", NOTIFICATION_METHODS, rng);
    if (extraMs !== undefined) stats.faults(["latency"]);
    stats.notificationForwarded();
    this.downstream.push(text, sampleLatency(this.ctx.latency().ws, rng) + (extraMs ?? 0));
  }

  /**
   * The block a notification belongs to when a stale-head fault covers notifications: a header's number, a log's block.
   * Probability does not apply here: a lagging view that sometimes is not lagging would deliver blocks out of order.
   */
  private staleBlock(notification: SubscriptionNotification, type: string | undefined): bigint | undefined {
    const stale = this.ctx.faults.current()["stale-head"];
    if (!stale || !inScope(stale, "ws", NOTIFICATION_METHODS)) return undefined;
    const result = notification.params.result;
    if (!isObject(result)) return undefined;
    if (type === "newHeads") return parseQuantity(result.number);
    if (type === "logs") return parseQuantity(result.blockNumber);
    return undefined;
  }

  private visible(block: bigint): boolean {
    const stale = this.ctx.faults.current()["stale-head"];
    if (!stale || !inScope(stale, "ws", NOTIFICATION_METHODS)) return true;
    const head = this.ctx.head.current();
    return head !== undefined && block <= head - BigInt(stale.lagBlocks);
  }

  /** Held notifications go out in order once visible; when the stale-head fault clears, all of them do. */
  private releaseHeld(): void {
    while (this.held.length > 0 && this.visible(this.held[0].block)) this.forwardNotification(this.held.shift()!.text);
  }

  private onFaultsChanged(): void {
    if (this.closed) return;
    const drop = this.ctx.faults.current()["drop-subscriptions"];
    // Close mode acts at once on sockets with a matching subscription instead of waiting for the next notification.
    if (
      drop?.mode === "close" &&
      [...this.subscriptions.values()].some((type) => subscriptionMatches(drop, type)) &&
      hits(drop, "ws", NOTIFICATION_METHODS, this.ctx.rng)
    ) {
      this.ctx.stats.faults(["drop-subscriptions"]);
      return this.close(drop.closeCode, "subscriptions dropped");
    }
    this.releaseHeld();
  }
}
