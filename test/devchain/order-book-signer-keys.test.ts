import { secp256k1 } from "@noble/curves/secp256k1";
import { keccak256, toHex, type Hex } from "viem";
import type { PrivateKeyAccount } from "viem/accounts";
import { loadNativeSecp256k1, NativeSignerKeys } from "../../services/devchain/order-book/native-signer-keys";
import { NobleSignerKeys } from "../../services/devchain/order-book/noble-signer-keys";
import { createSignerKeys, type SignerKeys } from "../../services/devchain/order-book/signer-keys";
import { testKey } from "../support/order-book";

const alice = testKey("signer-keys/alice");
const bob = testKey("signer-keys/bob");
let digestSeq = 0;
/** A fresh order digest. */
const digest = (): Hex => keccak256(toHex(`signer-keys/order/${digestSeq++}`));
const sign = (key: PrivateKeyAccount, hash: Hex): Promise<Hex> => key.sign({ hash });

const vOf = (signature: Hex) => Number.parseInt(signature.slice(130), 16);
const withV = (signature: Hex, v: number): Hex => `${signature.slice(0, 130)}${v.toString(16).padStart(2, "0")}` as Hex;
const flippedV = (signature: Hex): Hex => withV(signature, vOf(signature) === 27 ? 28 : 27);
/** The same signature with bit `bit` of byte `byte` (0-based, r then s then v) inverted. */
const flipBit = (signature: Hex, byte: number, bit: number): Hex => {
  const bytes = Buffer.from(signature.slice(2), "hex");
  bytes[byte]! ^= 1 << bit;
  return `0x${bytes.toString("hex")}`;
};
/** (r, n - s, other v): the malleable twin that recovers to the same key. */
const highSTwin = (signature: Hex): Hex => {
  const s = BigInt(`0x${signature.slice(66, 130)}`);
  return flippedV(`${signature.slice(0, 66)}${(secp256k1.CURVE.n - s).toString(16).padStart(64, "0")}${signature.slice(130)}` as Hex);
};

/** Counts secp256k1 public-key recoveries (the slow path) while a test runs. */
function countRecoveries() {
  const signatureProto = Object.getPrototypeOf(new secp256k1.Signature(1n, 1n)) as InstanceType<typeof secp256k1.Signature>;
  return jest.spyOn(signatureProto, "recoverPublicKey");
}

const ENGINES: [string, () => SignerKeys][] = [
  ["libsecp256k1", () => new NativeSignerKeys(loadNativeSecp256k1())],
  ["@noble/curves", () => new NobleSignerKeys()],
];

describe.each(ENGINES)("signer keys on %s: ECDSA check of order signatures (types 0–2)", (_engine, make) => {
  it("accepts a signer's orders, first and later ones alike", async () => {
    const keys = make();
    for (let i = 0; i < 40; i++) {
      const hash = digest();
      expect(keys.problem(alice.address, hash, await sign(alice, hash))).toBeUndefined();
    }
  });

  it("rejects, for a signer whose key it keeps, every signature that key did not make over that digest", async () => {
    const keys = make();
    const known = digest();
    expect(keys.problem(alice.address, known, await sign(alice, known))).toBeUndefined();

    const hash = digest();
    const good = await sign(alice, hash);
    // Another key's signature of the right digest: the reason names that key, as before keys were kept.
    expect(keys.problem(alice.address, hash, await sign(bob, hash))).toBe(`it recovers to ${bob.address}, not the signer ${alice.address}`);
    // Alice's own signature of another order: a "known signer, accept" cache would pass it.
    expect(keys.problem(alice.address, hash, await sign(alice, digest()))).toMatch(/^it recovers to 0x[0-9a-fA-F]{40}, not the signer /);
    // Tampered r, tampered s.
    for (const tampered of [flipBit(good, 5, 0), flipBit(good, 31, 7), flipBit(good, 40, 3), flipBit(good, 63, 0)]) {
      expect(keys.problem(alice.address, hash, tampered)).toMatch(/^(it recovers to 0x[0-9a-fA-F]{40}, not the signer |signature does not recover: )/);
    }
    // v flipped: noble's verify ignores v and passes it, ecrecover gives another address, so must this check.
    expect(secp256k1.verify(good.slice(2, 130), hash.slice(2), alice.publicKey.slice(2), { lowS: true })).toBe(true);
    expect(keys.problem(alice.address, hash, flippedV(good))).toMatch(/^it recovers to 0x[0-9a-fA-F]{40}, not the signer /);
    // The exchange refuses high-s and any v but 27 / 28, even where the key is right.
    expect(keys.problem(alice.address, hash, highSTwin(good))).toBe("high-s (malleable) signature");
    expect(keys.problem(alice.address, hash, withV(good, vOf(good) - 27))).toBe(`v is ${vOf(good) - 27}, not 27 or 28`);
    expect(keys.problem(alice.address, hash, `${good}00` as Hex)).toBe("expected a 65-byte signature, got 66 bytes");
    expect(keys.problem(alice.address, hash, `0x${"00".repeat(32)}${good.slice(66)}` as Hex)).toBe("signature does not recover: r or s out of range");
    // And the right one still passes.
    expect(keys.problem(alice.address, hash, good)).toBeUndefined();
  });

  it("lets a kept key vouch only for its own address", async () => {
    const keys = make();
    const aliceOrder = digest();
    expect(keys.problem(alice.address, aliceOrder, await sign(alice, aliceOrder))).toBeUndefined();
    // Alice's key is kept; an order naming Bob as signer, signed by Alice, is Bob's only if Bob's key made it.
    const hash = digest();
    expect(keys.problem(bob.address, hash, await sign(alice, hash))).toBe(`it recovers to ${alice.address}, not the signer ${bob.address}`);
    expect(keys.problem(bob.address, hash, await sign(bob, hash))).toBeUndefined();
    expect(keys.problem(bob.address, hash, await sign(alice, hash))).toBe(`it recovers to ${alice.address}, not the signer ${bob.address}`);
    expect(keys.problem(alice.address, hash, await sign(bob, hash))).toBe(`it recovers to ${bob.address}, not the signer ${alice.address}`);
  });

  it("takes a key known in advance only for its own address", async () => {
    const keys = make();
    expect(() => keys.learn(bob.address, alice.publicKey)).toThrow(`public key ${alice.publicKey} belongs to ${alice.address}, not ${bob.address}`);
    const hash = digest();
    expect(keys.problem(bob.address, hash, await sign(alice, hash))).toBe(`it recovers to ${alice.address}, not the signer ${bob.address}`);
    keys.learn(alice.address, alice.publicKey);
    const next = digest();
    expect(keys.problem(alice.address, next, await sign(alice, next))).toBeUndefined();
    const forged = digest();
    expect(keys.problem(alice.address, forged, await sign(bob, forged))).toBe(`it recovers to ${bob.address}, not the signer ${alice.address}`);
  });
});

describe("signer keys on @noble/curves: recovery only where no key is kept", () => {
  afterEach(() => jest.restoreAllMocks());

  it("recovers a signer's first order, then verifies the later ones against the kept key without recovering", async () => {
    const keys = new NobleSignerKeys();
    const recoveries = countRecoveries();
    const first = digest();
    expect(keys.problem(alice.address, first, await sign(alice, first))).toBeUndefined();
    expect(recoveries).toHaveBeenCalledTimes(1);
    // Many digests: the verification arithmetic (tables, GLV split, v parity) must agree with recovery on each.
    for (let i = 0; i < 40; i++) {
      const hash = digest();
      expect(keys.problem(alice.address, hash, await sign(alice, hash))).toBeUndefined();
    }
    expect(recoveries).toHaveBeenCalledTimes(1);
  });

  it("never recovers a signer whose key was given in advance", async () => {
    const keys = new NobleSignerKeys();
    keys.learn(alice.address, alice.publicKey);
    const recoveries = countRecoveries();
    for (let i = 0; i < 5; i++) {
      const next = digest();
      expect(keys.problem(alice.address, next, await sign(alice, next))).toBeUndefined();
    }
    expect(recoveries).not.toHaveBeenCalled();
  });
});

describe("the engine the order book uses", () => {
  it("is the native library where it loads", () => {
    const { keys, fallback } = createSignerKeys();
    expect(keys.engine).toBe("libsecp256k1 (native)");
    expect(fallback).toBeUndefined();
  });

  it("falls back to @noble/curves, saying why, when the native library does not load", async () => {
    const { keys, fallback } = createSignerKeys(() => {
      throw new Error("Cannot find module 'secp256k1/bindings'");
    });
    expect(keys.engine).toBe("@noble/curves");
    expect(fallback).toBe("native secp256k1 did not load (Cannot find module 'secp256k1/bindings'); verifying with @noble/curves, ~10x the CPU per order");
    const hash = digest();
    expect(keys.problem(alice.address, hash, await sign(alice, hash))).toBeUndefined();
    expect(keys.problem(alice.address, hash, await sign(bob, hash))).toBe(`it recovers to ${bob.address}, not the signer ${alice.address}`);
  });
});
