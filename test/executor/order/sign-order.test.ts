import { getAddress, keccak256, toHex, type Address } from "viem";
import { generatePrivateKey } from "viem/accounts";
import type { TradingAccount } from "../../../services/executor/order/account";
import { buildOrder } from "../../../services/executor/order/build-order";
import { signOrder } from "../../../services/executor/order/sign-order";
import { loadNativeEngine, nobleEngine } from "../../../services/executor/signer/ecdsa-engine";
import { localSigner } from "../../../services/executor/signer/local-signer";
import { hashOrder, ORDER_TYPES, recoverOrderSigner, type SignatureType } from "../../../services/polymarket/order";
import { EXCHANGES, makeIntent } from "./intent-fixture";

const TICK = { tickSize: "0.01" } as const;
const WALLET = getAddress("0x5afe00000000000000000000000000000000cafe");
const native = loadNativeEngine();

/** The account shape each signature type takes for a key at `key`. */
function accountFor(signatureType: SignatureType, key: Address): TradingAccount {
  switch (signatureType) {
    case 0:
      return { maker: key, signer: key, signatureType };
    case 1:
    case 2:
      return { maker: WALLET, signer: key, signatureType };
    case 3:
      return { maker: WALLET, signer: WALLET, signatureType };
  }
}

test("ORDER_TYPES hash to the exchange's Order type hash", () => {
  const typeString = `Order(${ORDER_TYPES.Order.map((field) => `${field.type} ${field.name}`).join(",")})`;
  expect(keccak256(toHex(typeString))).toBe("0xbb86318a2138f5fa8ae32fbe8e659f8fcf13cc6ae4014a707893055433818589");
});

describe.each([
  ["CTF Exchange V2", EXCHANGES.ctfV2, "2"],
  ["NegRisk V2", EXCHANGES.negRiskV2, "2"],
  ["ExchangeV3", EXCHANGES.v3, "3"],
])("%s domain", (_name, exchange, version) => {
  const signer = localSigner(generatePrivateKey(), native);

  test.each([0, 1, 2, 3] as const)("signature type %d recovers to the key, with maker and signer per the type", async (signatureType) => {
    const account = accountFor(signatureType, signer.address);
    const { domain, order } = buildOrder(makeIntent({ exchange }), account, TICK);
    const signed = await signOrder(signer, domain, order);
    expect(signed.domain).toEqual({ version, chainId: 137, verifyingContract: exchange });
    expect(signed.signature).toMatch(/^0x[0-9a-f]{128}(1b|1c)$/);
    expect(signed.orderHash).toBe(hashOrder(domain, order));
    expect(await recoverOrderSigner(signed)).toBe(signer.address);
    expect([signed.order.maker, signed.order.signer, signed.order.signatureType]).toEqual([account.maker, account.signer, signatureType]);
  });

  test("the signature is bound to the domain: under another version it recovers to someone else", async () => {
    const { domain, order } = buildOrder(makeIntent({ exchange }), accountFor(0, signer.address), TICK);
    const signed = await signOrder(signer, domain, order);
    const otherVersion = domain.version === "2" ? "3" : "2";
    expect(await recoverOrderSigner({ ...signed, domain: { ...domain, version: otherVersion } })).not.toBe(signer.address);
  });
});

test("the same intent signs to the same bytes, with the same key loaded twice and with either engine", async () => {
  const key = generatePrivateKey();
  const sign = async (engine = native) => {
    const signer = localSigner(key, engine);
    const { domain, order } = buildOrder(makeIntent(), accountFor(1, signer.address), TICK);
    return signOrder(signer, domain, order);
  };
  const [first, second, noble] = [await sign(), await sign(), await sign(nobleEngine)];
  expect(second.signature).toBe(first.signature);
  expect(second.order).toEqual(first.order);
  expect(noble).toEqual(first);
});

test.each([0, 1, 2] as const)("type %d refuses a key that is not the order's signer", async (signatureType) => {
  const signer = localSigner(generatePrivateKey(), native);
  const other = localSigner(generatePrivateKey(), native);
  const { domain, order } = buildOrder(makeIntent(), accountFor(signatureType, other.address), TICK);
  await expect(signOrder(signer, domain, order)).rejects.toThrow(`order signer ${other.address} is not the signing key's address ${signer.address}`);
});
