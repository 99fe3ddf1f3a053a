import { getAddress, isAddress, type Address } from "viem";
import { SIGNATURE_TYPES, type SignatureType } from "../../polymarket/order";

/** Who an order trades for (`maker`, the funder) and whose signature the exchange checks (`signer`). */
export interface TradingAccount {
  maker: Address;
  signer: Address;
  signatureType: SignatureType;
}

/**
 * Checks the maker/signer relation the signature type implies, so a misconfigured subscriber fails here, naming them,
 * instead of as an opaque "invalid signature" from the venue: EOA and POLY_1271 sign as the maker itself (the key's
 * address, or the deposit wallet that validates by ERC-1271); POLY_PROXY and POLY_GNOSIS_SAFE sign with the owner EOA
 * of a separate wallet. Returns the account with checksummed addresses.
 */
export function checkedAccount(subscriberId: string, account: TradingAccount): TradingAccount {
  const problem = accountProblem(account);
  if (problem) throw new Error(`subscriber ${subscriberId}: bad trading account: ${problem}`);
  return { maker: getAddress(account.maker), signer: getAddress(account.signer), signatureType: account.signatureType };
}

function accountProblem({ maker, signer, signatureType }: TradingAccount): string | undefined {
  if (!isAddress(maker, { strict: false })) return `maker ${String(maker)} is not an address`;
  if (!isAddress(signer, { strict: false })) return `signer ${String(signer)} is not an address`;
  const same = getAddress(maker) === getAddress(signer);
  switch (signatureType) {
    case SIGNATURE_TYPES.EOA:
      return same ? undefined : "signature type 0 (EOA) needs maker == signer (the key's address)";
    case SIGNATURE_TYPES.POLY_1271:
      return same ? undefined : "signature type 3 (POLY_1271) needs maker == signer (the deposit wallet)";
    case SIGNATURE_TYPES.POLY_PROXY:
    case SIGNATURE_TYPES.POLY_GNOSIS_SAFE:
      return same ? `signature type ${signatureType} needs maker (the wallet) != signer (its owner EOA)` : undefined;
    default:
      return `unknown signature type ${String(signatureType)} (expected 0, 1, 2 or 3)`;
  }
}
