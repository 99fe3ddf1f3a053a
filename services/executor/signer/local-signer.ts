import { inspect } from "node:util";
import { hexToBigInt, isHex, type Address, type Hex } from "viem";
import { privateKeyToAddress } from "viem/accounts";
import type { EcdsaEngine } from "./ecdsa-engine";
import type { DigestSigner } from "./signer";

/** The secp256k1 group order: a private key must lie in [1, n − 1]. */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const KEY_SHAPE = /^(?:0[xX])?([0-9a-fA-F]{64})$/;

export interface LocalSigner extends DigestSigner {
  readonly engine: EcdsaEngine["name"];
  toJSON(): { kind: "local"; address: Address; engine: EcdsaEngine["name"] };
}

/**
 * A signer holding the key in this process: the dev stack and tests. Signatures are RFC 6979 (deterministic), so one
 * order signs to the same bytes every time, whichever engine signs. The key lives only in a closure: the returned
 * object has no property, JSON form or inspect output that contains it, and no error here quotes it.
 */
export function localSigner(privateKey: Hex, engine: EcdsaEngine): LocalSigner {
  const problem = keyProblem(privateKey);
  if (problem) throw new Error(`bad private key: ${problem}`);
  const address = privateKeyToAddress(privateKey);
  const key = Buffer.from(privateKey.slice(2), "hex");
  return Object.freeze({
    address,
    engine: engine.name,
    async signDigest(digest: Hex): Promise<Hex> {
      if (!isHex(digest, { strict: true }) || digest.length !== 66) {
        throw new Error(`local signer ${address}: digest must be 32-byte hex, got ${String(digest).length} characters`);
      }
      return engine.sign(Buffer.from(digest.slice(2), "hex"), key);
    },
    toJSON: () => ({ kind: "local" as const, address, engine: engine.name }),
    [inspect.custom]: () => `LocalSigner(${address}, ${engine.name})`,
  });
}

/**
 * Reads a private key (64 hex digits, `0x` optional, surrounding whitespace ignored) from the environment variable
 * `name`. Errors name the variable and what is wrong with it, never its value.
 */
export function privateKeyFromEnv(name: string, env: NodeJS.ProcessEnv = process.env): Hex {
  const value = env[name]?.trim();
  if (!value) throw new Error(`environment variable ${name} is not set (expected a 32-byte hex private key)`);
  const match = KEY_SHAPE.exec(value);
  if (!match) throw new Error(`environment variable ${name} is not a private key: expected 64 hex digits, optionally 0x-prefixed`);
  const key = `0x${match[1].toLowerCase()}` as Hex;
  const problem = keyProblem(key);
  if (problem) throw new Error(`environment variable ${name} is not a usable private key: ${problem}`);
  return key;
}

function keyProblem(key: Hex): string | undefined {
  if (typeof key !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(key)) return "expected 0x followed by 64 hex digits";
  const scalar = hexToBigInt(key);
  if (scalar === 0n || scalar >= SECP256K1_N) return "outside the secp256k1 range [1, n − 1]";
  return undefined;
}
