import { hexToBytes, keccak256, type Hex } from "viem";

/**
 * Whether a block's 2048-bit logs bloom may contain a log from `address` with topic `topic` (yellow paper §4.3.1).
 * A miss is certain, a hit only possible: so an empty eth_getLogs answer for a block whose bloom hits is suspicious
 * (a lagging node answers [] for a block it has not seen) and is asked again elsewhere.
 */
export function bloomMayContain(logsBloom: Hex, value: Hex): boolean {
  const bloom = hexToBytes(logsBloom);
  if (bloom.length !== 256) return true;
  const hash = hexToBytes(keccak256(value));
  for (let i = 0; i < 6; i += 2) {
    const bit = ((hash[i] << 8) | hash[i + 1]) & 2047;
    const byte = 255 - Math.floor(bit / 8);
    if ((bloom[byte] & (1 << bit % 8)) === 0) return false;
  }
  return true;
}

/** True when some log of one of `addresses` with one of `topics0` may be in the block. */
export function bloomMayMatch(logsBloom: Hex, addresses: readonly Hex[], topics0: readonly Hex[]): boolean {
  return addresses.some((a) => bloomMayContain(logsBloom, a)) && topics0.some((t) => bloomMayContain(logsBloom, t));
}
