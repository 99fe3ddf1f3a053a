import type { Hex } from "viem";
import { keccakHex } from "../shared/keccak";

const TX_HASH = /^0x[0-9a-fA-F]{64}$/;
const UINT32_MAX = 0xffff_ffff;

/**
 * Deterministic intent id: keccak256(abi.encodePacked(uint256 chainId, bytes32 txHash, uint32 logIndex, string
 * subscriberId)). Every listener (in every region) derives the same id for the same subscriber's copy of the same fill,
 * which is what lets the bus and the executor drop the second one. Packed is unambiguous here (three fixed-width fields
 * and one trailing string). The bytes are laid out here rather than through viem's encodePacked (2 µs of hex strings
 * per call): this runs once per follower of every leader fill, and test/intents/intent-id.test.ts holds it to
 * encodePacked on random inputs.
 */
export function intentId(chainId: number, txHash: Hex, logIndex: number, subscriberId: string): Hex {
  if (!Number.isSafeInteger(chainId) || chainId < 0) throw new RangeError(`intent id: chain id ${chainId} is not a non-negative integer`);
  if (!TX_HASH.test(txHash)) throw new RangeError(`intent id: tx hash ${txHash} is not 32 bytes of hex`);
  if (!Number.isInteger(logIndex) || logIndex < 0 || logIndex > UINT32_MAX) throw new RangeError(`intent id: log index ${logIndex} is not a uint32`);
  const subscriber = Buffer.from(subscriberId, "utf8");
  const packed = Buffer.alloc(68 + subscriber.length);
  packed.writeBigUInt64BE(BigInt(chainId), 24);
  packed.write(txHash.slice(2), 32, 32, "hex");
  packed.writeUInt32BE(logIndex, 64);
  subscriber.copy(packed, 68);
  return keccakHex(packed);
}
