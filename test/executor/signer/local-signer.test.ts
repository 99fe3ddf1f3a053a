import { inspect } from "node:util";
import { secp256k1 } from "@noble/curves/secp256k1";
import { hexToBigInt, hexToBytes, keccak256, recoverAddress, toHex, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { loadNativeEngine, nobleEngine } from "../../../services/executor/signer/ecdsa-engine";
import { localSigner, privateKeyFromEnv } from "../../../services/executor/signer/local-signer";
import { expectNoKey } from "../../support/key-leaks";

const N = secp256k1.CURVE.n;
const digest = (i: number): Hex => keccak256(toHex(`digest ${i}`));

function caught(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected an error");
}

const native = loadNativeEngine();

describe.each([native, nobleEngine])("signing with the $name engine", (engine) => {
  const key = generatePrivateKey();
  const signer = localSigner(key, engine);

  test("the address is the key's, and the signer says which engine signs", () => {
    expect(signer.address).toBe(privateKeyToAccount(key).address);
    expect(signer.engine).toBe(engine.name);
  });

  test("signatures are 65 bytes, low-s, v 27/28, and recover to the address", async () => {
    for (let i = 0; i < 20; i++) {
      const signature = await signer.signDigest(digest(i));
      expect(signature).toMatch(/^0x[0-9a-f]{128}(1b|1c)$/);
      expect(hexToBigInt(`0x${signature.slice(66, 130)}`)).toBeLessThanOrEqual(N / 2n);
      expect(await recoverAddress({ hash: digest(i), signature })).toBe(signer.address);
    }
  });

  test("signatures are RFC 6979: the same digest gives the same bytes, equal to noble's deterministic signature", async () => {
    const signature = await signer.signDigest(digest(1));
    expect(await localSigner(key, engine).signDigest(digest(1))).toBe(signature);
    const reference = secp256k1.sign(hexToBytes(digest(1)), hexToBytes(key), { lowS: true });
    expect(signature.slice(0, 130)).toBe(`0x${reference.r.toString(16).padStart(64, "0")}${reference.s.toString(16).padStart(64, "0")}`);
  });

  test("a digest that is not 32 bytes is refused", async () => {
    await expect(signer.signDigest("0x1234")).rejects.toThrow(`local signer ${signer.address}: digest must be 32-byte hex, got 6 characters`);
  });
});

describe("the key does not leak", () => {
  test("through JSON, inspect, string conversion or own properties", () => {
    const key = generatePrivateKey();
    const signer = localSigner(key, native);
    expect(JSON.parse(JSON.stringify(signer))).toEqual({ kind: "local", address: signer.address, engine: "native" });
    expect(inspect(signer, { depth: 10, showHidden: true })).toBe(`LocalSigner(${signer.address}, native)`);
    for (const text of [JSON.stringify(signer), inspect(signer), String(signer), JSON.stringify(Object.getOwnPropertyDescriptors(signer))]) {
      expectNoKey(text, key);
    }
    expect(Object.isFrozen(signer)).toBe(true);
  });

  test("through errors about a bad key", () => {
    const tooShort = generatePrivateKey().slice(0, 64) as Hex;
    const order = `0x${N.toString(16)}` as Hex;
    expect(caught(() => localSigner(tooShort, native))).toBe("bad private key: expected 0x followed by 64 hex digits");
    expect(caught(() => localSigner(order, native))).toBe("bad private key: outside the secp256k1 range [1, n − 1]");
    expect(caught(() => localSigner(tooShort, native))).not.toContain(tooShort.slice(2, 18));
    expect(caught(() => localSigner(order, native))).not.toContain(order.slice(2, 18));
  });
});

describe("privateKeyFromEnv", () => {
  const key = generatePrivateKey();

  test.each([
    ["0x-prefixed key", key],
    ["bare key", key.slice(2)],
    ["upper-case key with a trailing newline", `${key.slice(2).toUpperCase()}\n`],
  ])("reads a %s as lower-case 0x hex", (_what, value) => {
    expect(privateKeyFromEnv("EXECUTOR_KEY", { EXECUTOR_KEY: value })).toBe(key);
  });

  test("missing or empty names the variable", () => {
    expect(caught(() => privateKeyFromEnv("EXECUTOR_KEY", {}))).toBe("environment variable EXECUTOR_KEY is not set (expected a 32-byte hex private key)");
    expect(caught(() => privateKeyFromEnv("EXECUTOR_KEY", { EXECUTOR_KEY: "  " }))).toMatch(/^environment variable EXECUTOR_KEY is not set/);
  });

  test.each([
    ["one digit short", key.slice(0, -1), "is not a private key: expected 64 hex digits, optionally 0x-prefixed"],
    ["not hex", `0x${"g".repeat(64)}`, "is not a private key: expected 64 hex digits, optionally 0x-prefixed"],
    ["a quoted value", `"${key}"`, "is not a private key: expected 64 hex digits, optionally 0x-prefixed"],
    ["zero", `0x${"0".repeat(64)}`, "is not a usable private key: outside the secp256k1 range [1, n − 1]"],
    ["the group order", N.toString(16), "is not a usable private key: outside the secp256k1 range [1, n − 1]"],
  ])("%s is refused, naming the variable and never the value", (_what, value, problem) => {
    const message = caught(() => privateKeyFromEnv("EXECUTOR_KEY", { EXECUTOR_KEY: value }));
    expect(message).toBe(`environment variable EXECUTOR_KEY ${problem}`);
    expect(message).not.toContain(value.replace(/^"?0x/, "").slice(0, 16));
  });
});
