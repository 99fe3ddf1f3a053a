import { keccak256, type Hex } from "viem";

/**
 * A private-mempool JSON-RPC endpoint (Polygon's private mempool, bloXroute...). `name` is what errors and metrics
 * show: endpoint URLs often carry an API key, so they never appear in a message.
 */
export interface PrivateEndpoint {
  name: string;
  url: string;
}

/** How one endpoint answered. `accepted`, `already-known` and `included` all mean it has (or mined) this very tx. */
export interface EndpointResult {
  endpoint: string;
  kind: "accepted" | "already-known" | "included" | "failed";
  /** Failures only: what went wrong, e.g. "timed out after 800 ms", "JSON-RPC -32000: insufficient funds". */
  reason?: string;
  durationMs: number;
}

export interface PrivateTxOptions {
  endpoints: readonly PrivateEndpoint[];
  timeoutMs: number;
  /**
   * "nonce too low" means the nonce is used: by this transaction (already mined: success) or by another one (failure).
   * This looks the hash up on a chain reader; without it "nonce too low" counts as a failure.
   */
  isIncluded?: (txHash: Hex) => Promise<boolean>;
  /** Every endpoint's result as it arrives, winners and losers alike (metrics). */
  onResult?: (txHash: Hex, result: EndpointResult) => void;
}

export interface PrivateSubmission {
  /** keccak256 of the raw transaction: known before sending, checked against every endpoint's answer. */
  txHash: Hex;
  /** The first endpoint that took the transaction. */
  winner: EndpointResult;
  /** Resolves once every endpoint has answered or timed out; never rejects. */
  all: Promise<EndpointResult[]>;
}

/** Every endpoint refused or failed; `results` holds each endpoint's reason. */
export class PrivateSubmitError extends Error {
  constructor(
    readonly txHash: Hex,
    readonly results: readonly EndpointResult[],
  ) {
    super(`private submission of ${txHash} failed at every endpoint: ${results.map((r) => `${r.endpoint}: ${r.reason}`).join("; ")}`);
    this.name = "PrivateSubmitError";
  }
}

/** Node answers meaning "I already have exactly this transaction": geth/bor, erigon, anvil. */
const ALREADY_KNOWN = /already known|already imported|known transaction|already exists|already in (the )?(mem)?pool/i;
const NONCE_TOO_LOW = /nonce too low/i;

/**
 * Sends our own signed transactions (approvals, pUSD wrapping, redeem) to every private endpoint at once, so neither a
 * dead relay nor the public mempool decides whether they land. Resolves with the first endpoint that took the
 * transaction; the rest keep going and are recorded. Rejects with PrivateSubmitError once all have failed.
 */
export async function submitPrivately(rawTx: Hex, options: PrivateTxOptions): Promise<PrivateSubmission> {
  if (options.endpoints.length === 0) throw new Error("private submission needs at least one endpoint");
  const txHash = keccak256(rawTx);
  const attempts = options.endpoints.map((endpoint) =>
    sendTo(endpoint, rawTx, txHash, options).then((result) => {
      options.onResult?.(txHash, result);
      return result;
    }),
  );
  const all = Promise.all(attempts);
  const winner = await new Promise<EndpointResult | undefined>((resolve) => {
    for (const attempt of attempts) void attempt.then((result) => result.kind !== "failed" && resolve(result));
    void all.then(() => resolve(undefined));
  });
  if (!winner) throw new PrivateSubmitError(txHash, await all);
  return { txHash, winner, all };
}

async function sendTo(endpoint: PrivateEndpoint, rawTx: Hex, txHash: Hex, options: PrivateTxOptions): Promise<EndpointResult> {
  const started = performance.now();
  const result = (kind: EndpointResult["kind"], reason?: string): EndpointResult => ({
    endpoint: endpoint.name,
    kind,
    ...(reason === undefined ? {} : { reason }),
    durationMs: Math.round(performance.now() - started),
  });
  const answer = await postRawTransaction(endpoint.url, rawTx, options.timeoutMs);
  if ("failure" in answer) return result("failed", answer.failure);
  if ("result" in answer) {
    return answer.result?.toLowerCase() === txHash
      ? result("accepted")
      : result("failed", `answered with a different transaction hash ${String(answer.result)}`);
  }
  const { code, message } = answer.error;
  if (ALREADY_KNOWN.test(message)) return result("already-known");
  if (NONCE_TOO_LOW.test(message) && options.isIncluded) {
    const included = await options.isIncluded(txHash).catch(() => false);
    if (included) return result("included");
    return result("failed", `JSON-RPC ${code}: ${message} (and ${txHash} is not on chain: another transaction used the nonce)`);
  }
  return result("failed", `JSON-RPC ${code}: ${message}`);
}

type RawAnswer = { result: string | undefined } | { error: { code: number; message: string } } | { failure: string };

async function postRawTransaction(url: string, rawTx: Hex, timeoutMs: number): Promise<RawAnswer> {
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_sendRawTransaction", params: [rawTx] }),
      signal: timeout,
    });
    const text = await response.text();
    if (response.status !== 200) return { failure: `HTTP ${response.status}` };
    const body = JSON.parse(text) as { result?: unknown; error?: { code?: unknown; message?: unknown } };
    if (body.error) return { error: { code: Number(body.error.code), message: String(body.error.message).slice(0, 200) } };
    return { result: typeof body.result === "string" ? body.result : undefined };
  } catch (err) {
    if (timeout.aborted) return { failure: `timed out after ${timeoutMs} ms` };
    if (err instanceof SyntaxError) return { failure: "answered with a body that is not JSON" };
    // The socket error's message names host and port; its code is enough and leaks nothing.
    const code = (err as { cause?: { code?: unknown } }).cause?.code;
    return { failure: `unreachable (${typeof code === "string" ? code : (err as Error).name})` };
  }
}
