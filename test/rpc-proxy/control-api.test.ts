import { createPublicClient, http } from "viem";
import WebSocket from "ws";
import { startAnvil, type Anvil } from "../../services/devchain/anvil";
import { ControlApiError, ControlClient } from "../../services/rpc-proxy/control-client";
import { ProviderProxy } from "../../services/rpc-proxy/provider-proxy";
import { DEFAULT_LATENCY, PROVIDER_NAMES, startLocalProviders, type LocalProviders } from "../../services/rpc-proxy/local-providers";
import { call, rpc, waitFor } from "./helpers";

let anvil: Anvil;
let local: LocalProviders;
let control: ControlClient;

beforeAll(async () => {
  anvil = await startAnvil({ blockTimeMs: 250 });
  local = await startLocalProviders(anvil, { latency: "zero", seed: 3 });
  control = local.client;
});

afterAll(async () => {
  await local?.stop();
  await anvil?.stop();
});

afterEach(async () => {
  await control.clearAllFaults();
  for (const name of PROVIDER_NAMES) await control.resetStats(name);
});

async function put(path: string, body: string) {
  const response = await fetch(`${local.control.url}${path}`, { method: "PUT", headers: { "content-type": "application/json" }, body });
  return { status: response.status, json: (await response.json()) as any };
}

test("GET /providers lists the four providers with distinct ports, latency, faults and stats", async () => {
  const providers = await control.providers();
  expect(providers.map((provider) => provider.name)).toEqual(["alchemy", "quicknode", "infura", "drpc"]);
  expect(new Set(providers.map((provider) => provider.port)).size).toBe(4);
  for (const provider of providers) {
    expect(provider.httpUrl).toBe(`http://127.0.0.1:${provider.port}`);
    expect(provider.wsUrl).toBe(`ws://127.0.0.1:${provider.port}`);
    expect(provider.faults).toEqual([]);
    expect(provider.latency.http.baseMs).toBe(0);
  }
  expect(local.control.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
});

test("fault round trip: set through the API, visible to a client, listed, cleared", async () => {
  const infura = local.providers.infura;
  const client = createPublicClient({ transport: http(infura.httpUrl, { retryCount: 0 }) });
  const active = await control.setFault("infura", "wrong-chain", { chainId: 42 });
  expect(active).toMatchObject({ kind: "wrong-chain", chainId: 42, scope: "both", probability: 1 });
  expect(await client.getChainId()).toBe(42);
  await expect(createPublicClient({ transport: http(local.providers.drpc.httpUrl) }).getChainId()).resolves.toBe(137);

  await control.setFault("infura", "http-429", { methods: ["eth_getLogs"], retryAfterSeconds: 3 });
  expect((await control.provider("infura")).faults.map((fault) => fault.kind).sort()).toEqual(["http-429", "wrong-chain"]);

  expect(await control.clearFault("infura", "wrong-chain")).toBe(true);
  expect(await control.clearFault("infura", "wrong-chain")).toBe(false);
  expect(await client.getChainId()).toBe(137);
  expect(await control.clearFaults("infura")).toBe(1);

  await control.setFault("alchemy", "stall");
  await control.setFault("drpc", "empty-logs");
  expect(await control.clearAllFaults()).toBe(2);
});

test("a duration auto-clears the fault and the API shows when", async () => {
  const active = await control.setFault("quicknode", "stall", { durationMs: 200 });
  expect(Date.parse(active.expiresAt!) - Date.parse(active.setAt)).toBe(200);
  await waitFor("the stall to clear itself", async () => (await control.provider("quicknode")).faults.length === 0, 2000);
});

test("a bad body is a 400 naming the field; unknown names are 404s", async () => {
  const bad = await put("/providers/alchemy/faults/stale-head", JSON.stringify({ lagBlocks: -2 }));
  expect(bad.status).toBe(400);
  expect(bad.json.error).toMatch(/^lagBlocks: /);

  expect((await put("/providers/alchemy/faults/latency", JSON.stringify({ tailProbability: 2 }))).json.error).toMatch(/^tailProbability: /);
  expect((await put("/providers/alchemy/faults/stall", JSON.stringify({ scope: "udp" }))).json.error).toMatch(/^scope: /);
  expect((await put("/providers/alchemy/faults/stall", JSON.stringify({ lagBlocks: 3 }))).json.error).toMatch(/Unrecognized key: "lagBlocks"/);
  expect((await put("/providers/alchemy/faults/stall", "{not json")).json.error).toBe("body: invalid JSON");
  expect((await put("/providers/alchemy/faults/stall", JSON.stringify({ kind: "latency" }))).status).toBe(400);
  expect((await put("/providers/alchemy/latency", JSON.stringify({ http: { baseMs: "fast" } }))).json.error).toMatch(/^http\.baseMs: /);
  expect((await put("/providers/nope/faults/stall", "{}")).status).toBe(404);
  expect((await put("/providers/alchemy/faults/meteor", "{}")).status).toBe(404);

  const error = await control.setFault("alchemy", "http-5xx", { status: 404 }).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(ControlApiError);
  expect((error as ControlApiError).status).toBe(400);
  expect((error as ControlApiError).message).toMatch(/status: /);
  expect((await control.provider("alchemy")).faults).toEqual([]);
});

test("PUT latency changes a provider's profile", async () => {
  const latency = await control.setLatency("drpc", { http: { baseMs: 150 } });
  expect(latency.http).toMatchObject({ baseMs: 150, jitterMs: 0 });
  const started = Date.now();
  await rpc(local.providers.drpc.httpUrl, call("eth_chainId"));
  expect(Date.now() - started).toBeGreaterThanOrEqual(145);
  await control.setLatency("drpc", { http: {} });
});

test("stats count requests by method, faults by kind and open sockets", async () => {
  const alchemy = local.providers.alchemy;
  await rpc(alchemy.httpUrl, [call("eth_chainId", [], 1), call("eth_blockNumber", [], 2)]);
  await control.setFault("alchemy", "http-429");
  await rpc(alchemy.httpUrl, call("eth_chainId"));
  const socket = new WebSocket(alchemy.wsUrl);
  await new Promise((resolve) => socket.once("open", resolve));
  try {
    const stats = await control.stats("alchemy");
    expect(stats.requestsByMethod).toEqual({ eth_chainId: 2, eth_blockNumber: 1 });
    expect(stats.httpRequests).toBe(2);
    expect(stats.faultsApplied).toEqual({ "http-429": 1 });
    expect(stats.wsConnectionsOpen).toBe(1);
    expect(stats.wsConnectionsTotal).toBe(1);
  } finally {
    socket.terminate();
  }
  await waitFor("the socket to be counted closed", async () => (await control.stats("alchemy")).wsConnectionsOpen === 0);
  const reset = await control.resetStats("alchemy");
  expect(reset.requestsByMethod).toEqual({});
});

test("default latency profiles differ per provider", async () => {
  const bases = PROVIDER_NAMES.map((name) => DEFAULT_LATENCY[name].http.baseMs);
  expect(new Set(bases).size).toBe(4);
  for (const base of bases) {
    expect(base).toBeGreaterThanOrEqual(2);
    expect(base).toBeLessThanOrEqual(40);
  }
});

test("stop() is prompt with a held request and open sockets, and reports its port", async () => {
  const solo = await ProviderProxy.start({ name: "solo", upstream: anvil });
  expect(solo.port).toBeGreaterThan(0);
  solo.setFault({ kind: "stall", scope: "http" });
  const held = rpc(solo.httpUrl, call("eth_chainId"), 5000).then(
    () => "answered",
    () => "failed",
  );
  const socket = new WebSocket(solo.wsUrl);
  const closed = new Promise((resolve) => socket.once("close", resolve));
  await new Promise((resolve) => socket.once("open", resolve));
  await waitFor("the held request to arrive", () => solo.stats().httpRequests === 1);

  const started = Date.now();
  await solo.stop();
  expect(Date.now() - started).toBeLessThan(500);
  expect(await held).toBe("failed");
  await closed;
});
