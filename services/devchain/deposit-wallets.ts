import { createPublicClient, createTestClient, http, isAddressEqual, pad, type Address } from "viem";
import { loadStandIn } from "./contracts/artifacts";

/**
 * Places a stand-in deposit wallet (signature type 3) at `wallet` on anvil, owned by the EOA `owner`: the runtime code
 * with anvil_setCode, the owner into storage slot 0 with anvil_setStorageAt (no constructor runs). Reads both back, so
 * a wrong RPC URL fails here rather than as "invalid signature" at the order book.
 */
export async function installDepositWallet(rpcUrl: string, wallet: Address, owner: Address): Promise<void> {
  const transport = http(rpcUrl);
  const test = createTestClient({ mode: "anvil", transport });
  const pub = createPublicClient({ transport });
  const { deployedBytecode } = loadStandIn("StandInDepositWallet");
  await test.setCode({ address: wallet, bytecode: deployedBytecode });
  await test.setStorageAt({ address: wallet, index: 0, value: pad(owner) });
  const [code, slot0] = await Promise.all([pub.getCode({ address: wallet }), pub.getStorageAt({ address: wallet, slot: "0x0" })]);
  if (code?.toLowerCase() !== deployedBytecode || !slot0 || !isAddressEqual(`0x${slot0.slice(-40)}`, owner)) {
    throw new Error(`stand-in deposit wallet was not installed at ${wallet} (owner ${owner})`);
  }
}
