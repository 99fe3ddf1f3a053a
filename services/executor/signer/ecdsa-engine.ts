import { secp256k1 } from "@noble/curves/secp256k1";
import type { Hex } from "viem";

export const SIGNING_ENGINES = ["native", "noble"] as const;
export type SigningEngineName = (typeof SIGNING_ENGINES)[number];

/**
 * secp256k1 signing of a 32-byte digest as Ethereum wants it: RFC 6979 nonce (no extra entropy), low-s, and
 * r ‖ s ‖ v with v = 27 + recovery id. Both engines give the same bytes for the same key and digest, so an intent
 * signs to the same order whichever engine a region runs; they differ in CPU only (~0.04 ms native, ~0.3 ms noble).
 */
export interface EcdsaEngine {
  readonly name: SigningEngineName;
  sign(digest: Uint8Array, privateKey: Uint8Array): Hex;
}

/** The shape `secp256k1/bindings` exports (the package's JS API over its N-API addon). */
interface Secp256k1Addon {
  ecdsaSign(digest: Uint8Array, privateKey: Uint8Array): { signature: Uint8Array; recid: number };
}

export const nobleEngine: EcdsaEngine = Object.freeze({
  name: "noble" as const,
  sign(digest: Uint8Array, privateKey: Uint8Array): Hex {
    const signature = secp256k1.sign(digest, privateKey, { lowS: true, extraEntropy: false });
    return `0x${signature.toCompactHex()}${vHex(signature.recovery)}`;
  },
});

/**
 * libsecp256k1 through the `secp256k1` package's addon. Its `bindings` entry, unlike the package's main one, throws
 * when the addon does not load instead of falling back to its JavaScript implementation without a word; the deploy
 * bundle (services/deploy/bundle.ts) replaces that entry with the addon shipped next to the script.
 */
export function loadNativeEngine(): EcdsaEngine {
  let addon: Secp256k1Addon;
  try {
    // A literal require, so that esbuild sees it and the bundle can substitute the shipped addon.
    addon = require("secp256k1/bindings") as Secp256k1Addon;
  } catch (err) {
    throw new Error(
      `signingEngine "native": the libsecp256k1 addon did not load (${(err as Error).message}); ` +
        'signingEngine "noble" signs without it, about 7× slower per signature',
      { cause: err },
    );
  }
  return Object.freeze({
    name: "native" as const,
    sign(digest: Uint8Array, privateKey: Uint8Array): Hex {
      const { signature, recid } = addon.ecdsaSign(reducedModN(digest), privateKey);
      return `0x${Buffer.from(signature.buffer, signature.byteOffset, 64).toString("hex")}${vHex(recid)}`;
    },
  });
}

/** The engine a config names. "native" fails here, at start, rather than sign 7× slower than the operator chose. */
export function loadEcdsaEngine(name: SigningEngineName): EcdsaEngine {
  return name === "native" ? loadNativeEngine() : nobleEngine;
}

const N = Buffer.from("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", "hex");

/**
 * The digest mod n. RFC 6979 seeds the nonce with the digest reduced mod n, as noble does; libsecp256k1 seeds it with
 * the raw 32 bytes, so for a digest ≥ n (odds ~2⁻¹²⁸) the two would sign with different nonces. Reduced first, the
 * seeds agree, and the signature is unchanged otherwise since ECDSA reduces the digest anyway.
 */
function reducedModN(digest: Uint8Array): Uint8Array {
  if (Buffer.compare(digest, N) < 0) return digest;
  const reduced = BigInt(`0x${Buffer.from(digest).toString("hex")}`) - BigInt(`0x${N.toString("hex")}`);
  return Buffer.from(reduced.toString(16).padStart(64, "0"), "hex");
}

/** v (27 or 28) as hex. Recovery ids 2 and 3 (r ≥ n, probability ~2⁻¹²⁸) have no Ethereum v. */
function vHex(recoveryId: number): string {
  if (recoveryId === 0) return "1b";
  if (recoveryId === 1) return "1c";
  throw new Error(`recovery id ${recoveryId} has no Ethereum v`);
}
