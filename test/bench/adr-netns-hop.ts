/**
 * ADR 0002 (runbooks/decisions/0002-kubernetes-vs-systemd.md): the smallest extra hop a pod network adds, measured on
 * one machine. A pod talks through its own network namespace and a veth pair to the host. This measures a TCP request/
 * response round trip (64 bytes each way, one connection, like a NATS publish and its ack) over loopback in the host
 * namespace, then through a veth pair into a second namespace. It does not cover an overlay (VXLAN/Geneve), NAT,
 * kube-proxy or a second host: there is no cluster here, so those figures come from public benchmarks cited in the ADR.
 *
 *   npx tsx test/bench/adr-netns-hop.ts [--round-trips 20000] [--reps 3]
 *
 * Needs root (`ip netns`, `ip link`). Creates the namespace `adrhop` and the veth pair `adrhop0`/`adrhop1` on
 * 10.254.254.0/30, and removes them at the end, even after a failure. Standalone; not part of the jest suite. Prints
 * JSON on stdout.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

const { values: args } = parseArgs({
  options: { "round-trips": { type: "string", default: "20000" }, reps: { type: "string", default: "3" } },
  strict: true,
});
const ROUND_TRIPS = Number(args["round-trips"]);
const REPS = Number(args.reps);
const NS = "adrhop";
const HOST_IF = "adrhop0";
const NS_IF = "adrhop1";
const HOST_IP = "10.254.254.1";
const NS_IP = "10.254.254.2";
const PORT = 47_011;
const dir = mkdtempSync(path.join(os.tmpdir(), "adr-netns-"));
const SERVER = `require("net").createServer((s) => { s.setNoDelay(true); s.on("data", (d) => s.write(d)); }).listen(${PORT}, process.argv[2], () => console.log("ready"));`;
writeFileSync(path.join(dir, "echo.js"), SERVER);

function sh(cmd: string, argv: string[], allowFail = false): void {
  const r = spawnSync(cmd, argv, { encoding: "utf8" });
  if (r.status !== 0 && !allowFail) throw new Error(`${cmd} ${argv.join(" ")}: ${r.stderr || r.error}`);
}

function setUp(): void {
  sh("ip", ["netns", "add", NS]);
  sh("ip", ["link", "add", HOST_IF, "type", "veth", "peer", "name", NS_IF]);
  sh("ip", ["link", "set", NS_IF, "netns", NS]);
  sh("ip", ["addr", "add", `${HOST_IP}/30`, "dev", HOST_IF]);
  sh("ip", ["link", "set", HOST_IF, "up"]);
  sh("ip", ["netns", "exec", NS, "ip", "addr", "add", `${NS_IP}/30`, "dev", NS_IF]);
  sh("ip", ["netns", "exec", NS, "ip", "link", "set", NS_IF, "up"]);
  sh("ip", ["netns", "exec", NS, "ip", "link", "set", "lo", "up"]);
}

function tearDown(): void {
  sh("ip", ["link", "del", HOST_IF], true);
  sh("ip", ["netns", "del", NS], true);
}

async function startServer(inNamespace: boolean): Promise<ChildProcess> {
  const argv = inNamespace
    ? ["netns", "exec", NS, process.execPath, path.join(dir, "echo.js"), NS_IP]
    : [path.join(dir, "echo.js"), "127.0.0.1"];
  const child = spawn(inNamespace ? "ip" : process.execPath, argv, { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => d.toString().includes("ready") && resolve());
    child.on("exit", (code) => reject(new Error(`echo server exited with ${code}`)));
  });
  return child;
}

async function roundTrips(host: string): Promise<number[]> {
  const socket = net.connect({ host, port: PORT, noDelay: true });
  await new Promise((resolve) => socket.once("connect", resolve));
  const payload = Buffer.alloc(64, 7);
  const us: number[] = [];
  let pending: (() => void) | undefined;
  let got = 0;
  socket.on("data", (d: Buffer) => {
    got += d.length;
    if (got >= payload.length && pending) {
      got -= payload.length;
      const p = pending;
      pending = undefined;
      p();
    }
  });
  for (let i = 0; i < ROUND_TRIPS + 1000; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      pending = resolve;
      socket.write(payload);
    });
    if (i >= 1000) us.push((performance.now() - t0) * 1000); // the first 1,000 warm the path up
  }
  socket.destroy();
  return us;
}

function quantiles(xs: number[]): Record<string, number> {
  const s = Float64Array.from(xs).sort();
  const q = (p: number) => Math.round(s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]! * 10) / 10;
  return { p50: q(0.5), p99: q(0.99), p999: q(0.999), max: q(1) };
}

async function main(): Promise<void> {
  const started = new Date().toISOString();
  const loadavgAtStart = os.loadavg();
  const runs: Record<string, Record<string, number>[]> = { "loopback, host namespace": [], "veth into a second namespace": [] };
  tearDown();
  try {
    setUp();
    for (let r = 0; r < REPS; r++) {
      for (const [name, inNs] of [["loopback, host namespace", false], ["veth into a second namespace", true]] as const) {
        const server = await startServer(inNs);
        try {
          runs[name]!.push(quantiles(await roundTrips(inNs ? NS_IP : "127.0.0.1")));
        } finally {
          server.kill();
        }
      }
    }
  } finally {
    tearDown();
    rmSync(dir, { recursive: true, force: true });
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
  const summary = Object.fromEntries(
    Object.entries(runs).map(([name, rs]) => [name, Object.fromEntries(["p50", "p99", "p999", "max"].map((k) => [`${k}Us`, median(rs.map((r) => r[k]!))]))]),
  );
  console.log(JSON.stringify({ script: "test/bench/adr-netns-hop.ts", started, node: process.version, kernel: os.release(), roundTrips: ROUND_TRIPS, reps: REPS, loadavgAtStart, loadavgAtEnd: os.loadavg(), summary, runs }, null, 2));
}

void main();
