import { FaultQueue } from "../../services/devchain/order-book/faults";
import { MarketDomains } from "../../services/devchain/order-book/markets";
import { proxyWalletOf, safeWalletOf } from "../../services/devchain/order-book/wallets";
import { CTF_V2, EXCHANGE_V3, exchangeAddress, NEGRISK_V2 } from "../support/order-book";

describe("Polymarket wallet derivation", () => {
  // Polymarket/rs-clob-client src/lib.rs tests: derive_proxy_wallet_polygon, derive_safe_wallet_polygon.
  const eoa = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
  it("derives the proxy wallet (signature type 1) by CREATE2", () => {
    expect(proxyWalletOf(eoa).toLowerCase()).toBe("0x365f0ca36ae1f641e02fe3b7743673da42a13a70");
  });
  it("derives the Safe (signature type 2) by CREATE2", () => {
    expect(safeWalletOf(eoa).toLowerCase()).toBe("0xd93b25cb943d14d0d34fbaf01fc93a0f8b5f6e47");
  });
});

describe("market domains", () => {
  it("gives each order exchange its domain version", () => {
    const markets = new MarketDomains(
      [
        { tokenId: 1n, exchange: CTF_V2 },
        { tokenId: 2n, exchange: NEGRISK_V2 },
        { tokenId: 3n, exchange: EXCHANGE_V3 },
      ],
      137,
    );
    expect(markets.domainFor(1n)).toEqual({ version: "2", chainId: 137, verifyingContract: CTF_V2 });
    expect(markets.domainFor(2n)?.version).toBe("2");
    expect(markets.domainFor(3n)).toEqual({ version: "3", chainId: 137, verifyingContract: EXCHANGE_V3 });
    expect(markets.domainFor(4n)).toBeUndefined();
    expect(new MarketDomains([], 137, CTF_V2).domainFor(4n)?.verifyingContract).toBe(CTF_V2);
  });

  it("refuses exchanges that take no orders", () => {
    const v1 = exchangeAddress("ctf-exchange-v1");
    expect(() => new MarketDomains([{ tokenId: 1n, exchange: v1 }], 137)).toThrow(
      `exchange ${v1} does not take orders; order exchanges: ctf-exchange-v2, negrisk-ctf-exchange-v2, exchange-v3`,
    );
  });
});

describe("fault queue", () => {
  it("applies faults in order, each for its count, the last one until cleared", () => {
    const faults = new FaultQueue();
    faults.push({ kind: "hang", phase: "after-accept" }, 1);
    faults.push({ kind: "http-status", status: 503, phase: "before-accept" }, 2);
    faults.push({ kind: "reject", message: "not enough balance / allowance" });
    expect(faults.take()?.kind).toBe("hang");
    expect(faults.take()?.kind).toBe("http-status");
    expect(faults.take()?.kind).toBe("http-status");
    expect(faults.take()?.kind).toBe("reject");
    expect(faults.take()?.kind).toBe("reject");
    faults.clear();
    expect(faults.take()).toBeUndefined();
    expect(() => faults.push({ kind: "http-status", status: 200, phase: "before-accept" })).toThrow("4xx/5xx");
  });
});
