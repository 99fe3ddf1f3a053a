import { createPublicClient, http, parseGwei, type Hex, type PublicClient } from "viem";
import { startAnvil, type Anvil } from "../../services/devchain/anvil";
import { startPrivateRelay, type PrivateRelay } from "../../services/devchain/private-relay";
import { PrivateSubmitError, submitPrivately, type EndpointResult, type PrivateEndpoint } from "../../services/venue/private-tx";
import { testKey } from "../support/order-book";

const sender = testKey("private-tx-sender");

describe("private submission of our own transactions", () => {
  let anvil: Anvil;
  let chain: PublicClient;
  const relays: PrivateRelay[] = [];
  let endpoints: PrivateEndpoint[];

  const isIncluded = async (hash: Hex) => (await chain.getTransactionReceipt({ hash }).catch(() => undefined)) !== undefined;
  const signedTransfer = async (value: bigint, nonceOffset = 0): Promise<Hex> => {
    const nonce = (await chain.getTransactionCount({ address: sender.address, blockTag: "pending" })) + nonceOffset;
    return sender.signTransaction({ chainId: 137, to: sender.address, value, nonce, gas: 21_000n, maxFeePerGas: parseGwei("100"), maxPriorityFeePerGas: parseGwei("1"), type: "eip1559" });
  };
  const transactionsOfSender = async () => {
    const head = await chain.getBlockNumber();
    const blocks = await Promise.all(Array.from({ length: Number(head) + 1 }, (_, i) => chain.getBlock({ blockNumber: BigInt(i), includeTransactions: true })));
    return blocks.flatMap((b) => b.transactions).filter((t) => t.from.toLowerCase() === sender.address.toLowerCase());
  };

  beforeAll(async () => {
    anvil = await startAnvil({ blockTimeMs: 300 });
    chain = createPublicClient({ transport: http(anvil.httpUrl), cacheTime: 0 });
    await fetch(anvil.httpUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "anvil_setBalance", params: [sender.address, "0x56bc75e2d63100000"] }),
    });
    for (let i = 0; i < 3; i++) relays.push(await startPrivateRelay({ upstreamUrl: anvil.httpUrl }));
    endpoints = relays.map((relay, i) => ({ name: ["relay-down", "relay-erroring", "relay-ok"][i]!, url: `${relay.url}/secret-api-key-${i}` }));
  });
  afterAll(async () => {
    await Promise.all(relays.map((r) => r.stop()));
    await anvil?.stop();
  });
  beforeEach(() => relays.forEach((r) => r.setFault(undefined)));

  it("lands the transaction exactly once with one relay down and one erroring, recording every result", async () => {
    relays[0]!.setFault({ kind: "down" });
    relays[1]!.setFault({ kind: "error", code: -32000, message: "internal relay error" });
    const seen: EndpointResult[] = [];
    const raw = await signedTransfer(11n);
    const submission = await submitPrivately(raw, { endpoints, timeoutMs: 2000, onResult: (_hash, result) => seen.push(result) });

    expect(submission.winner).toMatchObject({ endpoint: "relay-ok", kind: "accepted" });
    const all = await submission.all;
    expect(all.map((r) => [r.endpoint, r.kind])).toEqual([
      ["relay-down", "failed"],
      ["relay-erroring", "failed"],
      ["relay-ok", "accepted"],
    ]);
    expect(all[0]!.reason).toMatch(/^unreachable \(/);
    expect(all[1]!.reason).toBe("JSON-RPC -32000: internal relay error");
    expect(seen).toHaveLength(3);
    const receipt = await chain.waitForTransactionReceipt({ hash: submission.txHash, timeout: 5000, pollingInterval: 50 });
    expect(receipt.status).toBe("success");
    expect((await transactionsOfSender()).filter((t) => t.hash === submission.txHash)).toHaveLength(1);
  });

  it("counts 'already known' and 'nonce too low' for this very transaction as success", async () => {
    const raw = await signedTransfer(12n);
    const first = await submitPrivately(raw, { endpoints: [endpoints[2]!], timeoutMs: 2000 });
    const again = await submitPrivately(raw, { endpoints: [endpoints[2]!], timeoutMs: 2000, isIncluded });
    expect(again.winner.kind).toBe("already-known");
    await chain.waitForTransactionReceipt({ hash: first.txHash, timeout: 5000, pollingInterval: 50 });
    const mined = await submitPrivately(raw, { endpoints: [endpoints[2]!], timeoutMs: 2000, isIncluded });
    expect(mined.winner.kind).toBe("included");
  });

  it("fails 'nonce too low' caused by another transaction, and names every endpoint when all fail", async () => {
    const used = await signedTransfer(13n);
    const rival = await signedTransfer(14n);
    const landed = await submitPrivately(used, { endpoints: [endpoints[2]!], timeoutMs: 2000 });
    await chain.waitForTransactionReceipt({ hash: landed.txHash, timeout: 5000, pollingInterval: 50 });

    relays[0]!.setFault({ kind: "down" });
    relays[1]!.setFault({ kind: "slow", delayMs: 1500 });
    const failure = await submitPrivately(rival, { endpoints, timeoutMs: 300, isIncluded }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(PrivateSubmitError);
    const message = (failure as PrivateSubmitError).message;
    expect(message).toContain("relay-down: unreachable");
    expect(message).toContain("relay-erroring: timed out after 300 ms");
    expect(message).toMatch(/relay-ok: JSON-RPC -32003: nonce too low \(and 0x[0-9a-f]{64} is not on chain: another transaction used the nonce\)/);
    expect(message).not.toContain("secret-api-key");
    expect(message).not.toContain("127.0.0.1");
  });
});
