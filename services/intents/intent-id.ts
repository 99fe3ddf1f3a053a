import { encodeAbiParameters, keccak256, type Hex } from "viem";

const ID_PARAMETERS = [
  { name: "chainId", type: "uint256" },
  { name: "txHash", type: "bytes32" },
  { name: "logIndex", type: "uint256" },
  { name: "subscriberId", type: "string" },
] as const;

/**
 * Deterministic intent id: keccak256(abi.encode(chainId, txHash, logIndex, subscriberId)). Every listener (in every
 * region) derives the same id for the same subscriber's copy of the same fill, which is what lets the bus and the
 * executor drop the second one. ABI encoding rather than string concatenation keeps the fields unambiguous.
 */
export function intentId(chainId: number, txHash: Hex, logIndex: number, subscriberId: string): Hex {
  return keccak256(encodeAbiParameters(ID_PARAMETERS, [BigInt(chainId), txHash, BigInt(logIndex), subscriberId]));
}
