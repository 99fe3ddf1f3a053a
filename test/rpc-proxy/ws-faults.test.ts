import { createPublicClient, webSocket } from "viem";
import WebSocket from "ws";
import { startAnvil, type Anvil } from "../../services/devchain/anvil";
import { startLocalProviders, type LocalProviders } from "../../services/rpc-proxy/local-providers";
import type { ProviderProxy } from "../../services/rpc-proxy/provider-proxy";
import { emitLog, sleep, TestSocket, waitFor } from "./helpers";

let anvil: Anvil;
let local: LocalProviders;
let proxy: ProviderProxy;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  anvil = await startAnvil({ blockTimeMs: 250 });
  local = await startLocalProviders(anvil, { latency: "zero", seed: 2 });
  proxy = local.providers.quicknode;
});

afterAll(async () => {
  await local?.stop();
  await anvil?.stop();
});

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  proxy.clearFaults();
  proxy.setLatency({ http: {}, ws: {} });
  await waitFor("sockets of the previous test to close", () => proxy.stats().wsConnectionsOpen === 0);
  proxy.resetStats();
});

async function open(url = proxy.wsUrl): Promise<TestSocket> {
  const socket = await TestSocket.open(url);
  sockets.push(socket);
  return socket;
}

const blockNumbers = (socket: TestSocket, subscription: string): number[] =>
  socket.notifications(subscription).map((header) => Number(BigInt(header.number)));

test("forwards requests and a newHeads subscription (viem webSocket transport)", async () => {
  const client = createPublicClient({ transport: webSocket(proxy.wsUrl, { retryCount: 0 }) });
  try {
    expect(await client.getChainId()).toBe(137);
    const seen: bigint[] = [];
    const unwatch = client.watchBlockNumber({ onBlockNumber: (number) => seen.push(number), emitMissed: false });
    await waitFor("three new heads through the proxy", () => seen.length >= 3, 3000);
    unwatch();
    expect(seen[2]).toBeGreaterThan(seen[0]);
    expect(proxy.stats().notificationsForwarded).toBeGreaterThanOrEqual(3);
  } finally {
    await (await client.transport.getRpcClient()).close();
  }
});

test("heavy-tail latency delays notifications but never reorders them", async () => {
  proxy.setLatency({ ws: { baseMs: 0, jitterMs: 20, tailProbability: 0.5, tailScaleMs: 250, tailShape: 1.1, tailCapMs: 600 }, seed: 7 });
  const [direct, viaProxy] = await Promise.all([TestSocket.open(anvil.wsUrl), open()]);
  sockets.push(direct);
  const [directSub, proxySub] = await Promise.all([direct.subscribe("newHeads"), viaProxy.subscribe("newHeads")]);
  // With 250 ms blocks and tail delays up to 600 ms, unordered delivery would overtake blocks.
  await waitFor("ten heads through the slow proxy", () => blockNumbers(viaProxy, proxySub).length >= 10, 6000);
  const numbers = blockNumbers(viaProxy, proxySub);
  numbers.slice(1).forEach((number, index) => expect(number).toBe(numbers[index] + 1));
  const directArrivals = direct.headArrivals(directSub);
  const delays = [...viaProxy.headArrivals(proxySub)].map(([number, at]) => at - directArrivals.get(number)!);
  expect(Math.max(...delays)).toBeGreaterThan(150);
});

test("stall: newHeads stop and requests go unanswered while the socket stays open; both recover after the clear", async () => {
  const socket = await open();
  const subscription = await socket.subscribe("newHeads");
  await waitFor("a first head", () => socket.notifications(subscription).length > 0);

  proxy.setFault({ kind: "stall" });
  const before = socket.notifications(subscription).length;
  await expect(socket.request("eth_blockNumber", [], 600)).rejects.toThrow(/timed out/);
  expect(socket.notifications(subscription).length).toBe(before);
  expect(socket.open).toBe(true);
  expect(proxy.stats().notificationsDropped).toBeGreaterThan(0);

  proxy.clearFault("stall");
  await waitFor("heads after the stall", () => socket.notifications(subscription).length > before, 2000);
  expect((await socket.request("eth_chainId")).result).toBe("0x89");
  // Withheld frames were dropped, not replayed: the stalled request never gets its answer.
  expect(socket.parsed().filter((message) => message?.id === 2)).toEqual([]);
});

test("drop-subscriptions silent: notifications stop, the socket and requests keep working; the filter spares other types", async () => {
  const socket = await open();
  const heads = await socket.subscribe("newHeads");
  await waitFor("a first head", () => socket.notifications(heads).length > 0);

  proxy.setFault({ kind: "drop-subscriptions", subscriptions: ["logs"] });
  const before = socket.notifications(heads).length;
  await waitFor("heads still flowing for a logs-only fault", () => socket.notifications(heads).length > before);

  proxy.setFault({ kind: "drop-subscriptions", mode: "silent" });
  await sleep(50);
  const frozen = socket.notifications(heads).length;
  await sleep(700);
  expect(socket.notifications(heads).length).toBe(frozen);
  expect(socket.open).toBe(true);
  expect((await socket.request("eth_chainId")).result).toBe("0x89");
  expect(proxy.stats().notificationsDropped).toBeGreaterThanOrEqual(2);
  expect(proxy.stats().faultsApplied["drop-subscriptions"]).toBeGreaterThanOrEqual(2);
});

test("drop-subscriptions close: sockets with a subscription are closed at once with the given code", async () => {
  const subscribed = await open();
  const idle = await open();
  await subscribed.subscribe("newHeads");
  proxy.setFault({ kind: "drop-subscriptions", mode: "close", closeCode: 4001 });
  const closed = await Promise.race([subscribed.closed, sleep(1000).then(() => undefined)]);
  expect(closed?.code).toBe(4001);
  expect(idle.open).toBe(true);
  expect((await idle.request("eth_chainId")).result).toBe("0x89");
});

test("stale-head: newHeads arrive N blocks late, log notifications wait for their block, blockNumber lags", async () => {
  const lag = 3;
  const direct = await TestSocket.open(anvil.wsUrl);
  sockets.push(direct);
  const directHeads = await direct.subscribe("newHeads");
  const socket = await open();
  proxy.setFault({ kind: "stale-head", lagBlocks: lag });
  const heads = await socket.subscribe("newHeads");
  const logs = await socket.subscribe("logs", {});
  const lagAtArrival: number[] = [];
  socket.socket.on("message", (data) => {
    const message = JSON.parse(data.toString());
    if (message.params?.subscription === heads) lagAtArrival.push(blockNumbers(direct, directHeads).at(-1)! - Number(BigInt(message.params.result.number)));
  });
  await waitFor("four stale heads", () => lagAtArrival.length >= 4, 4000);
  // The proxy's head tracker and the direct socket see a block at about the same moment: allow one of slack.
  for (const observed of lagAtArrival) expect(observed).toBeGreaterThanOrEqual(lag - 1);

  const log = await emitLog(anvil.httpUrl);
  expect(socket.notifications(logs)).toEqual([]);
  await waitFor("the held log notification", () => socket.notifications(logs).length === 1, 3000);
  expect(blockNumbers(direct, directHeads).at(-1)!).toBeGreaterThanOrEqual(Number(log.blockNumber) + lag - 1);

  const head = Number(BigInt((await direct.request("eth_blockNumber")).result));
  const stale = Number(BigInt((await socket.request("eth_blockNumber")).result));
  expect(head - stale).toBeGreaterThanOrEqual(lag - 1);

  proxy.clearFault("stale-head");
  expect(proxy.stats().notificationsHeld).toBe(0);
});

test("empty-logs with dropLogNotifications: getLogs answers [] and log notifications are dropped", async () => {
  const socket = await open();
  const logs = await socket.subscribe("logs", {});
  proxy.setFault({ kind: "empty-logs", dropLogNotifications: true });
  const log = await emitLog(anvil.httpUrl);
  const filter = { fromBlock: `0x${log.blockNumber.toString(16)}`, toBlock: `0x${log.blockNumber.toString(16)}` };
  expect((await socket.request("eth_getLogs", [filter])).result).toEqual([]);
  await sleep(300);
  expect(socket.notifications(logs)).toEqual([]);
  expect(proxy.stats().notificationsDropped).toBe(1);
});

test("http-429 on WebSocket: requests get a -32005 error, the socket stays open", async () => {
  const socket = await open();
  proxy.setFault({ kind: "http-429", scope: "ws" });
  expect((await socket.request("eth_blockNumber")).error.code).toBe(-32005);
  expect(socket.open).toBe(true);
});

test("http-5xx on WebSocket: error answers, close with 1011, or a refused handshake", async () => {
  const socket = await open();
  proxy.setFault({ kind: "http-5xx", methods: ["eth_blockNumber"] });
  expect((await socket.request("eth_blockNumber")).error.code).toBe(-32603);
  expect((await socket.request("eth_chainId")).result).toBe("0x89");

  proxy.setFault({ kind: "http-5xx", methods: ["eth_blockNumber"], wsMode: "close" });
  socket.send({ jsonrpc: "2.0", id: 99, method: "eth_blockNumber" });
  expect((await socket.closed).code).toBe(1011);

  proxy.setFault({ kind: "http-5xx", status: 503 });
  const refused = new WebSocket(proxy.wsUrl);
  refused.on("error", () => undefined);
  const status = await new Promise<number | undefined>((resolve) => {
    refused.once("unexpected-response", (_req, res) => resolve(res.statusCode));
    refused.once("open", () => resolve(undefined));
  });
  refused.terminate();
  expect(status).toBe(503);
});

test("wrong-chain on WebSocket (viem)", async () => {
  proxy.setFault({ kind: "wrong-chain", scope: "ws", chainId: 10 });
  const client = createPublicClient({ transport: webSocket(proxy.wsUrl, { retryCount: 0 }) });
  try {
    expect(await client.getChainId()).toBe(10);
  } finally {
    await (await client.transport.getRpcClient()).close();
  }
});

test("malformed on WebSocket: notifications arrive as invalid JSON or with non-hex fields", async () => {
  const socket = await open();
  await socket.subscribe("newHeads");
  proxy.setFault({ kind: "malformed", mode: "invalid-json", methods: ["eth_subscription"] });
  await waitFor("an invalid JSON frame", () => socket.parsed().some((message) => message === undefined));
  expect((await socket.request("eth_chainId")).result).toBe("0x89");

  proxy.setFault({ kind: "malformed", mode: "wrong-shape", methods: ["eth_subscription"] });
  await waitFor("a header with a non-hex number", () =>
    socket.parsed().some((message) => message?.method === "eth_subscription" && message.params.result.number === "0xnot-hex"),
  );
});
