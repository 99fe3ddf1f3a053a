import { createPublicClient, createTestClient, http, type Hex } from "viem";
import type { ExchangeLayout } from "../polymarket/abi";
import { POLYGON_EXCHANGES, type ExchangeContract } from "../polymarket/exchanges";
import { loadStandIn, readArtifacts } from "./contracts/artifacts";

export interface InstalledExchange extends ExchangeContract {
  /** Runtime bytecode now at `address`. */
  code: Hex;
}

/** Runtime bytecode of the stand-in for each event layout: V1 for the legacy exchanges, V2 for V2 and ExchangeV3. */
export function standInBytecode(layout: ExchangeLayout): Hex {
  const artifacts = readArtifacts();
  return layout === "v1"
    ? loadStandIn("StandInExchangeV1", artifacts).deployedBytecode
    : loadStandIn("StandInExchangeV2", artifacts).deployedBytecode;
}

/**
 * Places the stand-in runtime code at the real exchange addresses on an anvil node, so the listener's production
 * configuration (addresses and ABIs) works unchanged against the local chain. Throws if any code did not stick.
 */
export async function installStandInExchanges(
  rpcUrl: string,
  exchanges: readonly ExchangeContract[] = POLYGON_EXCHANGES,
): Promise<InstalledExchange[]> {
  const transport = http(rpcUrl);
  const test = createTestClient({ mode: "anvil", transport });
  const pub = createPublicClient({ transport });
  const code = { v1: standInBytecode("v1"), v2: standInBytecode("v2") };
  const installed: InstalledExchange[] = [];
  for (const exchange of exchanges) {
    await test.setCode({ address: exchange.address, bytecode: code[exchange.layout] });
    installed.push({ ...exchange, code: code[exchange.layout] });
  }
  // Read back: a wrong RPC URL (not anvil, or a node that ignores anvil_setCode) must fail here, not as a silent
  // listener that never sees a fill.
  for (const exchange of installed) {
    const onChain = await pub.getCode({ address: exchange.address });
    if (onChain?.toLowerCase() !== exchange.code) {
      throw new Error(`stand-in code for ${exchange.name} was not installed at ${exchange.address}`);
    }
  }
  return installed;
}
