import { intentId } from "../../services/intents/intent-id";

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
