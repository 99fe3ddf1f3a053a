import { createPublicKey, generateKeyPairSync, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { secp256k1 } from "@noble/curves/secp256k1";
import { hexToBytes, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

/**
 * A local AWS KMS speaking the JSON 1.1 wire protocol the SDK uses (POST /, X-Amz-Target: TrentService.<Op>,
 * application/x-amz-json-1.1, blobs as base64), backed by a real secp256k1 key. Only GetPublicKey and Sign (DIGEST,
 * ECDSA_SHA_256) are implemented. The public key is DER SPKI from Node's own encoder and signatures are DER from
 * @noble/curves, so the signer's parsers are checked against independent encoders rather than against this file.
 */
export type KmsFault =
  | "none"
  /** 400 ThrottlingException on every request. */
  | "throttle"
  /** 400 AccessDeniedException on every request. */
  | "access-denied"
  /** GetPublicKey answers with an ECC_NIST_P256 key. */
  | "wrong-key-spec"
  /** Sign answers with a truncated DER signature. */
  | "malformed-signature"
  /** Sign answers 400 ValidationException, as KMS does for a request it cannot accept. */
  | "validation"
  /** 500 KMSInternalException on every request. */
  | "internal-error"
  /** Requests are read and never answered. */
  | "hang";

/** Which half of s the fake returns: ECDSA signatures are valid with s and n − s, and KMS returns either. */
export type SForm = "low" | "high" | "random";

export interface KmsFake {
  url: string;
  keyId: string;
  /** The address of the fake's key; the test knows the private key so it can check it never leaks. */
  address: Address;
  privateKey: Hex;
  /** X-Amz-Target of every request received, in order. */
  readonly targets: string[];
  /** How many signatures were returned with a high s. */
  readonly highS: number;
  setFault(fault: KmsFault): void;
  setSForm(form: SForm): void;
  close(): Promise<void>;
}

const JSON_11 = "application/x-amz-json-1.1";
const N = secp256k1.CURVE.n;

export async function startKmsFake(): Promise<KmsFake> {
  const privateKey = generatePrivateKey();
  const keyId = `arn:aws:kms:eu-central-1:000000000000:key/${randomUUID()}`;
  const spki = secp256k1Spki(privateKey);
  const targets: string[] = [];
  let fault: KmsFault = "none";
  let sForm: SForm = "random";
  let highS = 0;

  function sign(digest: Uint8Array): Uint8Array {
    const signature = secp256k1.sign(digest, hexToBytes(privateKey), { lowS: false, extraEntropy: true });
    const wantHigh = sForm === "high" || (sForm === "random" && signature.hasHighS());
    const s = wantHigh === signature.hasHighS() ? signature.s : N - signature.s;
    if (wantHigh) highS++;
    return new secp256k1.Signature(signature.r, s).toDERRawBytes();
  }

  function handle(target: string, body: Record<string, unknown>, res: ServerResponse): void {
    if (fault === "hang") return;
    if (fault === "throttle") return error(res, 400, "ThrottlingException", "Rate exceeded");
    if (fault === "internal-error") return error(res, 500, "KMSInternalException", "An internal error occurred");
    if (fault === "access-denied") {
      const principal = "arn:aws:sts::000000000000:assumed-role/executor/i-0";
      return error(res, 400, "AccessDeniedException", `User: ${principal} is not authorized to perform: ${operationAction(target)} on resource: ${keyId}`);
    }
    if (body.KeyId !== keyId) return error(res, 400, "NotFoundException", `Key '${String(body.KeyId)}' does not exist`);
    if (target === "TrentService.GetPublicKey") {
      const spec = fault === "wrong-key-spec" ? "ECC_NIST_P256" : "ECC_SECG_P256K1";
      const publicKey = fault === "wrong-key-spec" ? p256Spki() : spki;
      return ok(res, {
        KeyId: keyId,
        KeySpec: spec,
        CustomerMasterKeySpec: spec,
        KeyUsage: "SIGN_VERIFY",
        PublicKey: Buffer.from(publicKey).toString("base64"),
        SigningAlgorithms: ["ECDSA_SHA_256"],
      });
    }
    if (target === "TrentService.Sign") {
      if (fault === "validation" || body.MessageType !== "DIGEST" || body.SigningAlgorithm !== "ECDSA_SHA_256") {
        return error(res, 400, "ValidationException", "this fake signs only DIGEST messages with ECDSA_SHA_256");
      }
      const digest = Buffer.from(String(body.Message), "base64");
      if (digest.length !== 32) return error(res, 400, "ValidationException", "Digest is invalid length for algorithm ECDSA_SHA_256.");
      const der = sign(digest);
      const signature = fault === "malformed-signature" ? der.subarray(0, der.length - 3) : der;
      return ok(res, { KeyId: keyId, Signature: Buffer.from(signature).toString("base64"), SigningAlgorithm: "ECDSA_SHA_256" });
    }
    error(res, 400, "UnknownOperationException", `unsupported target ${target}`);
  }

  const server = createServer((req, res) => {
    readBody(req).then((raw) => {
      const target = String(req.headers["x-amz-target"] ?? "");
      targets.push(target);
      if (req.method !== "POST" || req.url !== "/") return error(res, 404, "UnknownOperationException", "POST / only");
      if (req.headers["content-type"] !== JSON_11) return error(res, 400, "SerializationException", `content-type must be ${JSON_11}`);
      if (!String(req.headers.authorization ?? "").startsWith("AWS4-HMAC-SHA256 Credential=")) {
        return error(res, 400, "MissingAuthenticationTokenException", "Missing Authentication Token");
      }
      handle(target, JSON.parse(raw.toString("utf8") || "{}") as Record<string, unknown>, res);
    }).catch((err: Error) => error(res, 400, "SerializationException", err.message));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    keyId,
    address: privateKeyToAccount(privateKey).address,
    privateKey,
    targets,
    get highS() {
      return highS;
    },
    setFault: (next) => {
      fault = next;
    },
    setSForm: (next) => {
      sForm = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function ok(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { "content-type": JSON_11, "x-amzn-requestid": randomUUID() });
  res.end(JSON.stringify(body));
}

function error(res: ServerResponse, status: number, type: string, message: string): void {
  res.writeHead(status, { "content-type": JSON_11, "x-amzn-requestid": randomUUID(), "x-amzn-errortype": type });
  res.end(JSON.stringify({ __type: type, message }));
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function operationAction(target: string): string {
  return `kms:${target.replace("TrentService.", "")}`;
}

function secp256k1Spki(privateKey: Hex): Uint8Array {
  const point = secp256k1.getPublicKey(hexToBytes(privateKey), false);
  const coordinate = (from: number) => Buffer.from(point.subarray(from, from + 32)).toString("base64url");
  const jwk = { kty: "EC", crv: "secp256k1", x: coordinate(1), y: coordinate(33) };
  return createPublicKey({ key: jwk, format: "jwk" }).export({ type: "spki", format: "der" });
}

function p256Spki(): Uint8Array {
  return generateKeyPairSync("ec", { namedCurve: "prime256v1" }).publicKey.export({ type: "spki", format: "der" });
}
