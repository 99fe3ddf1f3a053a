import type { SignerRef } from "../accounts";
import { createRegionalKmsSigner } from "./kms-signer";
import { localSigner, privateKeyFromEnv } from "./local-signer";
import type { DigestSigner } from "./signer";

/** The signer an accounts-file entry names: a key from the environment (dev stack), or an AWS KMS key (production). */
export function signerFromRef(ref: SignerRef, env: NodeJS.ProcessEnv = process.env): Promise<DigestSigner> {
  if (ref.kind === "local") return Promise.resolve(localSigner(privateKeyFromEnv(ref.keyEnv, env)));
  return createRegionalKmsSigner({ region: ref.region, keyId: ref.keyId });
}
