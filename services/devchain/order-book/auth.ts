import type { IncomingHttpHeaders } from "node:http";
import type { Address, Hex } from "viem";
import { l2SignatureMatches, type ApiCredentials } from "../../venue/l2-auth";

/** An API account of the stand-in venue: the key's owner address and its credentials. */
export interface OrderBookAccount {
  address: Address;
  credentials: ApiCredentials;
  /**
   * The uncompressed secp256k1 key (0x04…) of `address`, when it is an EOA that signs orders (types 0–2): its orders
   * are then verified against it from the first one on, where otherwise the first order of each signer is recovered.
   * startOrderBook refuses a key that is not `address`'s.
   */
  publicKey?: Hex;
}

export type AuthResult = { ok: true; account: OrderBookAccount } | { ok: false; reason: string };

/**
 * Checks the five L2 headers the way the venue does: a known key, its passphrase and owner address, a fresh timestamp
 * and the HMAC over timestamp + method + path + body. Reasons name the failed check, never a secret.
 */
export class L2Verifier {
  private readonly byKey: Map<string, OrderBookAccount>;

  constructor(
    accounts: readonly OrderBookAccount[],
    /** Accepted clock difference between POLY_TIMESTAMP and the venue. */
    private readonly windowSec: number,
    private readonly now: () => number = Date.now,
  ) {
    this.byKey = new Map(accounts.map((account) => [account.credentials.key, account]));
    if (this.byKey.size !== accounts.length) throw new Error("order book accounts: two accounts share an API key");
  }

  verify(method: string, requestPath: string, body: string, headers: IncomingHttpHeaders): AuthResult {
    const header = (name: string) => {
      const value = headers[name.toLowerCase()];
      return typeof value === "string" ? value : undefined;
    };
    const key = header("POLY_API_KEY");
    const signature = header("POLY_SIGNATURE");
    const timestamp = header("POLY_TIMESTAMP");
    const address = header("POLY_ADDRESS");
    const passphrase = header("POLY_PASSPHRASE");
    if (!key || !signature || !timestamp || !address || !passphrase) return { ok: false, reason: "missing L2 headers" };
    const account = this.byKey.get(key);
    if (!account) return { ok: false, reason: `unknown API key ${key}` };
    if (passphrase !== account.credentials.passphrase) return { ok: false, reason: `wrong passphrase for API key ${key}` };
    // Case-insensitive: POLY_ADDRESS may come checksummed or not.
    if (address.toLowerCase() !== account.address.toLowerCase()) {
      return { ok: false, reason: `POLY_ADDRESS ${address} is not the owner of API key ${key}` };
    }
    const timestampSec = Number(timestamp);
    if (!Number.isInteger(timestampSec) || Math.abs(this.now() / 1000 - timestampSec) > this.windowSec) {
      return { ok: false, reason: `POLY_TIMESTAMP ${timestamp} is not within ${this.windowSec} s of the venue clock` };
    }
    if (!l2SignatureMatches(account.credentials.secret, { method, requestPath, body, timestampSec }, signature)) {
      return { ok: false, reason: `POLY_SIGNATURE does not match for API key ${key}` };
    }
    return { ok: true, account };
  }
}
