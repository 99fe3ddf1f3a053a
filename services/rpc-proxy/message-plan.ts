import { needsVisibleHead, planCall, type CallPlan } from "./call-plan";
import type { FaultKind, FaultSet, Transport } from "./faults";
import type { Rng } from "./latency";
import { RPC_ERROR, errorResponse, type JsonRpcRequest, type JsonRpcResponse } from "./json-rpc";

export interface MessagePlan {
  calls: CallPlan[];
  /** Faults applied to the calls, for the stats. */
  applied: FaultKind[];
  invalidJson: boolean;
}

export interface MessageContext {
  faults: FaultSet;
  transport: Transport;
  rng: Rng;
  upstreamHead: () => Promise<bigint>;
}

/** Plans every call of a message (one request or a batch); the upstream head is looked up once and only if needed. */
export async function planMessage(requests: readonly JsonRpcRequest[], ctx: MessageContext): Promise<MessagePlan> {
  const methods = requests.map((request) => request.method);
  let visibleHead: bigint | undefined;
  const stale = ctx.faults["stale-head"];
  if (stale && needsVisibleHead(ctx.faults, ctx.transport, methods)) {
    const head = await ctx.upstreamHead();
    visibleHead = head > BigInt(stale.lagBlocks) ? head - BigInt(stale.lagBlocks) : 0n;
  }
  const calls = requests.map((request) => planCall(request, { ...ctx, visibleHead }));
  return {
    calls,
    applied: calls.flatMap((call) => call.applied),
    invalidJson: calls.some((call) => call.invalidJson),
  };
}

/**
 * The client's answers in request order with the client's ids restored, leaving out client-side notifications
 * (requests without id). `upstream(i)` is the upstream answer to forwarded call i.
 */
export function assembleResponses(
  requests: readonly JsonRpcRequest[],
  calls: readonly CallPlan[],
  upstream: (index: number) => JsonRpcResponse | undefined,
): JsonRpcResponse[] {
  const responses: JsonRpcResponse[] = [];
  requests.forEach((request, index) => {
    if (request.id === undefined) return;
    const call = calls[index];
    const answer = call.immediate ?? upstream(index) ?? errorResponse(request.id, RPC_ERROR.internal, "no answer from upstream");
    responses.push(call.finish({ ...answer, id: request.id }));
  });
  return responses;
}

/** Error answers for every call of a message, used when a fault rejects the whole message. */
export function errorResponses(requests: readonly JsonRpcRequest[], code: number, message: string): JsonRpcResponse[] {
  return requests.filter((request) => request.id !== undefined).map((request) => errorResponse(request.id!, code, message));
}

export function serializeResponses(batch: boolean, responses: readonly JsonRpcResponse[]): string {
  if (batch) return JSON.stringify(responses);
  return responses.length === 0 ? "" : JSON.stringify(responses[0]);
}
