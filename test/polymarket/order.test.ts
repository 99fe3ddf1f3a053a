import { getAddress, hashTypedData, keccak256, toHex, type Hex } from "viem";
import { Rng } from "../../services/devchain/simulator";
import { POLYGON_EXCHANGES } from "../../services/polymarket/exchanges";
import {
  decodeSignedOrder,
  encodeSignedOrder,
  hashOrder,
  ORDER_DOMAIN_NAME,
  ORDER_TYPES,
  orderDomainForSource,
  typedDataDomain,
  type Order,
  type OrderDomain,
} from "../../services/polymarket/order";

const byName = (name: string) => POLYGON_EXCHANGES.find((e) => e.name === name)!.address;

function randomOrder(rng: Rng): Order {
  const word = () => BigInt(keccak256(toHex(String(rng.next()))));
  const address = () => getAddress(`0x${word().toString(16).padStart(64, "0").slice(24)}`);
  const bytes32 = () => toHex(word(), { size: 32 }) as Hex;
  return {
    salt: word() >> BigInt(Math.floor(rng.next() * 256)),
    maker: address(),
    signer: address(),
    tokenId: word(),
    makerAmount: word() >> 180n,
    takerAmount: word() >> 180n,
    side: rng.next() < 0.5 ? 0 : 1,
    signatureType: Math.floor(rng.next() * 4) as Order["signatureType"],
    timestamp: 1_764_000_000_000n + BigInt(Math.floor(rng.next() * 1e9)),
    metadata: rng.next() < 0.5 ? `0x${"0".repeat(64)}` : bytes32(),
    builder: bytes32(),
  };
}

describe("order EIP-712", () => {
  it("hashOrder equals viem's hashTypedData for random orders on every domain", () => {
    const rng = new Rng("order-hash");
    const domains: OrderDomain[] = [
      { version: "2", chainId: 137, verifyingContract: byName("ctf-exchange-v2") },
      { version: "2", chainId: 137, verifyingContract: byName("negrisk-ctf-exchange-v2") },
      { version: "3", chainId: 137, verifyingContract: byName("exchange-v3") },
      { version: "2", chainId: 80002, verifyingContract: byName("ctf-exchange-v2") },
    ];
    for (let i = 0; i < 200; i++) {
      const domain = domains[i % domains.length]!;
      const order = randomOrder(rng);
      const reference = hashTypedData({ domain: typedDataDomain(domain), types: ORDER_TYPES, primaryType: "Order", message: order });
      expect(hashOrder(domain, order)).toBe(reference);
    }
    expect(typedDataDomain(domains[0]!).name).toBe(ORDER_DOMAIN_NAME);
  });

  it("refuses a field outside uint256 instead of hashing a truncated value", () => {
    const order = randomOrder(new Rng(1));
    const domain: OrderDomain = { version: "2", chainId: 137, verifyingContract: byName("ctf-exchange-v2") };
    expect(() => hashOrder(domain, { ...order, makerAmount: 1n << 256n })).toThrow(/uint256/);
    expect(() => hashOrder(domain, { ...order, salt: -1n })).toThrow(/uint256/);
  });

  it("routes a fill to the exchange whose orders copy it: V1 to V2, neg-risk stays neg-risk, V3 keeps domain 3", () => {
    expect(orderDomainForSource(byName("ctf-exchange-v1"), 137)).toEqual({ version: "2", chainId: 137, verifyingContract: byName("ctf-exchange-v2") });
    expect(orderDomainForSource(byName("negrisk-ctf-exchange-v1"), 137).verifyingContract).toBe(byName("negrisk-ctf-exchange-v2"));
    expect(orderDomainForSource(byName("exchange-v3"), 137)).toMatchObject({ version: "3", verifyingContract: byName("exchange-v3") });
    expect(() => orderDomainForSource("0x0000000000000000000000000000000000000001", 137)).toThrow(/no order route for exchange 0x0+1/);
  });

  it("round-trips a signed order through the journal encoding byte for byte", () => {
    const signed = { domain: { version: "2" as const, chainId: 137, verifyingContract: byName("ctf-exchange-v2") }, order: randomOrder(new Rng(2)), signature: `0x${"ab".repeat(65)}` as Hex };
    const text = encodeSignedOrder(signed);
    expect(decodeSignedOrder(text)).toEqual(signed);
    expect(encodeSignedOrder(decodeSignedOrder(text))).toBe(text);
    expect(() => decodeSignedOrder(text.replace(/"salt":"\d+"/, '"salt":"12x"'))).toThrow(/salt is not a decimal string/);
  });
});
