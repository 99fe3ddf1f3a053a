import http from "node:http";
import type { AddressInfo } from "node:net";
import { AllProvidersFailedError } from "../../services/rpc/errors";
import { DEFAULT_HEDGE } from "../../services/rpc/hedge";
import { HttpRouter, type RpcObserver } from "../../services/rpc/http-router";
import { ProviderStatus } from "../../services/rpc/provider";
import { selectProviders } from "../../services/rpc/select";

type Behaviour = (res: http.ServerResponse, body: { id: number; method: string }) => void;

/** A real HTTP JSON-RPC endpoint on 127.0.0.1 whose answer is scripted per test. */
async function endpoint(behaviour: () => Behaviour) {
  let hits = 0;
  const server = http.createServer((req, res) => {
    let text = "";
    req.on("data", (c) => (text += c));
    req.on("end", () => {
      hits++;
      behaviour()(res, JSON.parse(text));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, hits: () => hits, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

const answer = (result: unknown, delayMs = 0): Behaviour => (res, body) =>
  setTimeout(() => {
    if (!res.destroyed) res.end(JSON.stringify({ jsonrpc: "2.0", id: body.id, result }));
  }, delayMs).unref();
const status = (code: number, headers: Record<string, string> = {}): Behaviour => (res) => {
  res.writeHead(code, headers);
  res.end("{}");
};

function recorder() {
  const events: string[] = [];
  const observer: RpcObserver = {
    requestSucceeded: (p, m) => events.push(`ok:${p}:${m}`),
    requestFailed: (p, k) => events.push(`fail:${p}:${k}`),
    hedged: (w) => events.push(`hedge:${w}`),
  };
  return { events, observer };
}

describe("HttpRouter against real HTTP endpoints", () => {
  const servers: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  async function providers(...behaviours: (() => Behaviour)[]) {
    const eps = await Promise.all(behaviours.map((b) => endpoint(b)));
    servers.push(...eps);
    const statuses = eps.map((e, i) => {
      const p = new ProviderStatus({ name: `p${i}`, httpUrl: e.url, wsUrl: "ws://unused" });
      p.chain = "ok";
      // Equal history so the order is p0, p1, … and p0's p95 (20 ms) sets the hedge delay.
      for (let k = 0; k < 30; k++) p.latency.record(20 + i);
      return p;
    });
    return { eps, statuses };
  }

  it("hedges a slow primary after its recent p95 and takes the hedge's answer", async () => {
    const { eps, statuses } = await providers(() => answer("0x1", 2000), () => answer("0x2", 0));
    const { events, observer } = recorder();
    const started = performance.now();
    const out = await new HttpRouter(statuses, observer).request("eth_blockNumber", []);
    const elapsed = performance.now() - started;
    expect(out).toEqual({ result: "0x2", provider: "p1", accepted: true });
    expect(elapsed).toBeLessThan(1000);
    expect(events).toContain("hedge:hedge");
    expect(eps[1].hits()).toBe(1);
  });

  it("does not hedge a primary that answers before the hedge delay", async () => {
    const { eps, statuses } = await providers(() => answer("0x1"), () => answer("0x2"));
    // A 1 s floor over the 20 ms p95: a loaded test box may answer late, which must not read as a hedge.
    const out = await new HttpRouter(statuses, undefined, { ...DEFAULT_HEDGE, floorMs: 1000 }).request("eth_blockNumber", []);
    expect(out.provider).toBe("p0");
    expect(eps[1].hits()).toBe(0);
  });

  it("honours 429 Retry-After: the provider is skipped until then and the next one answers at once", async () => {
    const { eps, statuses } = await providers(() => status(429, { "retry-after": "5" }), () => answer("0x2"));
    const { events, observer } = recorder();
    const router = new HttpRouter(statuses, observer);
    expect((await router.request("eth_blockNumber", [])).provider).toBe("p1");
    expect(events).toContain("fail:p0:http_429");
    expect(statuses[0].throttledUntilMs - Date.now()).toBeGreaterThan(4000);
    await router.request("eth_blockNumber", []);
    expect(eps[0].hits()).toBe(1);
  });

  it("fails over on 5xx and malformed bodies, then ranks the provider that answered first", async () => {
    const { statuses } = await providers(() => status(503), () => (res) => res.end("not json"), () => answer("0x3"));
    const { events, observer } = recorder();
    // No timed hedge: the second request's events must show the ranking alone, however slow a loaded box answers.
    const router = new HttpRouter(statuses, observer, { ...DEFAULT_HEDGE, defaultMs: 10_000, floorMs: 10_000 });
    expect((await router.request("eth_blockNumber", [])).result).toBe("0x3");
    expect(events).toEqual(["fail:p0:http_5xx", "fail:p1:malformed", "ok:p2:eth_blockNumber", "hedge:hedge"]);
    events.length = 0;
    expect((await router.request("eth_blockNumber", [])).provider).toBe("p2");
    expect(events).toEqual(["ok:p2:eth_blockNumber"]);
  });

  it("opens a provider's breaker after repeated failures and then leaves it out", async () => {
    const { eps, statuses } = await providers(() => status(503), () => (res) => res.end("not json"));
    const router = new HttpRouter(statuses);
    for (let i = 0; i < 5; i++) await expect(router.request("eth_blockNumber", [])).rejects.toBeInstanceOf(AllProvidersFailedError);
    expect(statuses[0].breaker.current(Date.now())).toBe("open");
    expect(statuses[1].breaker.current(Date.now())).toBe("open");
    const hits = eps[0].hits();
    await expect(router.request("eth_blockNumber", [])).rejects.toThrow(/no eligible provider/);
    expect(eps[0].hits()).toBe(hits);
  });

  it("an unacceptable answer moves on; with no acceptable answer the last one is returned marked unaccepted", async () => {
    const { statuses } = await providers(() => answer([]), () => answer([{ x: 1 }]));
    const router = new HttpRouter(statuses);
    const accept = (r: unknown) => Array.isArray(r) && r.length > 0;
    expect(await router.request("eth_getLogs", [{}], { accept })).toMatchObject({ provider: "p1", accepted: true });
    const { statuses: empty } = await providers(() => answer([]), () => answer([]));
    expect(await new HttpRouter(empty).request("eth_getLogs", [{}], { accept })).toMatchObject({ result: [], accepted: false });
  });

  it("times out stalled providers and names every failure", async () => {
    const stall: Behaviour = () => {};
    const { statuses } = await providers(() => stall, () => stall);
    const err = await new HttpRouter(statuses)
      .request("eth_blockNumber", [], { timeoutMs: 600, legTimeoutMs: 200 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AllProvidersFailedError);
    expect((err as Error).message).toMatch(/p0: eth_blockNumber timed out after 200 ms.*p1: eth_blockNumber timed out/);
  });
});

describe("HttpRouter ranking after lost races", () => {
  it("a hung provider asked only as the hedge keeps its slow ranking: a leg started after the winner proves nothing", async () => {
    const hung = await endpoint(() => () => {});
    const slow = await endpoint(() => answer("0x2", 60));
    try {
      const [p0, p1] = [slow, hung].map((e, i) => {
        const p = new ProviderStatus({ name: `p${i}`, httpUrl: e.url, wsUrl: "ws://unused" });
        p.chain = "ok";
        // p0 first (p95 10 ms, so the hedge to p1 goes out at 10 ms); p1 ranked far behind.
        for (let k = 0; k < 30; k++) p.latency.record(i === 0 ? 10 : 500);
        return p;
      });
      const out = await new HttpRouter([p0!, p1!]).request("eth_blockNumber", []);
      expect(out.provider).toBe("p0");
      expect(hung.hits()).toBe(1);
      // The hung leg ran ~50 ms when p0 answered; as a sample it would pull p1's ranking from 500 ms to ~390 ms.
      expect(p1!.latency.size).toBe(30);
      expect(p1!.latency.ewma).toBe(500);
    } finally {
      await hung.close();
      await slow.close();
    }
  });


  it("a provider whose legs keep losing to the hedge is demoted, so it stops being asked first", async () => {
    const stalled = await endpoint(() => () => {});
    const healthy = await endpoint(() => answer("0x2"));
    try {
      const statuses = [stalled, healthy].map((e, i) => {
        const p = new ProviderStatus({ name: `p${i}`, httpUrl: e.url, wsUrl: "ws://unused" });
        p.chain = "ok";
        for (let k = 0; k < 30; k++) p.latency.record(i === 0 ? 1 : 3);
        return p;
      });
      const router = new HttpRouter(statuses);
      for (let i = 0; i < 20; i++) await router.request("eth_blockNumber", []);
      expect(selectProviders(statuses, { nowMs: Date.now() }).map((p) => p.name)).toEqual(["p1", "p0"]);
      // Asked first, p0 would see every request; demoted, it sees only the hedge legs of slow p1 answers.
      const before = stalled.hits();
      for (let i = 0; i < 10; i++) expect((await router.request("eth_blockNumber", [])).provider).toBe("p1");
      expect(stalled.hits() - before).toBeLessThan(10);
    } finally {
      await stalled.close();
      await healthy.close();
    }
  });
});
