import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { NatsBus } from "../../services/bus/nats";
import { startAnvil, type Anvil } from "../../services/devchain/anvil";
import { installStandInExchanges } from "../../services/devchain/exchanges";
import { TradeSimulator } from "../../services/devchain/simulator";
import type { CopyIntent } from "../../services/intents/intent";
import { POLYGON_EXCHANGES } from "../../services/polymarket/exchanges";
import { threadCpus } from "../../services/shared/event-loop-cpu";
import { startLocalProviders, type LocalProviders } from "../../services/rpc-proxy/local-providers";
import { clockTicksPerSecond, parseProcStat } from "../bench/fanout-cpu";
import { providersWithKeyInPath } from "../support/key-leaks";
import { freePort, startNatsServer, type NatsServer } from "../support/nats-server";
import { LEADER_A, TEST_SUBSCRIBERS } from "../support/listener-stack";
import { runServiceProcess } from "../support/service-process";
import { waitFor } from "../support/wait";

jest.setTimeout(60_000);

const API_KEY = "sk-test-3c9f1e-do-not-log";

function run(configFile: string, env: NodeJS.ProcessEnv) {
  return runServiceProcess("listener", configFile, env);
}

/** CPU time of a process's main thread (utime + stime from /proc) over `ms` of wall time. */
async function mainThreadCpuShare(pid: number, ms: number): Promise<number> {
  const ticks = () => parseProcStat(readFileSync(`/proc/${pid}/task/${pid}/stat`, "utf8")).cpuTicks;
  const before = ticks();
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, ms));
  return ((ticks() - before) / clockTicksPerSecond()) * 1000 / (performance.now() - started);
}

/** The production entry point (`listener --config`) as its own process, publishing to a real NATS JetStream. */
describe("listener process (main.ts) on NATS", () => {
  let anvil: Anvil;
  let providers: LocalProviders;
  let nats: NatsServer;
  let dir: string;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    anvil = await startAnvil({ blockTimeMs: 300 });
    await installStandInExchanges(anvil.httpUrl);
    providers = await startLocalProviders(anvil, { latency: "zero" });
    nats = await startNatsServer();
    dir = mkdtempSync(path.join(tmpdir(), "listener-process-"));
    writeFileSync(path.join(dir, "subscribers.json"), JSON.stringify(TEST_SUBSCRIBERS));
  });
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill("SIGKILL");
    await providers?.stop();
    await nats?.stop();
    await anvil?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function config(port: number, overrides: Record<string, unknown> = {}) {
    return {
      region: "local",
      chain: { chainId: 137, blockTimeMs: 300 },
      exchanges: POLYGON_EXCHANGES,
      providers: providersWithKeyInPath(Object.values(providers.providers), "RPC_API_KEY"),
      subscribersFile: "subscribers.json",
      bus: { kind: "nats", servers: [nats.url], shardCount: 4 },
      http: { host: "127.0.0.1", port },
      ...overrides,
    };
  }

  it("detects a fill, publishes intents to JetStream, serves health and metrics without the API key, stops on SIGTERM", async () => {
    const port = await freePort();
    const file = path.join(dir, "listener.json");
    writeFileSync(file, JSON.stringify(config(port, { isolateEventLoopCpu: true, busyPollEventLoop: true })));
    const proc = run(file, { RPC_API_KEY: API_KEY });
    child = proc.child;
    const base = `http://127.0.0.1:${port}`;
    await waitFor("readyz 200", async () => (await fetch(`${base}/readyz`).catch(() => undefined))?.status === 200, 20_000, 50);

    const consumer = await NatsBus.connect({ servers: nats.url, shardCount: 4 });
    const received: CopyIntent[] = [];
    await consumer.subscribe([0, 1, 2, 3], (m) => {
      if (m.kind === "intent") received.push(m);
    });
    const sim = await TradeSimulator.create({ rpcUrl: anvil.httpUrl, seed: "process-test" });
    const { leaderFills } = await sim.leaderAsMaker({ leader: LEADER_A });
    await waitFor("two intents on NATS", () => received.filter((i) => i.source.txHash === leaderFills[0].txHash.toLowerCase()).length === 2, 20_000, 50);
    expect(received.map((i) => i.subscriberId).sort()).toEqual(["alice", "bob"]);
    await consumer.close();

    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain("polysync_listener_leader_fills_total");
    expect(metrics).not.toContain(API_KEY);
    const ready = await (await fetch(`${base}/readyz`)).text();
    expect(ready).not.toContain(API_KEY);

    // isolateEventLoopCpu: the process inherited this worker's CPUs; its event loop now has the highest alone.
    const allowed = await threadCpus(process.pid, process.pid);
    const health = (await (await fetch(`${base}/healthz`)).json()) as { detail: { eventLoopCpu: number | string; busyPoll: boolean } };
    const pid = proc.child.pid!;
    if (allowed.length >= 2) {
      const eventLoopCpu = allowed[allowed.length - 1]!;
      expect(health.detail.eventLoopCpu).toBe(eventLoopCpu);
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        expect(await threadCpus(pid, tid)).toEqual(Number(tid) === pid ? [eventLoopCpu] : allowed.slice(0, -1));
      }
      // busyPollEventLoop: the main thread runs whenever it gets its CPU; sleeping between blocks it would use ~2 %.
      expect(health.detail.busyPoll).toBe(true);
      expect(await mainThreadCpuShare(pid, 500)).toBeGreaterThan(0.25);
    } else {
      expect(health.detail.eventLoopCpu).toBe("shared");
      expect(health.detail.busyPoll).toBe(false);
    }

    proc.child.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
    expect(proc.output.text).toContain("listener started");
    expect(proc.output.text).toContain(allowed.length >= 2 ? "event loop alone on its CPU" : "event loop not isolated");
    expect(proc.output.text).toContain(allowed.length >= 2 ? "event loop busy-polling" : "event loop not busy-polling");
    expect(proc.output.text).toContain("leader fill");
    expect(proc.output.text).not.toContain(API_KEY);
  });

  it("a bad config or a missing key stops at start with a message naming what is wrong", async () => {
    const bad = path.join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify(config(0, { chain: { chainId: 137, blockTimeMs: "fast" } })));
    const first = run(bad, { RPC_API_KEY: API_KEY });
    expect(await first.exited).toBe(1);
    expect(first.output.text).toMatch(/bad\.json: chain\.blockTimeMs: Invalid input: expected number, received string/);

    const good = path.join(dir, "nokey.json");
    writeFileSync(good, JSON.stringify(config(0)));
    const second = run(good, { RPC_API_KEY: "" });
    expect(await second.exited).toBe(1);
    expect(second.output.text).toContain("providers.alchemy: environment variable RPC_API_KEY is empty or unset");
  });
});
