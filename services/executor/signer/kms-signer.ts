import { GetPublicKeyCommand, KMSClient, SignCommand, type KMSClientConfig } from "@aws-sdk/client-kms";
import { bytesToHex, hexToBytes, isHex, numberToHex, recoverAddress, serializeSignature, type Address, type Hex } from "viem";
import { publicKeyToAddress } from "viem/accounts";
import { parseEcdsaSignature, secp256k1PointFromSpki } from "./der";
import type { DigestSigner } from "./signer";

/** The only KMS key spec that is secp256k1, Ethereum's curve. */
export const KMS_KEY_SPEC = "ECC_SECG_P256K1";
/** An in-region KMS Sign takes tens of milliseconds; past this a copy order is stale anyway, so the caller moves on. */
export const DEFAULT_KMS_TIMEOUT_MS = 2_000;

const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HALF_N = SECP256K1_N / 2n;
/** AWS messages can quote a whole canonical request; keep log lines short. */
const MAX_SERVICE_MESSAGE = 300;

export type KmsFailure =
  | "timeout"
  | "throttled"
  | "access-denied"
  | "key-unusable"
  | "rejected"
  | "unavailable"
  | "bad-public-key"
  | "bad-signature";

/** A failed KMS operation. `retryable` tells the executor whether trying again (within its deadline) can help. */
export class KmsSignerError extends Error {
  override readonly name = "KmsSignerError";

  constructor(
    message: string,
    readonly failure: KmsFailure,
    readonly retryable: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface KmsSignerOptions {
  /** Injected so tests and other partitions can point the SDK at their own endpoint. */
  client: KMSClient;
  keyId: string;
  /** Bound on each KMS call. */
  timeoutMs?: number;
}

export interface KmsSigner extends DigestSigner {
  readonly keyId: string;
  toJSON(): { kind: "kms"; keyId: string; address: Address };
}

/**
 * SDK settings for the production client. No SDK retries: its throttling backoff starts at half a second, longer than
 * a copy order stays worth placing, so a failure comes straight back as a KmsSignerError with `retryable` set and the
 * executor, which knows its deadline, decides whether to try again.
 */
export function kmsClientConfig(region: string, timeoutMs: number = DEFAULT_KMS_TIMEOUT_MS): KMSClientConfig {
  return {
    region,
    maxAttempts: 1,
    // Without throwOnRequestTimeout the handler only logs a warning when requestTimeout passes.
    requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs, throwOnRequestTimeout: true },
  };
}

/** The production signer: KMS in `region`, credentials from the SDK's default chain (the instance role). */
export function createRegionalKmsSigner(options: { region: string; keyId: string; timeoutMs?: number }): Promise<KmsSigner> {
  return createKmsSigner({ ...options, client: new KMSClient(kmsClientConfig(options.region, options.timeoutMs)) });
}

/**
 * A DigestSigner whose key never leaves AWS KMS. The public key is fetched once, here, and must be ECC_SECG_P256K1;
 * its address is the signer's `address`. Each signDigest is one KMS Sign of the raw digest, normalised to low-s (KMS
 * returns either half, Ethereum accepts only the low one) and given the recovery id that recovers to `address`.
 */
export async function createKmsSigner({ client, keyId, timeoutMs = DEFAULT_KMS_TIMEOUT_MS }: KmsSignerOptions): Promise<KmsSigner> {
  const key = await call(keyId, timeoutMs, "GetPublicKey", (abortSignal) =>
    client.send(new GetPublicKeyCommand({ KeyId: keyId }), { abortSignal }),
  );
  if (key.KeySpec !== KMS_KEY_SPEC) {
    const spec = key.KeySpec ?? "(none)";
    throw new KmsSignerError(`KMS key ${keyId} has key spec ${spec}; orders need ${KMS_KEY_SPEC} (secp256k1)`, "key-unusable", false);
  }
  let point: Uint8Array;
  try {
    point = secp256k1PointFromSpki(key.PublicKey ?? new Uint8Array());
  } catch (err) {
    throw new KmsSignerError(`KMS key ${keyId}: bad public key: ${(err as Error).message}`, "bad-public-key", false, { cause: err });
  }
  const address = publicKeyToAddress(bytesToHex(point));

  async function signDigest(digest: Hex): Promise<Hex> {
    if (!isHex(digest, { strict: true }) || digest.length !== 66) {
      throw new Error(`KMS key ${keyId}: digest must be 32-byte hex, got ${String(digest).length} characters`);
    }
    const command = new SignCommand({ KeyId: keyId, Message: hexToBytes(digest), MessageType: "DIGEST", SigningAlgorithm: "ECDSA_SHA_256" });
    const output = await call(keyId, timeoutMs, "Sign", (abortSignal) => client.send(command, { abortSignal }));
    const { r, s } = signatureScalars(keyId, output.Signature);
    const low = s > HALF_N ? SECP256K1_N - s : s;
    for (const v of [27n, 28n]) {
      const signature = serializeSignature({ r: numberToHex(r, { size: 32 }), s: numberToHex(low, { size: 32 }), v });
      if ((await recovered(digest, signature)) === address) return signature;
    }
    throw new KmsSignerError(`KMS key ${keyId}: signature over ${digest} recovers to neither parity of ${address}`, "bad-signature", false);
  }

  return Object.freeze({ address, keyId, signDigest, toJSON: () => ({ kind: "kms" as const, keyId, address }) });
}

function signatureScalars(keyId: string, der: Uint8Array | undefined): { r: bigint; s: bigint } {
  try {
    if (!der) throw new Error("response has no Signature");
    const { r, s } = parseEcdsaSignature(der);
    if (r >= SECP256K1_N || s >= SECP256K1_N) throw new Error("r or s is not below the curve order");
    return { r, s };
  } catch (err) {
    const message = `KMS key ${keyId}: malformed DER signature from Sign: ${(err as Error).message}`;
    throw new KmsSignerError(message, "bad-signature", false, { cause: err });
  }
}

/** The address `signature` recovers to, or undefined when it recovers to no point at all. */
async function recovered(digest: Hex, signature: Hex): Promise<Address | undefined> {
  try {
    return await recoverAddress({ hash: digest, signature });
  } catch {
    return undefined;
  }
}

/** Runs one SDK call under a deadline, turning any failure into a KmsSignerError that names the key and the cause. */
async function call<T>(keyId: string, timeoutMs: number, operation: string, send: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
  const abortSignal = AbortSignal.timeout(timeoutMs);
  try {
    return await send(abortSignal);
  } catch (err) {
    const error = err as SdkError;
    const timedOut = abortSignal.aborted || error.name === "TimeoutError";
    const [failure, retryable, meaning] = timedOut ? (["timeout", true, `no answer within ${timeoutMs} ms`] as const) : classify(error);
    const detail = `${error.name}: ${String(error.message).slice(0, MAX_SERVICE_MESSAGE)}`;
    throw new KmsSignerError(`KMS ${operation} for key ${keyId} failed: ${meaning} (${detail})`, failure, retryable, { cause: err });
  }
}

/** What the SDK attaches to service errors; network errors have neither field. */
type SdkError = Error & { $retryable?: { throttling?: boolean }; $fault?: "client" | "server" };

function classify(error: SdkError): readonly [KmsFailure, boolean, string] {
  if (error.name === "ThrottlingException" || error.$retryable?.throttling) {
    return ["throttled", true, "throttled by KMS (request rate over quota)"];
  }
  if (ACCESS_ERRORS.has(error.name)) return ["access-denied", false, "access denied (IAM policy, key policy or credentials)"];
  if (KEY_ERRORS.has(error.name)) return ["key-unusable", false, "the key cannot sign (missing, disabled, pending deletion or wrong usage)"];
  if (error.$fault === "client") return ["rejected", false, "request rejected by KMS"];
  return ["unavailable", true, "KMS unavailable or unreachable"];
}

const ACCESS_ERRORS = new Set([
  "AccessDeniedException",
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "IncompleteSignature",
  "ExpiredTokenException",
  "CredentialsProviderError",
]);
const KEY_ERRORS = new Set([
  "NotFoundException",
  "DisabledException",
  "KMSInvalidStateException",
  "KeyUnavailableException",
  "InvalidKeyUsageException",
]);
