import { keccak256, toHex, type Address } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { installDepositWallet } from "../devchain/deposit-wallets";
import type { OrderBookAccount } from "../devchain/order-book/auth";
import { proxyWalletOf, safeWalletOf } from "../devchain/order-book/wallets";
import { walletAddress } from "../devchain/simulator";
import type { AccountConfig } from "../executor/accounts";
import { SIGNATURE_TYPES, type SignatureType } from "../polymarket/order";
import { apiCredentials } from "../venue/l2-auth";

/** Everything the dev stack needs for its subscribers' trading accounts: the executor's file and env, the venue's keys. */
export interface DevAccounts {
  accounts: AccountConfig[];
  /** Keys and API secrets, passed to the executor as environment variables exactly as production passes them. */
  env: Record<string, string>;
  bookAccounts: OrderBookAccount[];
}

const SIGNATURE_TYPE_CYCLE: readonly SignatureType[] = [
  SIGNATURE_TYPES.POLY_1271,
  SIGNATURE_TYPES.POLY_GNOSIS_SAFE,
  SIGNATURE_TYPES.POLY_PROXY,
  SIGNATURE_TYPES.EOA,
];

function envName(kind: string, subscriberId: string): string {
  return `POLYSYNC_DEV_${kind}_${subscriberId.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
}

/**
 * Deterministic dev accounts, one per subscriber, cycling through the four signature types (deposit wallet first: the
 * default for accounts created since May 2026) so the dev stack exercises every maker/signer relation. Deposit wallets
 * are placed on anvil; proxy and Safe addresses are the CREATE2 addresses Polymarket's factories would give.
 * `signatureType` pins one type for every subscriber (the fan-out bench).
 */
export async function createDevAccounts(rpcUrl: string, subscriberIds: readonly string[], signatureType?: SignatureType): Promise<DevAccounts> {
  const result: DevAccounts = { accounts: [], env: {}, bookAccounts: [] };
  for (const [i, subscriberId] of subscriberIds.entries()) {
    const privateKey = keccak256(toHex(`poly-syncer/dev/key/${subscriberId}`));
    const { address: owner, publicKey } = privateKeyToAccount(privateKey);
    const type = signatureType ?? SIGNATURE_TYPE_CYCLE[i % SIGNATURE_TYPE_CYCLE.length]!;
    const wallet = walletFor(type, owner, subscriberId);
    if (type === SIGNATURE_TYPES.POLY_1271) await installDepositWallet(rpcUrl, wallet, owner);
    const names = { key: envName("KEY", subscriberId), apiKey: envName("API_KEY", subscriberId), secret: envName("API_SECRET", subscriberId), passphrase: envName("API_PASSPHRASE", subscriberId) };
    const secret = `${Buffer.from(keccak256(toHex(`poly-syncer/dev/secret/${subscriberId}`)).slice(2), "hex").toString("base64url")}=`;
    const credentials = { key: `dev-${subscriberId}`, secret, passphrase: `dev-passphrase-${subscriberId}` };
    Object.assign(result.env, { [names.key]: privateKey, [names.apiKey]: credentials.key, [names.secret]: credentials.secret, [names.passphrase]: credentials.passphrase });
    result.accounts.push({
      subscriberId,
      signatureType: type,
      wallet,
      signer: { kind: "local", keyEnv: names.key },
      api: { keyEnv: names.apiKey, secretEnv: names.secret, passphraseEnv: names.passphrase },
    });
    // The venue ties the API key to the orders' signer: the deposit wallet itself for type 3, else the owner EOA, whose
    // public key the venue learns once (as the real one does at key creation) instead of recovering it per order.
    result.bookAccounts.push(
      type === SIGNATURE_TYPES.POLY_1271
        ? { address: wallet, credentials: apiCredentials(credentials) }
        : { address: owner, credentials: apiCredentials(credentials), publicKey },
    );
  }
  return result;
}

function walletFor(type: SignatureType, owner: Address, subscriberId: string): Address {
  switch (type) {
    case SIGNATURE_TYPES.EOA:
      return owner;
    case SIGNATURE_TYPES.POLY_PROXY:
      return proxyWalletOf(owner);
    case SIGNATURE_TYPES.POLY_GNOSIS_SAFE:
      return safeWalletOf(owner);
    default:
      return walletAddress(`deposit-wallet/${subscriberId}`);
  }
}
