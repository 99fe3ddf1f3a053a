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
