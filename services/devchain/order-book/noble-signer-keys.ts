import { invert, mod } from "@noble/curves/abstract/modular";
import type { ProjPointType } from "@noble/curves/abstract/weierstrass";
import { secp256k1 } from "@noble/curves/secp256k1";
import { getAddress, type Address, type Hex } from "viem";
import { addressOf, parseSignature, type EcdsaSignature } from "./ecdsa-signature";
import type { SignerKeys } from "./signer-keys";

type Point = ProjPointType<bigint>;

const { CURVE, ProjectivePoint, Signature } = secp256k1;
const N = CURVE.n;
const ENDO = CURVE.endo!;
/**
 * wNAF window of a kept key's tables: 264 points (~40 KB), ~2.5 ms to build, then ~0.5 ms of CPU per verification
 * against ~1.4 ms without tables and ~1.8 ms for a recovery. Window 8 verifies in ~0.4 ms but costs ~320 KB and ~15 ms
 * per signer: 15 s and 320 MB for a thousand subscribers who each sign one order per trade.
 */
const KEY_WINDOW = 4;

/**
 * SignerKeys in JavaScript (@noble/curves), where the native library does not load. A signer's first order is
 * recovered, and its key is kept when the key's address is that signer; its later orders are verified against the
 * kept key, which also binds v, so the answer is always the one recovery gives. One key per signer: the server checks
 * signatures only of orders whose signer is an API account.
 */
export class NobleSignerKeys implements SignerKeys {
  readonly engine = "@noble/curves";

  private readonly keys = new Map<string, Point>();

  /**
   * A key known before its signer's first order (the venue sees one when the API key is created with an L1
   * signature), so that no order of the signer is recovered. Throws when `publicKey` is not `address`'s key.
   */
  learn(address: Address, publicKey: Hex): void {
    const key = ProjectivePoint.fromHex(publicKey.slice(2));
    const owner = addressOf(key.toRawBytes(false));
    if (owner !== address.toLowerCase()) throw new Error(`public key ${publicKey} belongs to ${getAddress(owner)}, not ${address}`);
    this.keep(owner, key);
  }

  /** Undefined when `signature` is `signer`'s over `digest`, else why not. */
  problem(signer: Address, digest: Hex, signature: Hex): string | undefined {
    const parsed = parseSignature(signature);
    if (typeof parsed === "string") return parsed;
    const known = this.keys.get(signer.toLowerCase());
    if (known && madeBy(known, digest, parsed)) return undefined;
    // A new signer, or a signature its key did not make: recovery names the key that did make it.
    let key: Point;
    try {
      key = new Signature(parsed.r, parsed.s).addRecoveryBit(parsed.yParity).recoverPublicKey(digest.slice(2));
    } catch (err) {
      return `signature does not recover: ${(err as Error).message}`;
    }
    const recovered = addressOf(key.toRawBytes(false));
    if (recovered !== signer.toLowerCase()) return `it recovers to ${getAddress(recovered)}, not the signer ${signer}`;
    if (!known) this.keep(recovered, key);
    return undefined;
  }

  /**
   * Files `key` under its address with its tables, built now (~2.5 ms): with the first order, which a fan-out's
   * warm-up round pays, rather than with the second, which would make the next round the slowest.
   */
  private keep(address: string, key: Point): void {
    this.keys.set(address, secp256k1.utils.precompute(KEY_WINDOW, key));
  }
}

/**
 * ECDSA verification that binds v as well: R = u1·G + u2·Q must be the point (r, y of parity v) itself, which holds
 * exactly when recovery from (digest, v, r, s) gives Q. secp256k1.verify checks only R.x mod n == r (a signature with
 * v flipped passes it, and ecrecover gives another address for it), and it takes the key as bytes, a new point each
 * call, so precomputed tables would never be used.
 */
function madeBy(key: Point, digest: Hex, { r, s, yParity }: EcdsaSignature): boolean {
  const sInv = invert(s, N);
  const u1 = mod(BigInt(digest) * sInv, N);
  const u2 = mod(r * sInv, N);
  // The point at infinity comes out as (0, 0), which no r (>= 1) matches.
  const R = times(ProjectivePoint.BASE, u1).add(times(key, u2)).toAffine();
  return R.x === r && Number(R.y & 1n) === yParity;
}

/**
 * k·P as k1·P + k2·ψ(P) (GLV: k = k1 + k2·λ, both halves below 2^128), on P's precomputed tables when it has them.
 * Not P.multiplyUnsafe(k) nor multiplyAndAddUnsafe: in @noble/curves 1.9.1 they walk the whole 256-bit scalar over
 * tables sized for the 128-bit halves, and give wrong points for most scalars once P has tables. P.multiply(k) is
 * right but constant-time (it pays for every window whatever the scalar): ~25% slower, and nothing here is secret.
 */
function times(point: Point, k: bigint): Point {
  const { k1neg, k1, k2neg, k2 } = ENDO.splitScalar(k);
  const k1P = point.multiplyUnsafe(k1);
  const k2P = point.multiplyUnsafe(k2);
  // ψ(x, y) = (β·x, y), and ψ(k2·P) = k2·ψ(P); in projective coordinates β scales X alone.
  const k2PsiP = new ProjectivePoint(CURVE.Fp.mul(k2P.px, ENDO.beta), k2P.py, k2P.pz);
  return (k1neg ? k1P.negate() : k1P).add(k2neg ? k2PsiP.negate() : k2PsiP);
}
