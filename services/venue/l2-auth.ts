import { createHmac, timingSafeEqual } from "node:crypto";
import type { Address } from "viem";

/**
 * Polymarket CLOB "L2" authentication: an API key, a base64 secret and a passphrase (created once with an L1 EIP-712
 * signature). Each request carries an HMAC-SHA256 of `timestamp + method + requestPath + body`, keyed with the
 * base64-decoded secret and sent url-safe base64 with its `=` padding (Polymarket clob-client-v2 `signing/hmac.ts`,
 * py-clob-client-v2 `signing/hmac.py`).
 */
export interface ApiCredentials {
  /** The API key: sent as POLY_API_KEY and as the `owner` of every posted order. */
  readonly key: string;
  readonly secret: string;
  readonly passphrase: string;
}

/** Header names exactly as the official clients send them (HTTP itself is case-insensitive). */
export interface L2Headers {
  POLY_ADDRESS: string;
  POLY_SIGNATURE: string;
  POLY_TIMESTAMP: string;
  POLY_API_KEY: string;
  POLY_PASSPHRASE: string;
}

export interface L2Request {
  method: string;
  /** Path without host, e.g. "/order"; the query string, when there is one, is part of it. */
  requestPath: string;
  /** The exact bytes sent: a re-serialised body signs differently. Omitted for bodiless requests. */
  body?: string;
  /** Unix seconds. */
  timestampSec: number;
}

/**
 * Credentials whose secret and passphrase are non-enumerable, so JSON.stringify, pino and util.inspect of a config
 * object holding them print the key only. Fails on a secret that is not base64, without echoing it.
 */
export function apiCredentials(input: { key: string; secret: string; passphrase: string }): ApiCredentials {
  if (input.key.length === 0) throw new Error("API credentials: the key is empty");
  if (input.passphrase.length === 0) throw new Error(`API credentials for key ${input.key}: the passphrase is empty`);
  decodeSecret(input.secret, input.key);
  const credentials = { key: input.key } as { key: string; secret: string; passphrase: string };
  Object.defineProperty(credentials, "secret", { value: input.secret, enumerable: false });
  Object.defineProperty(credentials, "passphrase", { value: input.passphrase, enumerable: false });
  return Object.freeze(credentials);
}

/** POLY_SIGNATURE: url-safe base64 HMAC-SHA256, `=` padding kept (the venue compares the string as sent). */
export function l2Signature(secret: string, request: L2Request): string {
  const message = `${request.timestampSec}${request.method}${request.requestPath}${request.body ?? ""}`;
  return createHmac("sha256", decodeSecret(secret))
    .update(message, "utf8")
    .digest("base64")
    .replace(/\+/g, "-")
    .replace(/\//g, "_");
}

/** The five L2 headers for one request. `address` is the address the API key belongs to (POLY_ADDRESS). */
export function l2Headers(address: Address, credentials: ApiCredentials, request: L2Request): L2Headers {
  return {
    POLY_ADDRESS: address,
    POLY_SIGNATURE: l2Signature(credentials.secret, request),
    POLY_TIMESTAMP: String(request.timestampSec),
    POLY_API_KEY: credentials.key,
    POLY_PASSPHRASE: credentials.passphrase,
  };
}

/** Constant-time check of a received POLY_SIGNATURE (the venue side: the stand-in order book). */
export function l2SignatureMatches(secret: string, request: L2Request, received: string): boolean {
  const expected = Buffer.from(l2Signature(secret, request));
  const actual = Buffer.from(received);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/**
 * Polymarket hands out url-safe base64 secrets; the TypeScript client decodes with atob, the Python one with
 * urlsafe_b64decode. Buffer accepts both alphabets, so either form of the same secret yields the same key.
 */
function decodeSecret(secret: string, key?: string): Buffer {
  const bytes = /^[A-Za-z0-9+/_-]+={0,2}$/.test(secret) ? Buffer.from(secret, "base64") : Buffer.alloc(0);
  if (bytes.length === 0) throw new Error(`API credentials${key ? ` for key ${key}` : ""}: the secret is not base64`);
  return bytes;
}
