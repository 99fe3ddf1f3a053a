import { inspect } from "node:util";
import { KMSClient } from "@aws-sdk/client-kms";
import { secp256k1 } from "@noble/curves/secp256k1";
import { hexToBigInt, keccak256, recoverAddress, toHex, type Hex } from "viem";
import {
  createKmsSigner,
  kmsClientConfig,
  KmsSignerError,
  type KmsFailure,
  type KmsSigner,
} from "../../../services/executor/signer/kms-signer";
import { buildOrder } from "../../../services/executor/order/build-order";
import { signOrder } from "../../../services/executor/order/sign-order";
import { recoverOrderSigner } from "../../../services/polymarket/order";
import { expectNoKey } from "../../support/key-leaks";
import { startKmsFake, type KmsFake } from "../../support/kms-fake";
import { EXCHANGES, makeIntent } from "../order/intent-fixture";

const N = secp256k1.CURVE.n;
const digest = (i: number): Hex => keccak256(toHex(`kms digest ${i}`));

let fake: KmsFake;
const clients: KMSClient[] = [];

/** The production client settings, pointed at the fake with dummy static credentials. */
function client(timeoutMs: number): KMSClient {
  const kms = new KMSClient({
    ...kmsClientConfig("eu-central-1", timeoutMs),
    endpoint: fake.url,
    credentials: { accessKeyId: "AKIAFAKEFAKEFAKEFAKE", secretAccessKey: "fake-secret-access-key" },
  });
  clients.push(kms);
  return kms;
}

function signer(timeoutMs = 1_000): Promise<KmsSigner> {
  return createKmsSigner({ client: client(timeoutMs), keyId: fake.keyId, timeoutMs });
}

/**
 * Runs `work`, expecting a KmsSignerError of `failure` that names the key id and carries no rendering of the private
 * key anywhere (message, stack, or the SDK error chained as its cause); returns it with how long it took.
 */
async function failure(work: () => Promise<unknown>, expected: KmsFailure): Promise<{ error: KmsSignerError; ms: number }> {
  const started = performance.now();
  const error = await work().then(
    () => {
      throw new Error("expected a KmsSignerError");
    },
    (err: unknown) => err,
  );
  const ms = performance.now() - started;
  expect(error).toBeInstanceOf(KmsSignerError);
  const kmsError = error as KmsSignerError;
  expect(kmsError.failure).toBe(expected);
  expect(kmsError.message).toContain(fake.keyId);
  expectNoKey(`${kmsError.message}\n${String(kmsError.stack)}\n${inspect(kmsError, { depth: 8 })}`, fake.privateKey);
  return { error: kmsError, ms };
}

beforeEach(async () => {
  fake = await startKmsFake();
});

afterEach(async () => {
  for (const kms of clients.splice(0)) kms.destroy();
  await fake.close();
});

describe("signing through the KMS wire protocol", () => {
  test("the address is the fake key's, from its DER public key fetched once", async () => {
    const kms = await signer();
    expect(kms.address).toBe(fake.address);
    await kms.signDigest(digest(0));
    await kms.signDigest(digest(1));
    expect(fake.targets).toEqual(["TrentService.GetPublicKey", "TrentService.Sign", "TrentService.Sign"]);
  });

  test("signatures recover to the key for many digests, normalised to low-s whichever half KMS returned", async () => {
    const kms = await signer();
    const check = async (i: number) => {
      const signature = await kms.signDigest(digest(i));
      expect(signature).toMatch(/^0x[0-9a-f]{128}(1b|1c)$/);
      expect(hexToBigInt(`0x${signature.slice(66, 130)}`)).toBeLessThanOrEqual(N / 2n);
      expect(await recoverAddress({ hash: digest(i), signature })).toBe(fake.address);
      return signature.slice(-2);
    };
    const parities = new Set<string>();
    fake.setSForm("random");
    for (let i = 0; i < 40; i++) parities.add(await check(i));
    const highBefore = fake.highS;
    fake.setSForm("high");
    for (let i = 40; i < 60; i++) parities.add(await check(i));
    expect(fake.highS - highBefore).toBe(20);
    fake.setSForm("low");
    for (let i = 60; i < 70; i++) parities.add(await check(i));
    // Both recovery ids came up, so both branches of the v search ran.
    expect(parities).toEqual(new Set(["1b", "1c"]));
  });

  test("an order signed through KMS recovers to the key on every domain", async () => {
    const kms = await signer();
    fake.setSForm("high");
    for (const exchange of [EXCHANGES.ctfV2, EXCHANGES.negRiskV2, EXCHANGES.v3]) {
      const { domain, order } = buildOrder(makeIntent({ exchange }), { maker: kms.address, signer: kms.address, signatureType: 0 }, { tickSize: "0.01" });
      expect(await recoverOrderSigner(await signOrder(kms, domain, order))).toBe(fake.address);
    }
  });

  test("the signer's JSON names the key id and address only", async () => {
    const kms = await signer();
    expect(JSON.parse(JSON.stringify(kms))).toEqual({ kind: "kms", keyId: fake.keyId, address: fake.address });
  });
});

describe("faults give clear errors, fast, without the key", () => {
  test("throttling: a retryable error straight away (no SDK backoff), naming the key and the cause", async () => {
    const kms = await signer();
    fake.setFault("throttle");
    const { error, ms } = await failure(() => kms.signDigest(digest(1)), "throttled");
    expect(error.retryable).toBe(true);
    expect(error.message).toBe(
      `KMS Sign for key ${fake.keyId} failed: throttled by KMS (request rate over quota) (ThrottlingException: Rate exceeded)`,
    );
    expect(fake.targets.filter((target) => target === "TrentService.Sign")).toHaveLength(1);
    expect(ms).toBeLessThan(500);
  });

  test("access denied on Sign: not retryable, the AWS reason kept", async () => {
    const kms = await signer();
    fake.setFault("access-denied");
    const { error } = await failure(() => kms.signDigest(digest(1)), "access-denied");
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/^KMS Sign for key .* failed: access denied \(IAM policy, key policy or credentials\) \(AccessDeniedException: .*not authorized to perform: kms:Sign/);
    expect(fake.targets.filter((target) => target === "TrentService.Sign")).toHaveLength(1);
  });

  test("access denied on GetPublicKey fails the signer's creation", async () => {
    fake.setFault("access-denied");
    const { error } = await failure(() => signer(), "access-denied");
    expect(error.message).toMatch(/^KMS GetPublicKey for key .* failed: access denied/);
  });

  test("a key that is not secp256k1 is refused at creation", async () => {
    fake.setFault("wrong-key-spec");
    const { error } = await failure(() => signer(), "key-unusable");
    expect(error.message).toBe(`KMS key ${fake.keyId} has key spec ECC_NIST_P256; orders need ECC_SECG_P256K1 (secp256k1)`);
  });

  test("an unknown key id", async () => {
    const { error } = await failure(() => createKmsSigner({ client: client(1_000), keyId: `${fake.keyId}-gone`, timeoutMs: 1_000 }), "key-unusable");
    expect(error.message).toMatch(/NotFoundException: Key '.*-gone' does not exist/);
  });

  test("a malformed DER signature", async () => {
    const kms = await signer();
    fake.setFault("malformed-signature");
    const { error } = await failure(() => kms.signDigest(digest(1)), "bad-signature");
    expect(error.message).toBe(`KMS key ${fake.keyId}: malformed DER signature from Sign: ECDSA signature: truncated`);
  });

  test("a hang: a timeout error at the deadline, not a stuck executor", async () => {
    const kms = await signer(600);
    fake.setFault("hang");
    const { error, ms } = await failure(() => kms.signDigest(digest(1)), "timeout");
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(new RegExp(`^KMS Sign for key ${fake.keyId} failed: no answer within 600 ms`));
    expect(ms).toBeGreaterThanOrEqual(550);
    expect(ms).toBeLessThan(1_500);
  });

  test("KMS internal errors are retryable; requests KMS rejects are not", async () => {
    const kms = await signer();
    fake.setFault("internal-error");
    const unavailable = await failure(() => kms.signDigest(digest(1)), "unavailable");
    expect(unavailable.error.retryable).toBe(true);
    expect(unavailable.error.message).toMatch(/failed: KMS unavailable or unreachable \(KMSInternalException: An internal error occurred\)$/);
    fake.setFault("validation");
    const rejected = await failure(() => kms.signDigest(digest(1)), "rejected");
    expect(rejected.error.retryable).toBe(false);
    expect(rejected.error.message).toMatch(/failed: request rejected by KMS \(ValidationException: /);
  });

  test("a digest that is not 32 bytes is a caller bug and never reaches KMS", async () => {
    const kms = await signer();
    await expect(kms.signDigest("0xabcd")).rejects.toThrow(`KMS key ${fake.keyId}: digest must be 32-byte hex, got 6 characters`);
    expect(fake.targets).toEqual(["TrentService.GetPublicKey"]);
  });

});
