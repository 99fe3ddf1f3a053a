import type { ProbeMethod } from "../metrics/catalogue";
import { readBlockHeader } from "../rpc/block-header";
import { RpcError } from "../rpc/errors";

/** Every method the exporter sends: the chain check, then the timed probes. */
export type ProbedMethod = "eth_chainId" | ProbeMethod;

const QUANTITY = /^0x[0-9a-fA-F]{1,64}$/;

function shown(value: unknown): string {
  return (JSON.stringify(value) ?? String(value)).slice(0, 80);
}

/**
 * Checks one probe's JSON-RPC result. A result of the wrong shape is `malformed` (the message quotes it), a chain id
 * other than the expected one is `wrong_chain`: an answer that arrives fast but is wrong must not count as a success.
 */
export function checkAnswer(provider: string, method: ProbedMethod, result: unknown, expectedChainId: number): void {
  const malformed = (what: string) => new RpcError(provider, "malformed", `${method} answered ${shown(result)}: ${what}`);
  switch (method) {
    case "eth_chainId":
    case "eth_blockNumber":
      if (typeof result !== "string" || !QUANTITY.test(result)) throw malformed("not a hex quantity");
      if (method === "eth_chainId" && Number(result) !== expectedChainId) {
        throw new RpcError(provider, "wrong_chain", `eth_chainId answered ${Number(result)}, expected ${expectedChainId}`);
      }
      return;
    case "eth_getBlockByNumber":
      if (result === null) throw malformed("no latest block");
      try {
        readBlockHeader(result);
      } catch (err) {
        throw malformed((err as Error).message);
      }
      return;
    case "eth_getLogs":
      if (!Array.isArray(result) || result.some((log) => typeof log !== "object" || log === null)) throw malformed("not a list of logs");
      return;
  }
}
