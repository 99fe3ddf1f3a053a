import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startAnvil, type Anvil } from "../../services/devchain/anvil";
import { POLYGON_EXCHANGES } from "../../services/polymarket/exchanges";
import { startLocalProviders, type LocalProviders } from "../../services/rpc-proxy/local-providers";
import { stopChildProcess } from "../../services/shared/child-process";
import { expectNoKey, providersWithKeyInPath } from "../support/key-leaks";
import { freePort } from "../support/nats-server";
import { runServiceProcess } from "../support/service-process";
import { waitFor } from "../support/wait";

jest.setTimeout(60_000);

/** Hex, so test/support/key-leaks.ts also finds it upper-cased, base64-encoded or as a decimal. */
const API_KEY = randomBytes(32).toString("hex");

const runExporter = (configFile: string, env: NodeJS.ProcessEnv) => runServiceProcess("latency-exporter", configFile, env);

describe("latency exporter process (main.ts)", () => {
  let anvil: Anvil;
  let providers: LocalProviders;
  let dir: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    anvil = await startAnvil({ blockTimeMs: 300 });
    providers = await startLocalProviders(anvil, { latency: "zero" });
    dir = mkdtempSync(path.join(tmpdir(), "latency-exporter-process-"));
  });
  afterEach(async () => {
    await Promise.all(children.splice(0).map((child) => stopChildProcess(child, 1000)));
    await providers.client.clearAllFaults();
  });
  afterAll(async () => {
    await providers?.stop();
    await anvil?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function writeConfig(name: string, port: number, overrides: Record<string, unknown> = {}): string {
    const file = path.join(dir, name);
    const config = {
      region: "local",
      chain: { chainId: 137, blockTimeMs: 300 },
      exchanges: POLYGON_EXCHANGES,
      providers: providersWithKeyInPath(Object.values(providers.providers), "RPC_API_KEY"),
      probe: { intervalMs: 200, timeoutMs: 500 },
      http: { host: "127.0.0.1", port },
      ...overrides,
    };
    writeFileSync(file, JSON.stringify(config));
    return file;
  }

  it("serves metrics and health, keeps the API key out of every output even while providers fail, ignores SIGHUP, stops on SIGTERM", async () => {
    // Failures make the error paths log: wrong chain, throttling, a refused WebSocket upgrade, a silent stall.
    await providers.client.setFault("alchemy", "wrong-chain", { chainId: 1 });
    await providers.client.setFault("drpc", "http-429", { scope: "http" });
    await providers.client.setFault("infura", "http-5xx", { status: 503 });
    const port = await freePort();
    const proc = runExporter(writeConfig("exporter.json", port), { RPC_API_KEY: API_KEY });
    children.push(proc.child);
    const base = `http://127.0.0.1:${port}`;
    await waitFor("readyz 200", async () => (await fetch(`${base}/readyz`).catch(() => undefined))?.status === 200, 20_000, 50);
    const metrics = async () => (await fetch(`${base}/metrics`)).text();
    await waitFor("errors of every faulted provider counted", async () => {
      const text = await metrics();
      return ["alchemy", "drpc", "infura"].every((p) => new RegExp(`polysync_probe_errors_total\\{[^}]*provider="${p}"[^}]*\\} [1-9]`).test(text));
    }, 10_000, 50);
    // Live first: a subscription that has not delivered its first head yet also reads 0, and would end the wait below
    // before the stall was ever detected.
    await waitFor("quicknode live", async () => /polysync_probe_subscription_live\{[^}]*provider="quicknode"[^}]*\} 1/.test(await metrics()), 10_000, 50);
    await providers.client.setFault("quicknode", "stall");
    await waitFor("quicknode silent", async () => /polysync_probe_subscription_live\{[^}]*provider="quicknode"[^}]*\} 0/.test(await metrics()), 10_000, 50);

    // Nothing to reload: SIGHUP must not end it (its default action would); the exit code 0 below proves it lived on.
    proc.child.kill("SIGHUP");
    expect((await fetch(`${base}/healthz`)).status).toBe(200);

    const served = [await metrics(), await (await fetch(`${base}/healthz`)).text(), await (await fetch(`${base}/readyz`)).text()].join("\n");
    expect(served).toMatch(/polysync_probe_wrong_chain\{[^}]*provider="alchemy"[^}]*\} 1/);
    proc.child.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
    expect(proc.output.text).toContain("latency exporter started");
    expect(proc.output.text).toContain("provider is on the wrong chain");
    expect(proc.output.text).toContain("newHeads subscription silent while other providers advance");
    for (const text of [proc.output.text, served]) {
      expectNoKey(text, `0x${API_KEY}`);
      expect(text).not.toContain("/v2/");
    }
  });

  it("a bad config or a missing key stops the start with a message naming what is wrong, and nothing else", async () => {
    const bad = runExporter(writeConfig("bad.json", 0, { probe: { intervalMs: "soon" } }), { RPC_API_KEY: API_KEY });
    children.push(bad.child);
    expect(await bad.exited).toBe(1);
    expect(bad.output.text).toMatch(/^latency-exporter: .*bad\.json: probe\.intervalMs: Invalid input: expected number, received string\n$/);

    const noKey = runExporter(writeConfig("nokey.json", 0), { RPC_API_KEY: "" });
    children.push(noKey.child);
    expect(await noKey.exited).toBe(1);
    expect(noKey.output.text).toBe("latency-exporter: providers.alchemy: environment variable RPC_API_KEY is empty or unset\n");
  });
});
