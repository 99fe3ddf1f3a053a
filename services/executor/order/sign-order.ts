import { getAddress, type Hex } from "viem";
import { hashOrder, SIGNATURE_TYPES, type Order, type OrderDomain, type SignedOrder } from "../../polymarket/order";
import type { DigestSigner } from "../signer/signer";

/**
 * Signs the order's EIP-712 digest. For types 0–2 the exchange recovers the signature and compares it with
 * `order.signer`, so a key that is not that address is refused here rather than rejected by the venue later; for
 * POLY_1271 `order.signer` is the deposit wallet, which decides for itself which keys it accepts.
 */
export async function signOrder(signer: DigestSigner, domain: OrderDomain, order: Order): Promise<SignedOrder & { orderHash: Hex }> {
  if (order.signatureType !== SIGNATURE_TYPES.POLY_1271 && getAddress(order.signer) !== getAddress(signer.address)) {
    throw new Error(`order signer ${order.signer} is not the signing key's address ${signer.address}`);
  }
  const orderHash = hashOrder(domain, order);
  const signature = await signer.signDigest(orderHash);
  return { domain, order, signature, orderHash };
}
