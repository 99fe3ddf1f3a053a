import type { RpcErrorKind } from "../metrics/catalogue";

/** An RPC failure classified by kind, so breakers, metrics and the hedging loop can react per kind. */
export class RpcError extends Error {
  constructor(
    readonly provider: string,
    readonly kind: RpcErrorKind,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(`${provider}: ${message}`);
    this.name = "RpcError";
  }
}

/** Every provider was tried (or none was eligible); the individual failures are kept for the log line. */
export class AllProvidersFailedError extends Error {
  constructor(
    readonly method: string,
    readonly failures: readonly RpcError[],
  ) {
    super(
      failures.length === 0
        ? `${method}: no eligible provider (all excluded, throttled or open-circuit)`
        : `${method}: all providers failed: ${failures.map((f) => f.message).join("; ")}`,
    );
    this.name = "AllProvidersFailedError";
  }
}

/** -32005 is the de-facto "limit exceeded" code (EIP-1474): throttling, whichever transport carried it. */
export function jsonRpcErrorKind(code: unknown): RpcErrorKind {
  return code === -32005 ? "http_429" : "rpc_error";
}

/** A non-200 HTTP status (an answer, or a refused WebSocket upgrade) as an error kind. */
export function statusErrorKind(status: number): RpcErrorKind {
  if (status === 429) return "http_429";
  return status >= 500 ? "http_5xx" : "http_other";
}
