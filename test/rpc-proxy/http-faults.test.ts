import { createPublicClient, http, HttpRequestError, TimeoutError } from "viem";
import { startAnvil, type Anvil } from "../../services/devchain/anvil";
import { startLocalProviders, type LocalProviders } from "../../services/rpc-proxy/local-providers";
import type { ProviderProxy } from "../../services/rpc-proxy/provider-proxy";
import { call, emitLog, result, rpc, sleep, waitFor } from "./helpers";

let anvil: Anvil;
let local: LocalProviders;
let proxy: ProviderProxy;

beforeAll(async () => {
  anvil = await startAnvil({ blockTimeMs: 250 });
  local = await startLocalProviders(anvil, { latency: "zero", seed: 1 });
  proxy = local.providers.alchemy;
});

afterAll(async () => {
  await local?.stop();
  await anvil?.stop();
});

afterEach(() => {
  proxy.clearFaults();
  proxy.setLatency({ http: {}, ws: {} });
  proxy.resetStats();
});

const client = () => createPublicClient({ transport: http(proxy.httpUrl, { retryCount: 0, timeout: 2000 }) });

test("forwards single and batch calls, keeping the client's ids", async () => {
  expect(await client().getChainId()).toBe(137);
  const first = await client().getBlockNumber({ cacheTime: 0 });
  await waitFor("the block number to advance", async () => (await client().getBlockNumber({ cacheTime: 0 })) > first);

  const batch = await rpc(proxy.httpUrl, [call("eth_chainId", [], "a"), call("net_version", [], 7), { jsonrpc: "2.0", method: "eth_chainId" }]);
  expect(batch.json).toEqual([
    { jsonrpc: "2.0", id: "a", result: "0x89" },
    { jsonrpc: "2.0", id: 7, result: "137" },
  ]);
});

test("stall: the request is held until the client gives up; after the clear, requests are answered again", async () => {
  proxy.setFault({ kind: "stall" });
  await expect(createPublicClient({ transport: http(proxy.httpUrl, { retryCount: 0, timeout: 300 }) }).getChainId()).rejects.toBeInstanceOf(
    TimeoutError,
  );

  let answered = false;
  const held = rpc(proxy.httpUrl, call("eth_chainId")).then((reply) => {
    answered = true;
    return reply;
  });
  await sleep(200);
  expect(answered).toBe(false);
  proxy.clearFault("stall");
  expect((await held).json.result).toBe("0x89");
  expect(await client().getChainId()).toBe(137);
  expect(proxy.stats().faultsApplied.stall).toBe(2);
});

test("stall with a duration clears itself", async () => {
  proxy.setFault({ kind: "stall", durationMs: 300 });
  const started = Date.now();
  expect((await rpc(proxy.httpUrl, call("eth_chainId"))).json.result).toBe("0x89");
  expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  expect(proxy.faults()).toEqual([]);
});

test("stall scoped to a method holds only that method", async () => {
  proxy.setFault({ kind: "stall", methods: ["eth_getLogs"] });
  await expect(rpc(proxy.httpUrl, call("eth_getLogs", [{ fromBlock: "0x0" }]), 300)).rejects.toThrow();
  expect(await client().getChainId()).toBe(137);
});

test("stale-head: blockNumber and the latest block lag by N, getLogs is cut to the lagging view", async () => {
  const lag = 4;
  const older = await emitLog(anvil.httpUrl);
  await waitFor("the chain to move past the first log", async () => BigInt(await result(anvil.httpUrl, "eth_blockNumber")) >= older.blockNumber + BigInt(lag) + 1n);
  const newer = await emitLog(anvil.httpUrl);

  proxy.setFault({ kind: "stale-head", lagBlocks: lag });
  const filter = { fromBlock: `0x${older.blockNumber.toString(16)}`, toBlock: "latest" };
  const [direct, viaProxy] = await Promise.all([result(anvil.httpUrl, "eth_getLogs", [filter]), result(proxy.httpUrl, "eth_getLogs", [filter])]);
  expect(direct.map((log: any) => log.transactionHash)).toEqual([older.transactionHash, newer.transactionHash]);
  expect(viaProxy.map((log: any) => log.transactionHash)).toEqual([older.transactionHash]);

  // A lagging node answers [] for blocks it has not seen; it does not error.
  const recent = { fromBlock: `0x${newer.blockNumber.toString(16)}`, toBlock: `0x${newer.blockNumber.toString(16)}` };
  expect(await result(proxy.httpUrl, "eth_getLogs", [recent])).toEqual([]);

  const head = BigInt(await result(anvil.httpUrl, "eth_blockNumber"));
  const stale = BigInt(await result(proxy.httpUrl, "eth_blockNumber"));
  // One block of tolerance: a block may be mined between the two calls.
  expect(head - stale).toBeGreaterThanOrEqual(BigInt(lag - 1));
  expect(head - stale).toBeLessThanOrEqual(BigInt(lag));
  const latest = await result(proxy.httpUrl, "eth_getBlockByNumber", ["latest", false]);
  expect(head - BigInt(latest.number)).toBeGreaterThanOrEqual(BigInt(lag - 1));
  expect(await result(proxy.httpUrl, "eth_getBlockByNumber", [`0x${head.toString(16)}`, false])).toBeNull();

  proxy.clearFault("stale-head");
  expect(await result(proxy.httpUrl, "eth_getLogs", [recent])).toHaveLength(1);
});

test("empty-logs: eth_getLogs answers [] while the node has the logs", async () => {
  const log = await emitLog(anvil.httpUrl);
  const filter = { fromBlock: `0x${log.blockNumber.toString(16)}`, toBlock: `0x${log.blockNumber.toString(16)}` };
  proxy.setFault({ kind: "empty-logs" });
  expect(await result(anvil.httpUrl, "eth_getLogs", [filter])).toHaveLength(1);
  expect(await result(proxy.httpUrl, "eth_getLogs", [filter])).toEqual([]);
  expect(await client().getChainId()).toBe(137);
  expect(proxy.stats().faultsApplied["empty-logs"]).toBe(1);
});

test("http-429: status 429 with Retry-After and a JSON-RPC rate-limit error per call", async () => {
  proxy.setFault({ kind: "http-429", retryAfterSeconds: 2 });
  const single = await rpc(proxy.httpUrl, call("eth_blockNumber", [], 5));
  expect(single.status).toBe(429);
  expect(single.headers.get("retry-after")).toBe("2");
  expect(single.json).toEqual({ jsonrpc: "2.0", id: 5, error: { code: -32005, message: "rate limited" } });
  const batch = await rpc(proxy.httpUrl, [call("eth_chainId", [], 1), call("eth_blockNumber", [], 2)]);
  expect(batch.json.map((answer: any) => [answer.id, answer.error.code])).toEqual([
    [1, -32005],
    [2, -32005],
  ]);
});

test("http-5xx: the configured status; viem sees an HttpRequestError", async () => {
  proxy.setFault({ kind: "http-5xx", status: 502 });
  expect((await rpc(proxy.httpUrl, call("eth_chainId"))).status).toBe(502);
  const error = await client().getChainId().catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(HttpRequestError);
  expect((error as HttpRequestError).status).toBe(502);
});

test("wrong-chain: eth_chainId and net_version report another chain", async () => {
  proxy.setFault({ kind: "wrong-chain" });
  expect(await client().getChainId()).toBe(1);
  expect(await result(proxy.httpUrl, "net_version")).toBe("1");
  proxy.setFault({ kind: "wrong-chain", chainId: 5 });
  expect(await result(proxy.httpUrl, "eth_chainId")).toBe("0x5");
});

test("malformed: invalid JSON, or a result of the wrong shape for the targeted methods only", async () => {
  proxy.setFault({ kind: "malformed", mode: "invalid-json" });
  const broken = await rpc(proxy.httpUrl, call("eth_chainId"));
  expect(broken.status).toBe(200);
  expect(broken.json).toBeUndefined();

  const log = await emitLog(anvil.httpUrl);
  proxy.setFault({ kind: "malformed", mode: "wrong-shape", methods: ["eth_getLogs", "eth_getBlockByNumber"] });
  const filter = { fromBlock: `0x${log.blockNumber.toString(16)}`, toBlock: `0x${log.blockNumber.toString(16)}` };
  const [corrupt] = await result(proxy.httpUrl, "eth_getLogs", [filter]);
  expect(corrupt.blockNumber).toBe("0xnot-hex");
  expect(corrupt.removed).toBe(false);
  expect((await result(proxy.httpUrl, "eth_getBlockByNumber", ["latest", false])).number).toBe("0xnot-hex");
  await expect(client().getBlock()).rejects.toThrow();
  expect(await client().getChainId()).toBe(137);
});

test("latency: the profile delays every answer; a latency fault only its methods", async () => {
  proxy.setLatency({ http: { baseMs: 120 } });
  let started = Date.now();
  await result(proxy.httpUrl, "eth_chainId");
  expect(Date.now() - started).toBeGreaterThanOrEqual(115);

  proxy.setLatency({ http: {} });
  proxy.setFault({ kind: "latency", addMs: 200, methods: ["eth_getLogs"] });
  started = Date.now();
  await result(proxy.httpUrl, "eth_chainId");
  expect(Date.now() - started).toBeLessThan(150);
  started = Date.now();
  await result(proxy.httpUrl, "eth_getLogs", [{ fromBlock: "latest" }]);
  expect(Date.now() - started).toBeGreaterThanOrEqual(195);
  expect(proxy.stats().faultsApplied.latency).toBe(1);
});

test("probability: a fault with probability 0.5 hits some requests and not others", async () => {
  proxy.setFault({ kind: "wrong-chain", probability: 0.5 });
  const ids = await Promise.all(Array.from({ length: 40 }, () => result(proxy.httpUrl, "eth_chainId")));
  expect(ids).toContain("0x1");
  expect(ids).toContain("0x89");
});
