import type { SignerRef } from "../accounts";
import type { EcdsaEngine } from "./ecdsa-engine";
import { createRegionalKmsSigner } from "./kms-signer";
import { localSigner, privateKeyFromEnv } from "./local-signer";
import type { DigestSigner } from "./signer";

/**
 * The signer an accounts-file entry names: a key from the environment signed with `localEngine` (dev stack), or an
 * AWS KMS key (production), which signs remotely and needs no engine.
 */
export function signerFromRef(ref: SignerRef, localEngine: () => EcdsaEngine, env: NodeJS.ProcessEnv = process.env): Promise<DigestSigner> {
  if (ref.kind === "local") return Promise.resolve(localSigner(privateKeyFromEnv(ref.keyEnv, env), localEngine()));
  return createRegionalKmsSigner({ region: ref.region, keyId: ref.keyId });
}
