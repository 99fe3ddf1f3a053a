import { randomBytes } from "node:crypto";
import { secp256k1 } from "@noble/curves/secp256k1";
import { bytesToHex, hexToBigInt, recoverAddress, type Hex } from "viem";
import { privateKeyToAddress } from "viem/accounts";
import { loadEcdsaEngine, loadNativeEngine, nobleEngine } from "../../../services/executor/signer/ecdsa-engine";

const N = secp256k1.CURVE.n;
const native = loadNativeEngine();

/** A uniformly random valid private key. */
function randomKey(): Uint8Array {
  for (;;) {
    const key = randomBytes(32);
    const scalar = BigInt(`0x${key.toString("hex")}`);
    if (scalar > 0n && scalar < N) return key;
  }
}

const keyOf = (scalar: bigint) => Buffer.from(scalar.toString(16).padStart(64, "0"), "hex");

test("native and noble sign 600 random (key, digest) pairs to the same bytes, which recover to the key's address", async () => {
  const cases = Array.from({ length: 600 }, () => ({ key: randomKey(), digest: randomBytes(32) }));
  // The ends of the key range, and digests that are 0 or ≥ n (where libsecp256k1's nonce seed differs unless reduced).
  for (const key of [keyOf(1n), keyOf(N - 1n)]) {
    for (const digest of [Buffer.alloc(32), Buffer.alloc(32, 0xff), keyOf(N)]) cases.push({ key, digest });
  }
  for (const { key, digest } of cases) {
    const signature = native.sign(digest, key);
    expect(signature).toBe(nobleEngine.sign(digest, key));
    expect(signature).toMatch(/^0x[0-9a-f]{128}(1b|1c)$/);
    expect(hexToBigInt(`0x${signature.slice(66, 130)}`)).toBeLessThanOrEqual(N / 2n);
    expect(await recoverAddress({ hash: bytesToHex(digest), signature })).toBe(privateKeyToAddress(bytesToHex(key)));
  }
});

test("both are RFC 6979 without extra entropy: the signature of a known key and digest is fixed", () => {
  // r and s: the well-known RFC 6979 vector for key 1 and SHA-256("Satoshi Nakamoto") (bitcoinjs' fixtures); v = 28.
  const digest = secp256k1.CURVE.hash(new TextEncoder().encode("Satoshi Nakamoto"));
  const expected: Hex = "0x934b1ea10a4b3c1757e2b0c017d0b6143ce3c9a7e6a4a49860d7a6ab210ee3d82442ce9d2b916064108014783e923ec36b49743e2ffa1c4496f01a512aafd9e51c";
  expect(native.sign(digest, keyOf(1n))).toBe(expected);
  expect(nobleEngine.sign(digest, keyOf(1n))).toBe(expected);
});

test("the config's names pick the engines", () => {
  expect(loadEcdsaEngine("native").name).toBe("native");
  expect(loadEcdsaEngine("noble")).toBe(nobleEngine);
});

test("a native engine that cannot load fails loudly, naming the fallback, instead of falling back", () => {
  jest.isolateModules(() => {
    jest.doMock("secp256k1/bindings", () => {
      throw new Error("No native build was found for platform=linux arch=x64");
    });
    const isolated = jest.requireActual<typeof import("../../../services/executor/signer/ecdsa-engine")>("../../../services/executor/signer/ecdsa-engine");
    expect(() => isolated.loadEcdsaEngine("native")).toThrow(
      'signingEngine "native": the libsecp256k1 addon did not load (No native build was found for platform=linux arch=x64); signingEngine "noble" signs without it, about 7× slower per signature',
    );
  });
});
