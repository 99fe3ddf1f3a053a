/**
 * Triage against a real Prometheus scraping the local stack (anvil, four providers, listener, executor, venue) while a
 * leader trades: an injected provider fault must be named as that provider, an event-loop stall as us.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { LocalStack } from "../../services/local-stack/stack";
import { NoDataError } from "../../services/triage/collect";
import { PrometheusApi, PrometheusApiError } from "../../services/triage/prometheus-api";
import { triageObjectives } from "../../services/triage/objectives";
import { runTriage } from "../../services/triage/triage";
import { freePort } from "../support/nats-server";
import { OBSERVED_REGION as REGION, startObservedStack, type ObservedStack } from "../support/observed-stack";
import type { TestPrometheus } from "../support/prometheus";
import { waitFor } from "../support/wait";

const ROOT = path.join(__dirname, "..", "..");
const OBJECTIVES = triageObjectives();

/** Blocks this process's event loop for `blockMs` out of every `everyMs`, for `totalMs`: a CPU-bound bug in our code. */
async function stallEventLoop(totalMs: number, blockMs: number, everyMs: number): Promise<void> {
  const end = Date.now() + totalMs;
  while (Date.now() < end) {
    const until = Date.now() + blockMs;
    while (Date.now() < until) {
      // busy: nothing else on this thread runs
    }
    await sleep(everyMs - blockMs);
  }
}

describe("triage: us or the RPC?", () => {
  let observed: ObservedStack;
  let stack: LocalStack;
  let prometheus: TestPrometheus;

  beforeAll(async () => {
    observed = await startObservedStack({ seed: "triage", latency: "zero" });
    ({ stack, prometheus } = observed);
    await prometheus.waitForScrapes(3);
  }, 90_000);

  afterAll(async () => {
    await observed?.stop();
  });

  const triage = (window: string) =>
    runTriage({ prometheusUrl: prometheus.url, window, region: REGION, json: false }, OBJECTIVES);

  /** Bounded: Prometheus needs a few scrapes of the new behaviour before a rate over the window shows it. */
  async function triageUntil(window: string, accept: (culpritKind: string, text: string) => boolean, timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    let last = await triage(window);
    while (!accept(last.verdict.culprit.kind, last.text) && Date.now() < deadline) {
      await sleep(1000);
      last = await triage(window);
    }
    return last;
  }

  it("reads a healthy stack: copies accepted, every provider reported, no provider blamed", async () => {
    const result = await triageUntil("20s", () => true, 0);
    const healthy = await triageUntil("20s", (_k, text) => /over \d+ events/.test(text), 20_000);
    expect(healthy.reading.copy.count).toBeGreaterThan(0);
    expect(healthy.reading.providers.map((p) => p.name)).toEqual(["alchemy", "drpc", "infura", "quicknode"]);
    expect(healthy.reading.processes.map((p) => p.service)).toEqual(expect.arrayContaining(["executor", "listener", "latency-exporter"]));
    // The exporter's independent view of every provider is in the reading too.
    for (const p of healthy.reading.providers) expect(p.probeArrivalLagP99Seconds).toEqual(expect.any(Number));
    expect(result.verdict.culprit.kind).not.toBe("provider");
    expect(healthy.text).toMatch(/End to end \(leader fill first seen → copy accepted\): p50 [\d.]+ [mµ]?s, p99/);
  }, 40_000);

  it("names the provider whose messages arrive late", async () => {
    await stack.providers.client.setFault("infura", "latency", { addMs: 700 });
    try {
      const result = await triageUntil("15s", (kind, text) => kind === "provider" && text.includes("VERDICT: RPC provider infura"), 45_000);
      expect(result.verdict.culprit).toEqual({ kind: "provider", name: "infura" });
      // Late messages show as arrival lag, or, once the backlog outgrows a block time, as head lag: either names infura.
      expect(result.text).toMatch(/\nVERDICT: RPC provider infura: [^\n]*\(infura[^\n]*\(budget [^\n]+\)\n/);
      const blamed = new Set(result.verdict.suspects.flatMap((s) => (s.culprit.kind === "provider" ? [s.culprit.name] : [])));
      expect([...blamed]).toEqual(["infura"]);
    } finally {
      await stack.providers.client.clearAllFaults();
    }
  }, 60_000);

  it("names us when our event loop stalls", async () => {
    // The previous test's provider must have caught up before the stall starts, or its lag would share the window.
    await waitFor(
      "every provider back at the head",
      async () => {
        const lag = await prometheus.api.query(`max(polysync_rpc_head_lag_blocks{region="${REGION}"}) + max(polysync_probe_head_lag_blocks{region="${REGION}"})`);
        return lag.length === 1 && lag[0]!.value === 0;
      },
      30_000,
      500,
    );
    await sleep(2000);
    await stallEventLoop(12_000, 250, 400);
    const result = await triageUntil("10s", (kind) => kind === "us", 10_000);
    expect(result.verdict.culprit.kind).toBe("us");
    expect(result.text).toMatch(/\nVERDICT: us \((listener|executor|latency-exporter)\): /);
    const stalls = result.verdict.suspects.filter((s) => s.what.startsWith("event-loop delay p99"));
    expect(stalls.length).toBeGreaterThan(0);
    for (const stall of stalls) expect(stall.value).toBeGreaterThan(0.1);
    expect(result.verdict.suspects.some((s) => s.culprit.kind === "provider")).toBe(false);
  }, 70_000);

  it("says which regions exist when asked for one without data", async () => {
    const api = new PrometheusApi({ url: prometheus.url });
    const err = await runTriage({ prometheusUrl: prometheus.url, window: "5m", region: "eu-9", json: false }, OBJECTIVES).catch((e: Error) => e);
    expect(err).toBeInstanceOf(NoDataError);
    expect((err as Error).message).toBe(`Prometheus has no scrape targets for region "eu-9"; regions it has: ${REGION}`);
    await expect(api.query("rate(up[")).rejects.toThrow(/Prometheus rejected the query \(bad_data: .*\): rate\(up\[/);
  });

  it("fails clearly on an unreachable Prometheus or something that is not one", async () => {
    const closed = await freePort();
    await expect(new PrometheusApi({ url: `http://127.0.0.1:${closed}` }).query("up")).rejects.toThrow(
      new PrometheusApiError(`cannot reach Prometheus at http://127.0.0.1:${closed}: ECONNREFUSED`),
    );
    // The listener's health server is HTTP but not Prometheus.
    await expect(new PrometheusApi({ url: stack.listener.httpUrl! }).query("up")).rejects.toThrow(/is this a Prometheus\?/);
    expect(() => new PrometheusApi({ url: "prometheus:9090" })).toThrow(/must be http:\/\/ or https:\/\//);
  });

  it("as a command: prints the report and verdict, and exits 2 on bad arguments and 3 when Prometheus is unreachable", async () => {
    const run = (args: string[]) =>
      spawnSync(process.execPath, ["--import", "tsx", "services/triage/main.ts", ...args], { cwd: ROOT, encoding: "utf8", timeout: 30_000 });
    const ok = run(["--prometheus", prometheus.url, "--region", REGION, "--window", "1m"]);
    expect(ok.stderr).toBe("");
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^Poly Syncer triage: region local-1, last 1m/);
    expect(ok.stdout).toMatch(/\nVERDICT: /);
    const json = JSON.parse(run(["--prometheus", prometheus.url, "--region", REGION, "--json"]).stdout);
    expect(json.verdict.summary).toEqual(expect.any(String));
    const bad = run(["--window", "soon"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^triage: --window "soon" is not a duration/);
    const closed = await freePort();
    const down = run(["--prometheus", `http://127.0.0.1:${closed}`]);
    expect(down.status).toBe(3);
    expect(down.stderr).toBe(`triage: cannot reach Prometheus at http://127.0.0.1:${closed}: ECONNREFUSED\n`);
  }, 60_000);
});
