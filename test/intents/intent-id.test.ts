import { encodePacked, keccak256, type Hex } from "viem";
import { intentId } from "../../services/intents/intent-id";
import { keccakEngine, loadKeccak } from "../../services/shared/keccak";

const TX = "0x8f3c1d2e4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0" as const;

describe("intentId", () => {
  test("is pinned: every listener and executor build must derive the same id", () => {
    // Changing the encoding would make two regions disagree on ids and double-execute during a rollout. The value was
    // cross-checked against hand-concatenated bytes: 32-byte 137 ‖ tx ‖ 4-byte 12 ‖ utf8 "alice".
    expect(intentId(137, TX, 12, "alice")).toBe("0xe090925c2401a647c13c66e6645b0ae8fce4d55090106699650ab0a3f1f6c7cd");
  });

  test("same inputs give the same id, whatever the hash's letter case", () => {
    expect(intentId(137, TX, 12, "alice")).toBe(intentId(137, TX, 12, "alice"));
    expect(intentId(137, TX.toUpperCase().replace("0X", "0x") as `0x${string}`, 12, "alice")).toBe(
      intentId(137, TX, 12, "alice"),
    );
  });

  test("any field change gives a different id", () => {
    const base = intentId(137, TX, 12, "alice");
    const variants = [
      intentId(80002, TX, 12, "alice"),
      intentId(137, `${TX.slice(0, -1)}1` as `0x${string}`, 12, "alice"),
      intentId(137, TX, 13, "alice"),
      intentId(137, TX, 12, "alicf"),
      intentId(137, TX, 12, "Alice"),
    ];
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
  });

  test("a 32-byte hex id", () => {
    expect(intentId(137, TX, 0, "a")).toMatch(/^0x[0-9a-f]{64}$/);
  });
});

describe("intentId's byte layout", () => {
  const random = (seed: number) => {
    let state = seed;
    return () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  };

  test("equals viem's encodePacked + keccak256 on random inputs, with the JS and the WebAssembly keccak", async () => {
    const next = random(7);
    const inputs = Array.from({ length: 300 }, (_, i) => {
      const bytes = Array.from({ length: 32 }, () => Math.floor(next() * 256));
      const tx = `0x${Buffer.from(bytes).toString("hex")}` as Hex;
      const subscriber = i % 3 === 0 ? `sub-${"é✓".repeat(i % 40)}` : `subscriber-${Math.floor(next() * 1e9)}`;
      const chainId = i % 2 === 0 ? 137 : Math.floor(next() * Number.MAX_SAFE_INTEGER);
      const logIndex = i % 5 === 0 ? 0xffff_ffff : Math.floor(next() * 2 ** 32);
      return { chainId, tx: i % 4 === 0 ? (tx.toUpperCase().replace("0X", "0x") as Hex) : tx, logIndex, subscriber };
    });
    const viaViem = inputs.map(({ chainId, tx, logIndex, subscriber }) =>
      keccak256(encodePacked(["uint256", "bytes32", "uint32", "string"], [BigInt(chainId), tx.toLowerCase() as Hex, logIndex, subscriber])),
    );
    expect(keccakEngine()).toBe("js");
    expect(inputs.map(({ chainId, tx, logIndex, subscriber }) => intentId(chainId, tx, logIndex, subscriber))).toEqual(viaViem);
    await loadKeccak();
    expect(keccakEngine()).toBe("wasm");
    expect(inputs.map(({ chainId, tx, logIndex, subscriber }) => intentId(chainId, tx, logIndex, subscriber))).toEqual(viaViem);
  });

  test("refuses what encodePacked would not encode, naming the field", () => {
    expect(() => intentId(137, "0x1234" as Hex, 0, "a")).toThrow(/tx hash 0x1234/);
    expect(() => intentId(137, `0x${"zz".repeat(32)}` as Hex, 0, "a")).toThrow(/tx hash/);
    expect(() => intentId(137, TX, 2 ** 32, "a")).toThrow(/log index 4294967296/);
    expect(() => intentId(137, TX, -1, "a")).toThrow(/log index -1/);
    expect(() => intentId(1.5, TX, 0, "a")).toThrow(/chain id 1.5/);
  });
});
