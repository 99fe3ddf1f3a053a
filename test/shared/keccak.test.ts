import { keccak256 } from "viem";
import { keccakBytes, keccakEngine, keccakHex, loadKeccak } from "../../services/shared/keccak";

/** Lengths around keccak-256's 136-byte rate, where padding spills into a second block. */
const LENGTHS = [0, 1, 31, 32, 55, 68, 135, 136, 137, 271, 272, 273, 1000];

function bytesOf(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 131 + seed * 17 + (i >> 3)) & 0xff);
}

describe("keccak", () => {
  test("before loading, the JS engine is viem's keccak", () => {
    expect(keccakEngine()).toBe("js");
    const data = bytesOf(68, 1);
    expect(keccakHex(data)).toBe(keccak256(data));
  });

  test("the WebAssembly engine gives viem's digest at every length across block boundaries", async () => {
    await loadKeccak();
    expect(keccakEngine()).toBe("wasm");
    for (const length of LENGTHS) {
      for (const seed of [1, 2, 3]) {
        const data = bytesOf(length, seed);
        expect(keccakHex(data)).toBe(keccak256(data));
        expect(keccakBytes(data)).toEqual(keccak256(data, "bytes"));
      }
    }
    // The empty-input digest is the well-known constant, so both engines are pinned to keccak, not NIST SHA3.
    expect(keccakHex(new Uint8Array())).toBe("0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  });

  test("a digest is a fresh array: a later hash does not overwrite an earlier result", async () => {
    await loadKeccak();
    const first = keccakBytes(bytesOf(32, 1));
    const copy = Uint8Array.from(first);
    keccakBytes(bytesOf(32, 2));
    expect(first).toEqual(copy);
  });
});
