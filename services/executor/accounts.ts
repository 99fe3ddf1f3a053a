import { getAddress, type Address } from "viem";
import { z } from "zod";
import { SIGNATURE_TYPES, type SignatureType } from "../polymarket/order";
import { readJsonConfig } from "../shared/config-file";
import { checkedAccount, type TradingAccount } from "./order/account";
import type { DigestSigner } from "./signer/signer";
import { apiCredentials, type ApiCredentials } from "../venue/l2-auth";
import type { L2Account } from "../venue/order-book-client";

const address = z
  .string({ error: "must be a 20-byte hex address" })
  .regex(/^0x[0-9a-fA-F]{40}$/, "must be a 20-byte hex address")
  .transform((value): Address => getAddress(value));

/** Where a subscriber's signing key lives. Keys themselves never appear in config files. */
export const signerRefSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("local"), keyEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "an environment variable name") }).strict(),
  z.object({ kind: z.literal("kms"), keyId: z.string().min(1), region: z.string().min(1) }).strict(),
]);
export type SignerRef = z.output<typeof signerRefSchema>;

const signatureType = z
  .number()
  .int()
  .refine((value) => Object.values(SIGNATURE_TYPES).includes(value as SignatureType), "must be 0 (EOA), 1 (proxy), 2 (Safe) or 3 (ERC-1271)")
  .transform((value) => value as SignatureType);

export const accountsFileSchema = z
  .object({
    accounts: z
      .array(
        z
          .object({
            subscriberId: z.string().min(1),
            signatureType,
            /** The funder: proxy, Safe or deposit wallet (types 1–3); for type 0 the key's own address. */
            wallet: address,
            signer: signerRefSchema,
            /** The order book API key of the signer (L2 credentials), by environment variable name. */
            api: z
              .object({
                keyEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "an environment variable name"),
                secretEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "an environment variable name"),
                passphraseEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "an environment variable name"),
              })
              .strict(),
          })
          .strict(),
      )
      .refine((list) => new Set(list.map((a) => a.subscriberId)).size === list.length, "subscriberId must be unique"),
  })
  .strict();

export type AccountConfig = z.output<typeof accountsFileSchema>["accounts"][number];

/** A subscriber's trading account (maker/signer fields of its orders), the key that signs them, and its API account. */
export interface SubscriberAccount extends TradingAccount {
  subscriberId: string;
  key: DigestSigner;
  api: L2Account;
}

export type SignerFactory = (ref: SignerRef) => Promise<DigestSigner>;

export function loadAccountsFile(file: string): AccountConfig[] {
  return readJsonConfig(accountsFileSchema, file, "accounts file").accounts;
}

/**
 * Resolves every account's signer once at start (a KMS key's public key is fetched once, a local key read once) and
 * checks the maker/signer relation each signature type requires, so a misconfigured account fails the start, not an
 * order at 3 a.m. Accounts sharing a key share one signer.
 */
export async function resolveAccounts(
  accounts: readonly AccountConfig[],
  signerFor: SignerFactory,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Map<string, SubscriberAccount>> {
  const signers = new Map<string, Promise<DigestSigner>>();
  const resolved = new Map<string, SubscriberAccount>();
  for (const account of accounts) {
    const refKey = JSON.stringify(account.signer);
    let signer = signers.get(refKey);
    if (!signer) signers.set(refKey, (signer = signerFor(account.signer)));
    const key = await signer;
    resolved.set(account.subscriberId, subscriberAccount(account, key, apiCredentialsFromEnv(account, env)));
  }
  return resolved;
}

/** The order's `signer` is the key's address, except for ERC-1271 where the deposit wallet itself is the signer. */
export function subscriberAccount(account: AccountConfig, key: DigestSigner, credentials: ApiCredentials): SubscriberAccount {
  const signer = account.signatureType === SIGNATURE_TYPES.POLY_1271 ? account.wallet : key.address;
  const checked = checkedAccount(account.subscriberId, { maker: account.wallet, signer, signatureType: account.signatureType });
  // The venue ties an API key to the address that signs the orders it posts.
  return { ...checked, subscriberId: account.subscriberId, key, api: { address: checked.signer, credentials } };
}

/** Errors name the account and the variable, never a value. */
function apiCredentialsFromEnv(account: AccountConfig, env: NodeJS.ProcessEnv): ApiCredentials {
  const read = (name: string) => {
    const value = env[name];
    if (!value) throw new Error(`accounts.${account.subscriberId}.api: environment variable ${name} is empty or unset`);
    return value;
  };
  try {
    return apiCredentials({ key: read(account.api.keyEnv), secret: read(account.api.secretEnv), passphrase: read(account.api.passphraseEnv) });
  } catch (err) {
    throw new Error(`accounts.${account.subscriberId}.api: ${(err as Error).message}`);
  }
}
