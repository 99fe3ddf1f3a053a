import type { Address, Hex, PublicClient } from "viem";
import { SIGNATURE_TYPES, type Order } from "../../polymarket/order";
import { STAND_IN_DEPOSIT_WALLET_ABI } from "../contracts/artifacts";
import type { RecoverPool } from "./recover-pool";
import { POLYGON_WALLET_FACTORIES, proxyWalletOf, safeWalletOf, type WalletFactories } from "./wallets";

const ERC1271_MAGIC_VALUE = "0x1626ba7e";
/** secp256k1n / 2: the exchange (OpenZeppelin ECDSA) refuses the malleable high-s twin of a signature. */
const HALF_CURVE_ORDER = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

/**
 * Whether an order's signature authorises its maker, per signature type: 0 the EOA signs for itself; 1 and 2 the EOA
 * signs for its proxy / Safe (CREATE2 address of the signer); 3 the deposit wallet is maker and signer and approves
 * the order hash through ERC-1271 on chain. Answers undefined when valid, else the reason ("invalid signature: ...").
 */
export class SignatureCheck {
  /** Derived proxy / Safe per signer: two CREATE2 keccaks per order otherwise, for the same few subscribers. */
  private readonly wallets = new Map<string, { proxy: Address; safe: Address }>();

  constructor(
    private readonly recover: RecoverPool,
    private readonly chain: PublicClient,
    private readonly factories: WalletFactories = POLYGON_WALLET_FACTORIES,
  ) {}

  async problem(order: Order, orderHash: Hex, signature: Hex): Promise<string | undefined> {
    const relation = this.makerProblem(order);
    if (relation) return `invalid signature: ${relation}`;
    const problem =
      order.signatureType === SIGNATURE_TYPES.POLY_1271
        ? await this.walletProblem(order.maker, orderHash, signature)
        : await this.ecdsaProblem(order.signer, orderHash, signature);
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

  private async ecdsaProblem(signer: Address, orderHash: Hex, signature: Hex): Promise<string | undefined> {
    if (signature.length !== 2 + 65 * 2) return `expected a 65-byte signature, got ${(signature.length - 2) / 2} bytes`;
    if (BigInt(`0x${signature.slice(66, 130)}`) > HALF_CURVE_ORDER) return "high-s (malleable) signature";
    let recovered: Address;
    try {
      recovered = await this.recover.recover(orderHash, signature);
    } catch (err) {
      return (err as Error).message;
    }
    return sameAddress(recovered, signer) ? undefined : `it recovers to ${recovered}, not the signer ${signer}`;
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
 * Both sides are well-formed addresses already (parsed by the wire schema, derived, or recovered), so a
 * case-insensitive compare suffices; viem's isAddressEqual re-validates checksums at a keccak each.
 */
function sameAddress(a: Address, b: Address): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
