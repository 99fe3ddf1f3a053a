import { createKeccak, type IHasher } from "hash-wasm";
import { keccak256 as nobleKeccak256, type Hex } from "viem";

/*
 * keccak-256 for the hot paths: intent ids (once per follower of every leader fill), order digests and salts. One
 * block costs ~1 µs in hash-wasm's WebAssembly against ~11 µs in viem's pure-JS keccak (noble), and the JS one's
 * unrolled rounds are also what a cold cache pays for on the first fill after a quiet spell. WebAssembly compiles
 * asynchronously, so each service awaits loadKeccak() before it takes traffic; until then (tests, scripts) viem's
 * keccak gives the identical digest, which test/shared/keccak.test.ts checks.
 */

let wasm: IHasher | undefined;

/** Compiles the WebAssembly keccak once; every later call of keccakBytes/keccakHex uses it. */
export async function loadKeccak(): Promise<void> {
  wasm ??= await createKeccak(256);
}

/** Which implementation keccakBytes/keccakHex run on now: the services log it at start. */
export function keccakEngine(): "wasm" | "js" {
  return wasm ? "wasm" : "js";
}

export function keccakBytes(data: Uint8Array): Uint8Array {
  if (!wasm) return nobleKeccak256(data, "bytes");
  wasm.init();
  wasm.update(data);
  return wasm.digest("binary");
}

export function keccakHex(data: Uint8Array): Hex {
  if (!wasm) return nobleKeccak256(data);
  wasm.init();
  wasm.update(data);
  return `0x${wasm.digest("hex")}`;
}
