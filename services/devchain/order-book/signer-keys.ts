import type { Address, Hex } from "viem";
import { NativeSignerKeys, loadNativeSecp256k1, type NativeSecp256k1 } from "./native-signer-keys";
import { NobleSignerKeys } from "./noble-signer-keys";

/**
 * Which key signed an order digest, for signature types 0–2: a signature passes exactly when the exchange's
 * ecrecover(digest, v, r, s) gives the signer (65 bytes, low s, v 27 or 28). Keys are filed under the address hashed
 * from the key itself, so a kept key can only ever vouch for its own address.
 */
export interface SignerKeys {
  /** What does the arithmetic, for the operator's log. */
  readonly engine: string;
  /**
   * A key known before its signer's first order (the venue sees one when the API key is created with an L1
   * signature). Throws when `publicKey` is not `address`'s key.
   */
  learn(address: Address, publicKey: Hex): void;
  /** Undefined when `signature` is `signer`'s over `digest`, else why not. */
  problem(signer: Address, digest: Hex, signature: Hex): string | undefined;
}

/**
 * libsecp256k1 (the `secp256k1` package's prebuilt addon, ~0.05 ms an order) where it loads; else @noble/curves
 * (~0.5 ms an order against a kept key), with why in `fallback` for the caller to say so.
 */
export function createSignerKeys(load: () => NativeSecp256k1 = loadNativeSecp256k1): { keys: SignerKeys; fallback?: string } {
  try {
    return { keys: new NativeSignerKeys(load()) };
  } catch (err) {
    return { keys: new NobleSignerKeys(), fallback: `native secp256k1 did not load (${(err as Error).message}); verifying with @noble/curves, ~10x the CPU per order` };
  }
}
