import type { Address, Hex, PublicClient } from "viem";
import { SIGNATURE_TYPES, type Order } from "../../polymarket/order";
import { STAND_IN_DEPOSIT_WALLET_ABI } from "../contracts/artifacts";
import type { SignerKeys } from "./signer-keys";
import { POLYGON_WALLET_FACTORIES, proxyWalletOf, safeWalletOf, type WalletFactories } from "./wallets";

const ERC1271_MAGIC_VALUE = "0x1626ba7e";

/**
 * Whether an order's signature authorises its maker, per signature type: 0 the EOA signs for itself; 1 and 2 the EOA
 * signs for its proxy / Safe (CREATE2 address of the signer), checked against the signer's key (signer-keys.ts); 3 the
 * deposit wallet is maker and signer and approves the order hash through ERC-1271 on chain, asked for every order since
 * the wallet's owner can change. Answers undefined when valid, else the reason ("invalid signature: ...").
 */
export class SignatureCheck {
  /** Derived proxy / Safe per signer: two CREATE2 keccaks per order otherwise, for the same few subscribers. */
  private readonly wallets = new Map<string, { proxy: Address; safe: Address }>();

  constructor(
    private readonly keys: SignerKeys,
    private readonly chain: PublicClient,
    private readonly factories: WalletFactories = POLYGON_WALLET_FACTORIES,
  ) {}

  async problem(order: Order, orderHash: Hex, signature: Hex): Promise<string | undefined> {
    const relation = this.makerProblem(order);
    if (relation) return `invalid signature: ${relation}`;
    const problem =
      order.signatureType === SIGNATURE_TYPES.POLY_1271
        ? await this.walletProblem(order.maker, orderHash, signature)
        : this.keys.problem(order.signer, orderHash, signature);
    return problem && `invalid signature: ${problem}`;
  }

  private makerProblem(order: Order): string | undefined {
    const { maker, signer } = order;
    switch (order.signatureType) {
      case SIGNATURE_TYPES.EOA:
      case SIGNATURE_TYPES.POLY_1271:
        return sameAddress(maker, signer) ? undefined : `signature type ${order.signatureType} needs maker == signer, got maker ${maker} and signer ${signer}`;
      case SIGNATURE_TYPES.POLY_PROXY: {
        const { proxy } = this.walletsOf(signer);
        return sameAddress(maker, proxy) ? undefined : `maker ${maker} is not the POLY_PROXY wallet of signer ${signer} (${proxy})`;
      }
      case SIGNATURE_TYPES.POLY_GNOSIS_SAFE: {
        const { safe } = this.walletsOf(signer);
        return sameAddress(maker, safe) ? undefined : `maker ${maker} is not the Safe of signer ${signer} (${safe})`;
      }
    }
  }

  private walletsOf(signer: Address): { proxy: Address; safe: Address } {
    const key = signer.toLowerCase();
    let wallets = this.wallets.get(key);
    if (!wallets) {
      wallets = { proxy: proxyWalletOf(signer, this.factories), safe: safeWalletOf(signer, this.factories) };
      this.wallets.set(key, wallets);
    }
    return wallets;
  }

  private async walletProblem(wallet: Address, orderHash: Hex, signature: Hex): Promise<string | undefined> {
    try {
      const answer = await this.chain.readContract({
        address: wallet,
        abi: STAND_IN_DEPOSIT_WALLET_ABI,
        functionName: "isValidSignature",
        args: [orderHash, signature],
      });
      return answer === ERC1271_MAGIC_VALUE ? undefined : `deposit wallet ${wallet} answered ${answer} to ERC-1271 isValidSignature`;
    } catch (err) {
      return `ERC-1271 isValidSignature on ${wallet} failed (no wallet there?): ${(err as { shortMessage?: string }).shortMessage ?? (err as Error).message}`;
    }
  }
}

/**
 * Both sides are well-formed addresses already (parsed by the wire schema or derived), so a
 * case-insensitive compare suffices; viem's isAddressEqual re-validates checksums at a keccak each.
 */
function sameAddress(a: Address, b: Address): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
