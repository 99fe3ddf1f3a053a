import { secp256k1 } from "@noble/curves/secp256k1";
import { keccak256, type Hex } from "viem";

const N = secp256k1.CURVE.n;
/** secp256k1n / 2: the exchange (OpenZeppelin ECDSA) refuses the malleable high-s twin of a signature. */
const HALF_N = N >> 1n;

export interface EcdsaSignature {
  r: bigint;
  s: bigint;
  yParity: 0 | 1;
}

/** The exchange's rules on the signature's bytes; a string says which one it breaks. */
export function parseSignature(signature: Hex): EcdsaSignature | string {
  if (signature.length !== 2 + 65 * 2) return `expected a 65-byte signature, got ${(signature.length - 2) / 2} bytes`;
  const r = BigInt(`0x${signature.slice(2, 66)}`);
  const s = BigInt(`0x${signature.slice(66, 130)}`);
  const v = Number.parseInt(signature.slice(130), 16);
  if (s > HALF_N) return "high-s (malleable) signature";
  // OpenZeppelin's ECDSA hands v to ecrecover as is, which answers nothing for any v but 27 and 28.
  if (v !== 27 && v !== 28) return `v is ${v}, not 27 or 28`;
  if (r === 0n || r >= N || s === 0n) return "signature does not recover: r or s out of range";
  return { r, s, yParity: v === 28 ? 1 : 0 };
}

/** Lower-case address of an uncompressed key (0x04 ‖ X ‖ Y): the last 20 bytes of keccak256(X ‖ Y). */
export function addressOf(uncompressed: Uint8Array): string {
  return `0x${keccak256(uncompressed.subarray(1)).slice(-40)}`;
}
