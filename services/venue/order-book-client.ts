import type http from "node:http";
import type { Address, Hex } from "viem";
import { hashOrder, type SignedOrder } from "../polymarket/order";
import { parseRetryAfterMs } from "../rpc/http-json-rpc";
import { httpRequest, HttpTimeoutError, keepAliveAgent } from "./http-request";
import { l2Headers, type ApiCredentials } from "./l2-auth";
import { errorResponseSchema, orderResponseSchema, toPostOrderBody, unsendableSaltReason } from "./order-wire";
import type { OrderVenue, SubmitOptions, SubmitOutcome } from "./venue";

/** The API account that posts an order: the venue requires the order's signer to be the key's address. */
export interface L2Account {
  /** POLY_ADDRESS: the address the API key was created for. */
  address: Address;
  credentials: ApiCredentials;
}

/**
 * One HTTP attempt as the metrics see it. `not-sent`: the venue cannot have the order (connection refused, 429);
 * `unknown`: it may (timeout, reset, 5xx, unreadable answer).
 */
export interface SubmitAttempt {
  orderHash: Hex;
  /** 1-based. */
  attempt: number;
  result: "accepted" | "duplicate" | "rejected" | "unknown" | "not-sent";
  /** Venue status or error text, or the transport failure; never headers or credentials. */
  detail: string;
  httpStatus?: number;
  durationMs: number;
}

export interface OrderBookClientOptions {
  /** e.g. https://clob.polymarket.com; no trailing slash needed. */
  baseUrl: string;
  /** The API account for an order (one key per subscriber); undefined rejects the order without sending it. */
  accountFor: (order: SignedOrder) => L2Account | undefined;
  /** Cap of one attempt; each attempt also ends at the submit deadline. */
  attemptTimeoutMs?: number;
  /** Keep-alive connections to the venue. */
  maxSockets?: number;
  /** Pause before a resend, doubled per attempt up to the max; a 429's Retry-After wins if longer. */
  retryBackoffMs?: { initial: number; max: number };
  onAttempt?: (attempt: SubmitAttempt) => void;
  now?: () => number;
}

export type AttemptResult =
  | { kind: "accepted"; status: string; orderId: string; httpStatus: number }
  | { kind: "duplicate"; detail: string; httpStatus: number }
  | { kind: "rejected"; reason: string; httpStatus?: number }
  | { kind: "unknown"; reason: string; httpStatus?: number }
  | { kind: "not-sent"; reason: string; httpStatus?: number; retryAfterMs?: number };

const ORDER_PATH = "/order";
/** "order {id} is invalid. Duplicated." (docs, error codes) / INVALID_ORDER_DUPLICATED (docs, create order). */
const DUPLICATE = /duplicated/i;

/**
 * OrderVenue over Polymarket's order book HTTP API (`POST /order`, L2 headers), on keep-alive connections so a burst
 * of copy orders and every resend reuse warm sockets.
 *
 * Retries are safe because the signed bytes are deterministic and the venue dedupes by order hash: after a timeout,
 * a reset or a 5xx the same body is resent until the deadline, and a "Duplicated" answer then means the earlier
 * attempt landed. A 4xx rejection is final and never retried; a 429 is resent after its Retry-After.
 */
export class OrderBookClient implements OrderVenue {
  private readonly baseUrl: string;
  private readonly attemptTimeoutMs: number;
  private readonly backoff: { initial: number; max: number };
  private readonly now: () => number;
  private readonly agent: http.Agent;

  constructor(private readonly options: OrderBookClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.agent = keepAliveAgent(this.baseUrl, options.maxSockets ?? 64);
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? 3000;
    this.backoff = options.retryBackoffMs ?? { initial: 25, max: 400 };
    this.now = options.now ?? Date.now;
  }

  async submit(signed: SignedOrder, options: SubmitOptions): Promise<SubmitOutcome> {
    const orderHash = signed.orderHash ?? hashOrder(signed.domain, signed.order);
    const account = this.options.accountFor(signed);
    if (!account) return { kind: "rejected", orderHash, reason: `not sent: no API account for signer ${signed.order.signer}` };
    const saltProblem = unsendableSaltReason(signed.order.salt);
    if (saltProblem) return { kind: "rejected", orderHash, reason: `not sent: ${saltProblem}` };
    const body = JSON.stringify(toPostOrderBody(signed, account.credentials.key, options.orderType, options.expiration));

    // The reason of the latest attempt that may have reached the venue: from then on the order may be there.
    let mayHaveLanded: string | undefined;
    let lastNotSent = "the deadline had passed before the first attempt";
    let pauseMs = this.backoff.initial;
    for (let attempt = 1; this.now() < options.deadlineMs; attempt++) {
      const started = this.now();
      const result = await this.post(body, account, Math.min(this.attemptTimeoutMs, options.deadlineMs - started));
      this.report(orderHash, attempt, result, this.now() - started);
      switch (result.kind) {
        case "accepted":
          return { kind: "accepted", orderHash, status: result.status, venueOrderId: result.orderId };
        case "duplicate":
          return mayHaveLanded ? { kind: "duplicate", orderHash, afterUnknownAttempt: true } : { kind: "duplicate", orderHash };
        case "rejected":
          // A resend refused for another reason (e.g. balance already spent by the first copy) proves nothing about
          // the earlier attempt.
          return mayHaveLanded
            ? { kind: "unknown", orderHash, reason: `resend rejected (${result.reason}) after an attempt with unknown outcome (${mayHaveLanded})` }
            : { kind: "rejected", orderHash, reason: result.reason };
        case "unknown":
          mayHaveLanded = result.reason;
          break;
        case "not-sent":
          lastNotSent = result.reason;
          break;
      }
      const wait = Math.min(Math.max(pauseMs, result.kind === "not-sent" ? result.retryAfterMs ?? 0 : 0), options.deadlineMs - this.now());
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      pauseMs = Math.min(pauseMs * 2, this.backoff.max);
    }
    return mayHaveLanded
      ? { kind: "unknown", orderHash, reason: `deadline passed; last attempt that may have landed: ${mayHaveLanded}` }
      : { kind: "rejected", orderHash, reason: `not sent before the deadline: ${lastNotSent}` };
  }

  /** `GET /data/order/{hash}`: the venue's record of an order, or undefined when it has none (404). */
  async order(orderHash: Hex, account: L2Account, timeoutMs = this.attemptTimeoutMs): Promise<unknown> {
    const requestPath = `/data/order/${orderHash}`;
    const headers = l2Headers(account.address, account.credentials, { method: "GET", requestPath, timestampSec: this.timestampSec() });
    const answer = await httpRequest(this.agent, `${this.baseUrl}${requestPath}`, "GET", { ...headers }, undefined, timeoutMs);
    if (answer.status === 404) return undefined;
    if (answer.status !== 200) throw new Error(`GET ${requestPath}: HTTP ${answer.status}: ${venueMessage(parseJson(answer.text), answer.text)}`);
    return JSON.parse(answer.text) as unknown;
  }

  /** Closes the keep-alive connections. */
  close(): void {
    this.agent.destroy();
  }

  private async post(body: string, account: L2Account, timeoutMs: number): Promise<AttemptResult> {
    const headers = l2Headers(account.address, account.credentials, { method: "POST", requestPath: ORDER_PATH, body, timestampSec: this.timestampSec() });
    try {
      const answer = await httpRequest(this.agent, `${this.baseUrl}${ORDER_PATH}`, "POST", { ...headers, "content-type": "application/json" }, body, timeoutMs);
      const retryAfter = answer.headers["retry-after"];
      return classifyAnswer(answer.status, answer.text, typeof retryAfter === "string" ? retryAfter : null, this.now());
    } catch (err) {
      return transportFailure(err);
    }
  }

  private timestampSec(): number {
    return Math.floor(this.now() / 1000);
  }

  private report(orderHash: Hex, attempt: number, result: AttemptResult, durationMs: number): void {
    if (!this.options.onAttempt) return;
    const detail =
      result.kind === "accepted" ? result.status : result.kind === "duplicate" ? result.detail : result.reason;
    this.options.onAttempt({ orderHash, attempt, result: result.kind, detail, httpStatus: result.httpStatus, durationMs });
  }
}

/** Maps one HTTP answer; exported for unit tests of the venue's documented answers. */
export function classifyAnswer(status: number, text: string, retryAfter: string | null, nowMs: number): AttemptResult {
  const json = parseJson(text);
  if (status === 200) {
    const parsed = orderResponseSchema.safeParse(json);
    if (!parsed.success) return { kind: "unknown", reason: "HTTP 200 with an unreadable body", httpStatus: status };
    const answer = parsed.data;
    if (answer.success) return { kind: "accepted", status: answer.status, orderId: answer.orderID, httpStatus: status };
    // Older venue versions answered 200 with success=false and an errorMsg instead of a 400.
    if (DUPLICATE.test(answer.errorMsg)) return { kind: "duplicate", detail: answer.errorMsg, httpStatus: status };
    return { kind: "rejected", reason: `HTTP 200, success=false: ${answer.errorMsg || "no errorMsg"}`, httpStatus: status };
  }
  const message = venueMessage(json, text);
  if (status === 429) {
    return { kind: "not-sent", reason: `HTTP 429: ${message}`, httpStatus: status, retryAfterMs: parseRetryAfterMs(retryAfter, nowMs) };
  }
  if (status >= 400 && status < 500) {
    if (DUPLICATE.test(message)) return { kind: "duplicate", detail: message, httpStatus: status };
    return { kind: "rejected", reason: `HTTP ${status}: ${message}`, httpStatus: status };
  }
  // 5xx (or anything unexpected): the venue, or a proxy in front of it, may have taken the order before failing.
  return { kind: "unknown", reason: `HTTP ${status}: ${message}`, httpStatus: status };
}

/** Failures before any connection existed: the body cannot have been sent. */
const NOT_CONNECTED: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "name resolution failed",
};

/** Anything after connecting (timeout, reset) may have carried the body. */
function transportFailure(err: unknown): AttemptResult {
  if (err instanceof HttpTimeoutError) return { kind: "unknown", reason: err.message };
  const code = (err as { code?: unknown }).code;
  const notConnected = typeof code === "string" ? NOT_CONNECTED[code] : undefined;
  if (notConnected) return { kind: "not-sent", reason: notConnected };
  return { kind: "unknown", reason: `connection failed (${typeof code === "string" ? code : (err as Error).name})` };
}

/** The `error` field of a venue error body, else the raw text; bounded so a huge HTML error page stays readable. */
function venueMessage(json: unknown, text: string): string {
  const parsed = errorResponseSchema.safeParse(json);
  return (parsed.success ? parsed.data.error : text).slice(0, 300) || "(empty body)";
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
