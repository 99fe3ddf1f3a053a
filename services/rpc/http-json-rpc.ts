import { RpcError } from "./errors";

let nextId = 1;

/** Retry-After is seconds or an HTTP date; an absent or unreadable header falls back to one second. */
export function parseRetryAfterMs(header: string | null, nowMs: number): number {
  if (header === null) return 1000;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? 1000 : Math.max(0, date - nowMs);
}

/**
 * One JSON-RPC call over HTTP with a hard timeout. Written on fetch rather than viem's http transport because the
 * hedging loop needs the raw status, the Retry-After header and an abort per leg, which viem's transport hides.
 */
export async function postJsonRpc(
  provider: string,
  url: string,
  method: string,
  params: readonly unknown[],
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<unknown> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }),
      signal: combined,
    });
  } catch (err) {
    if (timeout.aborted) throw new RpcError(provider, "timeout", `${method} timed out after ${timeoutMs} ms`);
    if (signal?.aborted) throw new RpcError(provider, "network", `${method} cancelled`);
    throw new RpcError(provider, "network", `${method} failed: ${(err as Error).message}`);
  }
  if (response.status === 429) {
    const retryAfterMs = parseRetryAfterMs(response.headers.get("retry-after"), Date.now());
    await response.body?.cancel();
    throw new RpcError(provider, "http_429", `${method} throttled (retry after ${retryAfterMs} ms)`, retryAfterMs);
  }
  if (response.status >= 500) {
    await response.body?.cancel();
    throw new RpcError(provider, "http_5xx", `${method} got HTTP ${response.status}`);
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new RpcError(provider, "http_other", `${method} got HTTP ${response.status}`);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    if (timeout.aborted) throw new RpcError(provider, "timeout", `${method} timed out after ${timeoutMs} ms`);
    throw new RpcError(provider, "malformed", `${method} answered with a body that is not JSON`);
  }
  return readJsonRpcResult(provider, method, body);
}

/** Accepts exactly one JSON-RPC 2.0 response object: a result, or an error with a code. */
function readJsonRpcResult(provider: string, method: string, body: unknown): unknown {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new RpcError(provider, "malformed", `${method} answered with a non-object JSON-RPC response`);
  }
  const record = body as Record<string, unknown>;
  if (record.error !== undefined) {
    const error = record.error as { code?: unknown; message?: unknown };
    if (error?.code === -32005) throw new RpcError(provider, "http_429", `${method} rate limited (JSON-RPC -32005)`, 1000);
    throw new RpcError(provider, "rpc_error", `${method} JSON-RPC error ${String(error?.code)}: ${String(error?.message).slice(0, 200)}`);
  }
  if (!("result" in record)) throw new RpcError(provider, "malformed", `${method} response has neither result nor error`);
  return record.result;
}
