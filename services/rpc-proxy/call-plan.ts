import { hits, withoutBlockTimestamp, type FaultKind, type FaultSet, type Transport } from "./faults";
import type { Rng } from "./latency";
import { isObject, parseQuantity, resultResponse, toHex, type JsonRpcRequest, type JsonRpcResponse } from "./json-rpc";

/** How one JSON-RPC call of a message is answered under the active faults. */
export interface CallPlan {
  /** Answer made up by the proxy; the call is not forwarded. */
  immediate?: JsonRpcResponse;
  /** The request to forward, possibly with rewritten params; absent when `immediate` is set. */
  forward?: JsonRpcRequest;
  /** Applied to the answer (made up or from upstream) before it goes back to the client. */
  finish: (response: JsonRpcResponse) => JsonRpcResponse;
  applied: FaultKind[];
  /** The whole message must go back as invalid JSON (`malformed` in mode `invalid-json`). */
  invalidJson: boolean;
}

export interface CallContext {
  faults: FaultSet;
  transport: Transport;
  rng: Rng;
  /** Highest block a `stale-head` node has seen (upstream head − lag); set only when a stale-head fault is in scope. */
  visibleHead?: bigint;
}

const CHAIN_ID_METHODS = new Set(["eth_chainId", "net_version"]);

/** Methods whose answer depends on the chain head, which a lagging node answers from its older view. */
const HEAD_METHODS = new Set([
  "eth_blockNumber",
  "eth_getBlockByNumber",
  "eth_getLogs",
  "eth_getBlockByHash",
  "eth_getTransactionReceipt",
  "eth_getTransactionByHash",
]);

/** Whether the caller must look up the upstream head before planning these methods. */
export function needsVisibleHead(faults: FaultSet, transport: Transport, methods: readonly string[]): boolean {
  const stale = faults["stale-head"];
  if (!stale || (stale.scope !== "both" && stale.scope !== transport)) return false;
  return methods.some((method) => HEAD_METHODS.has(method) && (stale.methods === undefined || stale.methods.includes(method)));
}

export function planCall(request: JsonRpcRequest, ctx: CallContext): CallPlan {
  const { faults, transport, rng } = ctx;
  const methods = [request.method];
  const applied: FaultKind[] = [];
  const transforms: ((result: unknown) => unknown)[] = [];
  let immediate: JsonRpcResponse | undefined;
  let forward: JsonRpcRequest | undefined = request;

  const wrongChain = faults["wrong-chain"];
  if (CHAIN_ID_METHODS.has(request.method) && hits(wrongChain, transport, methods, rng)) {
    const chainId = wrongChain!.chainId;
    immediate = resultResponse(request.id ?? null, request.method === "eth_chainId" ? toHex(chainId) : String(chainId));
    applied.push("wrong-chain");
  } else if (ctx.visibleHead !== undefined && HEAD_METHODS.has(request.method) && hits(faults["stale-head"], transport, methods, rng)) {
    const stale = staleHeadPlan(request, ctx.visibleHead);
    immediate = stale.immediate;
    forward = stale.forward;
    if (stale.transform) transforms.push(stale.transform);
    applied.push("stale-head");
  }
  if (immediate) forward = undefined;

  if (request.method === "eth_getLogs" && hits(faults["empty-logs"], transport, methods, rng)) {
    transforms.push(() => []);
    applied.push("empty-logs");
  }
  if (request.method === "eth_getLogs" && hits(faults["legacy-logs"], transport, methods, rng)) {
    transforms.push(withoutBlockTimestamp);
    applied.push("legacy-logs");
  }
  let invalidJson = false;
  if (hits(faults.malformed, transport, methods, rng)) {
    if (faults.malformed!.mode === "invalid-json") invalidJson = true;
    else transforms.push(corruptResult);
    applied.push("malformed");
  }

  const finish = (response: JsonRpcResponse): JsonRpcResponse =>
    "result" in response ? { ...response, result: transforms.reduce((result, transform) => transform(result), response.result) } : response;
  return { immediate, forward, finish, applied, invalidJson };
}

interface StaleHeadPlan {
  immediate?: JsonRpcResponse;
  forward?: JsonRpcRequest;
  transform?: (result: unknown) => unknown;
}

/**
 * A node lagging `lag` blocks: it reports head − lag, does not know newer blocks (null for them, as a node answers for
 * a block it has not seen) and returns no logs from them (`[]`, not an error). Other methods are forwarded unchanged.
 */
function staleHeadPlan(request: JsonRpcRequest, visibleHead: bigint): StaleHeadPlan {
  const id = request.id ?? null;
  const params = Array.isArray(request.params) ? request.params : [];
  const unseen = (block: unknown) => {
    const number = parseQuantity(block);
    return number !== undefined && number > visibleHead;
  };
  switch (request.method) {
    case "eth_blockNumber":
      return { immediate: resultResponse(id, toHex(visibleHead)) };
    case "eth_getBlockByNumber": {
      const [tag, ...rest] = params;
      if (tag === "latest" || tag === "pending") return { forward: { ...request, params: [toHex(visibleHead), ...rest] } };
      return unseen(tag) ? { immediate: resultResponse(id, null) } : { forward: request };
    }
    case "eth_getLogs":
      return {
        forward: request,
        transform: (result) => (Array.isArray(result) ? result.filter((log) => !isObject(log) || !unseen(log.blockNumber)) : result),
      };
    case "eth_getBlockByHash":
      return { forward: request, transform: (result) => (isObject(result) && unseen(result.number) ? null : result) };
    default:
      return { forward: request, transform: (result) => (isObject(result) && unseen(result.blockNumber) ? null : result) };
  }
}

const NOT_HEX = "0xnot-hex";

/**
 * A result of the wrong shape that still parses as JSON: hex strings become non-hex (in objects and arrays of objects,
 * e.g. a log's `blockNumber`), an empty array or null becomes a string. Meant for the "malformed answer is counted
 * and skipped" path of a client.
 */
export function corruptResult(result: unknown): unknown {
  if (typeof result === "string" || typeof result === "number" || typeof result === "boolean" || result === null) return NOT_HEX;
  if (Array.isArray(result)) return result.length === 0 ? NOT_HEX : result.map(corruptResult);
  if (isObject(result)) {
    return Object.fromEntries(
      Object.entries(result).map(([key, value]) => [key, typeof value === "string" && value.startsWith("0x") ? NOT_HEX : value]),
    );
  }
  return NOT_HEX;
}

/** Any strict prefix of a JSON object or array is invalid JSON, so a cut answer fails to parse like a truncated body. */
export function invalidJsonText(json: string): string {
  return json.slice(0, Math.max(1, Math.floor(json.length / 2)));
}
