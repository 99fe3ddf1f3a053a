import type { Address } from "viem";
import { PROBE_METHODS } from "../metrics/catalogue";
import { RpcError } from "../rpc/errors";
import { postJsonRpc } from "../rpc/http-json-rpc";
import { checkAnswer, type ProbedMethod } from "./answers";

export interface ProbeTarget {
  name: string;
  httpUrl: string;
}

export interface ProbeOptions {
  chainId: number;
  /** eth_getLogs filters on these, over the latest block. */
  exchanges: readonly Address[];
  timeoutMs: number;
  /** Aborted when the exporter stops: requests in flight are cancelled and nothing more is reported. */
  signal: AbortSignal;
}

export interface ProbeObserver {
  sent(provider: string, method: ProbedMethod): void;
  /** The answer was checked (services/latency-exporter/answers.ts); `seconds` is the HTTP round trip alone. */
  succeeded(provider: string, method: ProbedMethod, seconds: number): void;
  failed(provider: string, method: ProbedMethod, error: RpcError): void;
}

export const ALL_PROBED: readonly ProbedMethod[] = ["eth_chainId", ...PROBE_METHODS];

function paramsOf(method: ProbedMethod, exchanges: readonly Address[]): unknown[] {
  switch (method) {
    case "eth_chainId":
    case "eth_blockNumber":
      return [];
    case "eth_getBlockByNumber":
      return ["latest", false];
    case "eth_getLogs":
      return [{ fromBlock: "latest", toBlock: "latest", address: exchanges }];
  }
}

/**
 * One round of probes against one provider's HTTP endpoint: the chain id first, then each probe method, one after
 * another so that no request's round trip includes queueing behind another of ours. A provider on the wrong chain
 * gets no further probes: its latencies say nothing about Polygon.
 */
export async function probeRound(
  target: ProbeTarget,
  options: ProbeOptions,
  observer: ProbeObserver,
  methods: readonly ProbedMethod[] = ALL_PROBED,
): Promise<void> {
  for (const method of methods) {
    if (options.signal.aborted) return;
    observer.sent(target.name, method);
    const started = performance.now();
    try {
      const params = paramsOf(method, options.exchanges);
      const result = await postJsonRpc(target.name, target.httpUrl, method, params, options.timeoutMs, options.signal);
      const seconds = (performance.now() - started) / 1000;
      checkAnswer(target.name, method, result, options.chainId);
      observer.succeeded(target.name, method, seconds);
    } catch (err) {
      if (options.signal.aborted) return;
      const error = err instanceof RpcError ? err : new RpcError(target.name, "network", `${method} failed: ${(err as Error).message}`);
      observer.failed(target.name, method, error);
      if (error.kind === "wrong_chain") return;
    }
  }
}
