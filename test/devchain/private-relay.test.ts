import { createPublicClient, http, parseGwei, type Hex, type PublicClient } from "viem";
import { startAnvil, type Anvil } from "../../services/devchain/anvil";
import { startPrivateRelay, type PrivateRelay } from "../../services/devchain/private-relay";
import { testKey } from "../support/order-book";

const sender = testKey("relay-sender");

async function rpc(url: string, method: string, params: unknown[]): Promise<{ result?: unknown; error?: { code: number; message: string } }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 7, method, params }),
  });
  return (await response.json()) as { result?: unknown; error?: { code: number; message: string } };
}

describe("stand-in private relay", () => {
  let anvil: Anvil;
  let relay: PrivateRelay;
  let chain: PublicClient;
  let nonce: number;

  const signedTransfer = (value: bigint): Promise<Hex> =>
    sender.signTransaction({ chainId: 137, to: sender.address, value, nonce, gas: 21_000n, maxFeePerGas: parseGwei("100"), maxPriorityFeePerGas: parseGwei("1"), type: "eip1559" });

  beforeAll(async () => {
    anvil = await startAnvil({ blockTimeMs: 300 });
    chain = createPublicClient({ transport: http(anvil.httpUrl), cacheTime: 0 });
    await rpc(anvil.httpUrl, "anvil_setBalance", [sender.address, "0x56bc75e2d63100000"]);
    relay = await startPrivateRelay({ upstreamUrl: anvil.httpUrl });
  });
  afterAll(async () => {
    await relay?.stop();
    await anvil?.stop();
  });
  beforeEach(async () => {
    relay.setFault(undefined);
    nonce = await chain.getTransactionCount({ address: sender.address, blockTag: "pending" });
  });

  it("forwards a raw transaction to the chain and answers like a private mempool", async () => {
    const raw = await signedTransfer(1n);
    const first = await rpc(relay.url, "eth_sendRawTransaction", [raw]);
    expect(first.result).toMatch(/^0x[0-9a-f]{64}$/);
    // The relay speaks bor/geth here, where anvil would say "transaction already imported".
    expect((await rpc(relay.url, "eth_sendRawTransaction", [raw])).error).toEqual({ code: -32000, message: "already known" });
    const receipt = await chain.waitForTransactionReceipt({ hash: first.result as Hex, timeout: 5000, pollingInterval: 50 });
    expect(receipt.status).toBe("success");
    expect((await rpc(relay.url, "eth_sendRawTransaction", [raw])).error?.message).toMatch(/nonce too low/);
  });

  it("refuses methods other than eth_sendRawTransaction", async () => {
    expect((await rpc(relay.url, "eth_blockNumber", [])).error?.code).toBe(-32601);
  });

  it("injects error, slow and down faults", async () => {
    const raw = await signedTransfer(2n);
    relay.setFault({ kind: "error", code: -32000, message: "relay overloaded" });
    expect((await rpc(relay.url, "eth_sendRawTransaction", [raw])).error).toEqual({ code: -32000, message: "relay overloaded" });
    expect(await chain.getTransactionCount({ address: sender.address, blockTag: "pending" })).toBe(nonce);

    relay.setFault({ kind: "slow", delayMs: 400 });
    const started = Date.now();
    expect((await rpc(relay.url, "eth_sendRawTransaction", [raw])).result).toMatch(/^0x/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(380);

    relay.setFault({ kind: "down" });
    await expect(rpc(relay.url, "eth_sendRawTransaction", [raw])).rejects.toThrow("fetch failed");
    const received = relay.received;
    relay.setFault(undefined);
    expect((await rpc(relay.url, "eth_sendRawTransaction", [raw])).error?.message).toBe("already known");
    expect(relay.received).toBe(received + 1);
  });
});
