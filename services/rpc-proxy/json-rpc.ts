export type JsonRpcId = string | number | null;

export interface JsonRpcRequest {
  jsonrpc: "2.0";
  /** Absent for a JSON-RPC notification sent by the client (no answer expected). */
  id?: JsonRpcId;
  method: string;
  params?: unknown;
}

export interface JsonRpcError {
  code: number;
  message: string;
  data?: unknown;
}

export interface JsonRpcResponse {
  jsonrpc: "2.0";
  id: JsonRpcId;
  result?: unknown;
  error?: JsonRpcError;
}

/** A server push for an `eth_subscribe` subscription. */
export interface SubscriptionNotification {
  jsonrpc: "2.0";
  method: "eth_subscription";
  params: { subscription: string; result: unknown };
}

/** A client message: one request or a batch. `undefined` when it is not valid JSON-RPC, which is forwarded untouched. */
export interface ParsedRequests {
  batch: boolean;
  requests: JsonRpcRequest[];
}

/** Standard JSON-RPC error codes plus the EIP-1474 one providers use for throttling. */
export const RPC_ERROR = {
  internal: -32603,
  rateLimited: -32005,
} as const;

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function parseRequests(text: string): ParsedRequests | undefined {
  const value = parseJson(text);
  if (Array.isArray(value)) {
    if (value.length === 0 || !value.every(isRequest)) return undefined;
    return { batch: true, requests: value };
  }
  return isRequest(value) ? { batch: false, requests: [value] } : undefined;
}

export function isRequest(value: unknown): value is JsonRpcRequest {
  return isObject(value) && typeof value.method === "string" && (value.id === undefined || isId(value.id));
}

export function isResponse(value: unknown): value is JsonRpcResponse {
  return isObject(value) && "id" in value && isId(value.id) && ("result" in value || "error" in value) && !("method" in value);
}

export function isSubscriptionNotification(value: unknown): value is SubscriptionNotification {
  return (
    isObject(value) &&
    value.method === "eth_subscription" &&
    isObject(value.params) &&
    typeof value.params.subscription === "string"
  );
}

export function resultResponse(id: JsonRpcId, result: unknown): JsonRpcResponse {
  return { jsonrpc: "2.0", id, result };
}

export function errorResponse(id: JsonRpcId, code: number, message: string): JsonRpcResponse {
  return { jsonrpc: "2.0", id, error: { code, message } };
}

export function toHex(value: bigint | number): string {
  return `0x${value.toString(16)}`;
}

/** A quantity such as "0x1a"; `undefined` for anything else (block tags, malformed values). */
export function parseQuantity(value: unknown): bigint | undefined {
  return typeof value === "string" && /^0x[0-9a-fA-F]+$/.test(value) ? BigInt(value) : undefined;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isId(value: unknown): value is JsonRpcId {
  return value === null || typeof value === "string" || typeof value === "number";
}
