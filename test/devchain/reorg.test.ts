import { createPublicClient, http, type Hex, type PublicClient } from "viem";
import WebSocket from "ws";
import { startAnvil, type Anvil } from "../../services/devchain/anvil";
import { installStandInExchanges } from "../../services/devchain/exchanges";
import { TradeSimulator, walletAddress } from "../../services/devchain/simulator";
import { waitFor } from "../support/wait";

interface Notification {
  subscription: Hex;
  result: { number?: Hex; hash?: Hex; blockHash?: Hex; blockNumber?: Hex; removed?: boolean; transactionHash?: Hex };
}

/** Raw eth_subscribe over WebSocket, so the test sees exactly what anvil sends (e.g. the `removed` flag). */
async function subscribe(url: string, params: unknown[]): Promise<{ events: Notification["result"][]; close(): void }> {
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  const events: Notification["result"][] = [];
  socket.on("message", (raw) => {
    const message = JSON.parse(raw.toString()) as { method?: string; params?: Notification };
    if (message.method === "eth_subscription" && message.params) events.push(message.params.result);
  });
  socket.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_subscribe", params }));
  return { events, close: () => socket.close() };
}

describe("reorg helper on anvil", () => {
  let anvil: Anvil;
  let pub: PublicClient;
  let sim: TradeSimulator;

  beforeAll(async () => {
    anvil = await startAnvil({ blockTimeMs: 300 });
    pub = createPublicClient({ transport: http(anvil.httpUrl), cacheTime: 0 });
    await installStandInExchanges(anvil.httpUrl);
    // A reorg must not reach below the first block mined with the stand-in code (see the last test).
    const installedAt = await pub.getBlockNumber();
    await waitFor("4 blocks after the install", async () => (await pub.getBlockNumber()) >= installedAt + 4n, 5_000);
    sim = await TradeSimulator.create({ rpcUrl: anvil.httpUrl, seed: "reorg-test", receiptTimeoutMs: 5_000 });
  }, 30_000);

  afterAll(async () => {
    await anvil?.stop();
  });

  it("replaces the blocks holding a fill: new hash at that height, the log gone from eth_getLogs", async () => {
    const leader = walletAddress("reorged-leader");
    const exchange = sim.exchange("ctf-exchange-v2");
    const heads = await subscribe(anvil.wsUrl, ["newHeads"]);
    const logs = await subscribe(anvil.wsUrl, ["logs", { address: exchange.address }]);
    try {
      const fill = await sim.leaderAsMaker({ leader, exchange });
      const range = { address: exchange.address, fromBlock: fill.blockNumber, toBlock: fill.blockNumber };
      expect((await pub.getLogs(range)).map((l) => l.transactionHash)).toContain(fill.txHash);

      // The helper starts on a fresh head, so the fill is 2 or 3 blocks deep by then.
      const reorg = await sim.reorg(3, fill.txHash);

      expect(reorg.removed.map((b) => b.number)).toEqual(reorg.replacements.map((b) => b.number));
      expect(reorg.removed.map((b) => b.number)).toContain(fill.blockNumber);
      expect(reorg.droppedTxs).toContain(fill.txHash);
      const atHeight = await pub.getBlock({ blockNumber: fill.blockNumber });
      expect(atHeight.hash).not.toBe(fill.blockHash);
      expect(atHeight.transactions).toEqual([]);
      expect(await pub.getLogs(range)).toEqual([]);
      await expect(pub.getTransactionReceipt({ hash: fill.txHash })).rejects.toThrow(/could not be found/);

      // anvil does not put the dropped tx back in its pool: it stays gone in later blocks too.
      const later = await pub.getBlockNumber();
      await waitFor("2 blocks after the late install", async () => (await pub.getBlockNumber()) >= later + 2n, 5_000);
      await expect(pub.getTransactionReceipt({ hash: fill.txHash })).rejects.toThrow(/could not be found/);

      // What a listener sees over WebSocket (anvil 1.7.1): newHeads re-announces the replaced heights with the new
      // hashes, but the logs subscription sends no `removed: true` notification for the orphaned fill.
      const replacementHeads = heads.events.filter((h) => reorg.replacements.some((r) => r.hash === h.hash));
      expect(replacementHeads.map((h) => BigInt(h.number!))).toEqual(reorg.replacements.map((r) => r.number));
      const fillLogs = logs.events.filter((l) => l.transactionHash === fill.txHash);
      expect(fillLogs.length).toBe(fill.fills.length + 1);
      expect(fillLogs.every((l) => l.removed === false)).toBe(true);
    } finally {
      heads.close();
      logs.close();
    }
  });

  it("refuses a depth that does not reach the fill's block", async () => {
    const fill = await sim.leaderAsMaker({ leader: walletAddress("deep-leader") });
    await waitFor("2 blocks after the fill", async () => (await pub.getBlockNumber()) >= fill.blockNumber + 2n, 5_000);
    await expect(sim.reorg(1, fill.txHash)).rejects.toThrow(/deeper than 1/);
    expect((await pub.getBlock({ blockNumber: fill.blockNumber })).hash).toBe(fill.blockHash);
  });

  it("refuses a reorg that would rewind to before the stand-ins were installed", async () => {
    // anvil restores the common ancestor's stored state, which predates anvil_setCode for a fresh install.
    const late = { name: "late-exchange", address: walletAddress("late-exchange"), layout: "v2" as const };
    await installStandInExchanges(anvil.httpUrl, [late]);
    const lateSim = await TradeSimulator.create({ rpcUrl: anvil.httpUrl, exchanges: [late], receiptTimeoutMs: 5_000 });
    const fill = await lateSim.leaderAsMaker({ leader: walletAddress("late-leader"), exchange: late });
    await expect(lateSim.reorg(4, fill.txHash)).rejects.toThrow(/would remove the stand-in exchanges/);
    expect(await pub.getCode({ address: late.address })).toBeDefined();
    expect((await pub.getBlock({ blockNumber: fill.blockNumber })).hash).toBe(fill.blockHash);
  });
});
