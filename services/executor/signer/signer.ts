import type { Address, Hex } from "viem";

/**
 * Signs 32-byte digests (EIP-712 order hashes) with a secp256k1 key. Local keys for the dev stack, AWS KMS in
 * production: the private half never enters this process there, which is why the interface takes digests, not orders.
 */
export interface DigestSigner {
  /** The EOA address of the key: the order's `signer` field. */
  readonly address: Address;
  /** A 65-byte r‖s‖v signature (low-s, v ∈ {27, 28}) that recovers to `address`. */
  signDigest(digest: Hex): Promise<Hex>;
}
