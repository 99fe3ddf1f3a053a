import type { Hex } from "viem";

/** The part of a block header the listener needs: its place in the chain and its logs bloom. */
export interface BlockHeader {
  number: bigint;
  hash: Hex;
  parentHash: Hex;
  logsBloom: Hex;
  /** Seconds, from the header. */
  timestamp: bigint;
}

const HASH = /^0x[0-9a-fA-F]{64}$/;
const QUANTITY = /^0x[0-9a-fA-F]{1,64}$/;
const BLOOM = /^0x[0-9a-fA-F]{512}$/;

/** Reads an untrusted RPC block object (newHeads or eth_getBlockByNumber); throws naming the bad field. */
export function readBlockHeader(value: unknown): BlockHeader {
  if (typeof value !== "object" || value === null) throw new Error("block header is not an object");
  const v = value as Record<string, unknown>;
  const field = (name: string, pattern: RegExp): string => {
    const x = v[name];
    if (typeof x !== "string" || !pattern.test(x)) {
      throw new Error(`block header field ${name} is not valid: ${JSON.stringify(x)?.slice(0, 80)}`);
    }
    return x;
  };
  return {
    number: BigInt(field("number", QUANTITY)),
    hash: field("hash", HASH) as Hex,
    parentHash: field("parentHash", HASH) as Hex,
    logsBloom: field("logsBloom", BLOOM) as Hex,
    timestamp: BigInt(field("timestamp", QUANTITY)),
  };
}
