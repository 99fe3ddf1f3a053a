import { hexToBigInt, hexToBytes, type Hex } from "viem";
import { keccakHex } from "../../shared/keccak";

/**
 * The order book's JSON takes `salt` as a number (clob-client sends `parseInt(salt)`), so anything above 2^53 − 1 would
 * be rounded in transit and the venue would hash a different order than the one signed.
 */
export const SALT_BITS = 53n;

/**
 * The order's salt: the top 53 bits of keccak256(intent id). Derived, not random, so every executor replica and every
 * retry builds the byte-identical order for one intent, and the venue's dedupe by order hash drops the second copy.
 */
export function orderSalt(intentId: Hex): bigint {
  return hexToBigInt(keccakHex(hexToBytes(intentId))) >> (256n - SALT_BITS);
}
