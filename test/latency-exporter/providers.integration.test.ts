import { LATENCY_EXPORTER_METRICS as M, PROBE_METHODS, PROCESS_METRICS } from "../../services/metrics/catalogue";
import { PROVIDERS, startExporterStack, type ExporterStack } from "./exporter-stack";

jest.setTimeout(90_000);

/** The latency exporter against anvil and the four local providers (zero latency unless a test adds some). */
describe("latency exporter on the four local providers", () => {
  let stack: ExporterStack;
  beforeAll(async () => {
    stack = await startExporterStack();
  });
  afterEach(async () => {
    await stack.reset();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const errors = (provider: string, labels: Record<string, string> = {}) => stack.metric(M.errors.name, { provider, ...labels });
  const allConnected = () => Promise.all(PROVIDERS.map((p) => stack.metric(M.wsConnected.name, { provider: p }))).then((v) => v.every((x) => x === 1));

  it("healthy: every provider's series are there, connected, live, on the right chain, with small lags and no errors", async () => {
    const service = await stack.startExporter();
    await stack.waitFor("every socket connected", allConnected);
    await stack.waitBlocks(6);
    for (const provider of PROVIDERS) {
      expect({ provider, live: await stack.metric(M.subscriptionLive.name, { provider }) }).toEqual({ provider, live: 1 });
      expect(await stack.metric(M.wrongChain.name, { provider })).toBe(0);
      expect(await stack.metric(M.headLagBlocks.name, { provider })).toBeLessThanOrEqual(1);
      expect(await stack.observations(M.headArrivalLag.name, { provider })).toBeGreaterThanOrEqual(3);
      // Zero added latency: every provider delivers each block within a few ms of the first.
      expect(await stack.quantile(M.headArrivalLag.name, 0.5, { provider })).toBeLessThan(0.05);
      const lastHeadS = await stack.metric(M.lastHeadSeconds.name, { provider });
      expect(Date.now() / 1000 - lastHeadS).toBeLessThan(5);
      for (const method of PROBE_METHODS) {
        expect(await stack.metric(M.requests.name, { provider, method })).toBeGreaterThanOrEqual(3);
        expect(await stack.observations(M.requestDuration.name, { provider, method })).toBeGreaterThanOrEqual(3);
      }
      expect(await errors(provider)).toBe(0);
    }
    const ready = await fetch(`${service.httpUrl}/readyz`);
    expect(ready.status).toBe(200);
    const text = await (await fetch(`${service.httpUrl}/metrics`)).text();
    for (const { name } of [...Object.values(M), PROCESS_METRICS.eventLoopDelay]) expect(text).toContain(name);
    expect(text).toContain('service="latency-exporter"');
  });

  it("a provider with added WebSocket latency shows it in its head arrival lag, and the others do not", async () => {
    await stack.providers.client.setFault("infura", "latency", { scope: "ws", addMs: 200 });
    await stack.startExporter();
    await stack.waitFor("every socket connected", allConnected);
    await stack.waitBlocks(8);
    expect(await stack.observations(M.headArrivalLag.name, { provider: "infura" })).toBeGreaterThanOrEqual(5);
    expect(await stack.quantile(M.headArrivalLag.name, 0.5, { provider: "infura" })).toBeGreaterThan(0.15);
    for (const provider of ["alchemy", "quicknode", "drpc"]) {
      expect({ provider, p50: await stack.quantile(M.headArrivalLag.name, 0.5, { provider }) }).toEqual({ provider, p50: expect.any(Number) });
      expect(await stack.quantile(M.headArrivalLag.name, 0.5, { provider })).toBeLessThan(0.05);
    }
    // Late is not behind: 200 ms on 300 ms blocks costs no block, and the subscription is alive.
    expect(await stack.metric(M.headLagBlocks.name, { provider: "infura" })).toBeLessThanOrEqual(1);
    expect(await stack.metric(M.subscriptionLive.name, { provider: "infura" })).toBe(1);
  });

  it("a silently stalled provider: subscription_live 0, head_lag_blocks grows, probes time out; it recovers once cleared", async () => {
    await stack.startExporter();
    await stack.waitFor("every socket connected", allConnected);
    await stack.waitBlocks(2);
    await stack.providers.client.setFault("quicknode", "stall");
    await stack.waitFor("quicknode not live", async () => (await stack.metric(M.subscriptionLive.name, { provider: "quicknode" })) === 0);
    await stack.waitFor("quicknode 4 blocks behind", async () => (await stack.metric(M.headLagBlocks.name, { provider: "quicknode" })) >= 4);
    // Silence is counted and the socket rebuilt; the rebuilt socket's handshake goes unanswered.
    await stack.waitFor("silence and an unanswered handshake counted", async () => (await errors("quicknode", { method: "newHeads", kind: "timeout" })) >= 2);
    expect(await stack.metric(M.wsConnected.name, { provider: "quicknode" })).toBe(0);
    await stack.waitFor("a probe timed out", async () => (await errors("quicknode", { method: "eth_chainId", kind: "timeout" })) >= 1);
    for (const provider of ["alchemy", "infura", "drpc"]) {
      expect(await stack.metric(M.subscriptionLive.name, { provider })).toBe(1);
      expect(await stack.metric(M.headLagBlocks.name, { provider })).toBeLessThanOrEqual(1);
    }
    expect(stack.exporter().exporter.ready()).toBe(true);

    await stack.providers.client.clearAllFaults();
    await stack.waitFor("quicknode live again", async () => (await stack.metric(M.subscriptionLive.name, { provider: "quicknode" })) === 1, 20_000);
    await stack.waitFor("quicknode caught up", async () => (await stack.metric(M.headLagBlocks.name, { provider: "quicknode" })) <= 1);
  });

  it("429, 5xx and malformed answers are counted by kind next to their requests; a wrong chain at connect is reported", async () => {
    // Checked on connect: the socket reports chain 1, the HTTP side is right.
    await stack.providers.client.setFault("alchemy", "wrong-chain", { scope: "ws", chainId: 1 });
    await stack.providers.client.setFault("drpc", "http-429", { scope: "http" });
    await stack.providers.client.setFault("infura", "http-5xx", { scope: "http", status: 502 });
    await stack.providers.client.setFault("quicknode", "malformed", { scope: "http", methods: ["eth_getBlockByNumber"] });
    await stack.startExporter();
    const errorsOf = (provider: string, method: string, kind: string) => errors(provider, { method, kind });
    await stack.waitFor("every kind counted", async () =>
      (await errorsOf("drpc", "eth_getLogs", "http_429")) >= 2 &&
      (await errorsOf("infura", "eth_getLogs", "http_5xx")) >= 2 &&
      (await errorsOf("quicknode", "eth_getBlockByNumber", "malformed")) >= 2 &&
      (await errorsOf("alchemy", "newHeads", "wrong_chain")) >= 1,
    );
    for (const method of PROBE_METHODS) {
      const requests = await stack.metric(M.requests.name, { provider: "drpc", method });
      expect(await errorsOf("drpc", method, "http_429")).toBeGreaterThanOrEqual(requests - 1);
    }
    expect(await errorsOf("infura", "eth_blockNumber", "http_5xx")).toBeGreaterThanOrEqual(1);
    // Only the faulted method fails on quicknode, and its requests are still counted.
    expect(await errorsOf("quicknode", "eth_blockNumber", "malformed")).toBe(0);
    expect(await stack.metric(M.requests.name, { provider: "quicknode", method: "eth_getBlockByNumber" })).toBeGreaterThanOrEqual(2);
    expect(await stack.metric(M.wrongChain.name, { provider: "alchemy" })).toBe(1);
    expect(await stack.metric(M.wsConnected.name, { provider: "alchemy" })).toBe(0);
    expect(await stack.observations(M.headArrivalLag.name, { provider: "alchemy" })).toBe(0);
    // HTTP faults leave the sockets alone: the other three still deliver heads.
    await stack.waitFor("the others connected", async () =>
      (await Promise.all(["quicknode", "infura", "drpc"].map((p) => stack.metric(M.wsConnected.name, { provider: p })))).every((v) => v === 1),
    );
    expect(await stack.metric(M.wrongChain.name, { provider: "drpc" })).toBe(0);
  });

  it("WebSocket failures are counted under newHeads by kind: refused upgrade (5xx), throttled handshake, dropped socket", async () => {
    await stack.providers.client.setFault("infura", "http-5xx", { scope: "ws", status: 503 });
    await stack.providers.client.setFault("drpc", "http-429", { scope: "ws" });
    await stack.providers.client.setFault("quicknode", "drop-subscriptions", { mode: "close", closeCode: 4000 });
    await stack.startExporter();
    const subscriptionErrors = (provider: string, kind: string) => errors(provider, { method: "newHeads", kind });
    await stack.waitFor("each kind counted", async () =>
      (await subscriptionErrors("infura", "http_5xx")) >= 1 &&
      (await subscriptionErrors("drpc", "http_429")) >= 1 &&
      (await subscriptionErrors("quicknode", "network")) >= 1,
    );
    // The HTTP side of the same providers is fine, and alchemy is untouched.
    for (const provider of ["infura", "drpc", "quicknode"]) expect(await errors(provider, { method: "eth_blockNumber" })).toBe(0);
    expect(await errors("alchemy")).toBe(0);
    expect(await stack.metric(M.wsConnected.name, { provider: "infura" })).toBe(0);
    expect(stack.exporter().exporter.ready()).toBe(true);
  });

  it("a provider whose HTTP side reports the wrong chain is flagged, and its (fastest) heads never set the pace", async () => {
    // alchemy's socket is the only fast one: if its heads counted, the other three would all show ~100 ms of lag.
    for (const provider of ["quicknode", "infura", "drpc"]) {
      await stack.providers.client.setFault(provider, "latency", { scope: "ws", addMs: 100 });
    }
    await stack.providers.client.setFault("alchemy", "wrong-chain", { scope: "http", chainId: 80002 });
    await stack.startExporter();
    await stack.waitFor("every socket connected", allConnected);
    await stack.waitBlocks(6);
    expect(await stack.metric(M.wrongChain.name, { provider: "alchemy" })).toBe(1);
    expect(await errors("alchemy", { method: "eth_chainId", kind: "wrong_chain" })).toBeGreaterThanOrEqual(2);
    // A wrong-chain provider gets no further probes in a round.
    expect(await stack.metric(M.requests.name, { provider: "alchemy", method: "eth_getLogs" })).toBe(0);
    expect(await stack.observations(M.headArrivalLag.name, { provider: "alchemy" })).toBe(0);
    expect(await stack.metric(M.subscriptionLive.name, { provider: "alchemy" })).toBe(0);
    for (const provider of ["quicknode", "infura", "drpc"]) {
      expect(await stack.observations(M.headArrivalLag.name, { provider })).toBeGreaterThanOrEqual(3);
      expect(await stack.quantile(M.headArrivalLag.name, 0.5, { provider })).toBeLessThan(0.05);
    }
    expect(stack.exporter().exporter.ready()).toBe(true);

    // Right again: trusted from the next probe on.
    await stack.providers.client.clearFault("alchemy", "wrong-chain");
    await stack.waitFor("alchemy trusted again", async () => (await stack.metric(M.wrongChain.name, { provider: "alchemy" })) === 0);
    await stack.waitFor("alchemy heads counted", async () => (await stack.observations(M.headArrivalLag.name, { provider: "alchemy" })) >= 1);
  });
});
