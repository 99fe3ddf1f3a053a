/**
 * ADR 0001 (runbooks/decisions/0001-ebpf-tracing.md): what the V8 flags that make a Node process visible to external
 * profilers (perf, bpftrace, Parca) cost, on a CPU-bound loop shaped like the listener's hot path.
 *
 *   npx tsx test/bench/adr-node-flags.ts [--reps 3] [--warmup-s 3] [--measure-s 5] [--cpu 1]
 *
 * One iteration = one "fill": JSON.parse of an eth_subscription log notification, the hex fields to BigInt, viem's
 * keccak256 over the packed (chain id, tx hash, log index, subscriber) as the intent id does, and JSON.stringify of
 * the intent. The child is plain JavaScript (no tsx), as the production bundle is. Per configuration it reports:
 * - startup: process start → 20,000 iterations done (where V8 compiles, and so writes the perf map);
 * - steady throughput (iterations/s) after `--warmup-s`, over `--measure-s`, and process CPU per iteration (user +
 *   system, all threads: a profiler's own thread counts; other processes on the core do not, so it is the steadier
 *   number on a shared machine);
 * - per-iteration p50/p99/max in the steady phase (a sampling profiler interrupts the thread it samples);
 * - RSS at the end, and the perf map's size.
 * Configurations run interleaved, `--reps` times, pinned to `--cpu` with taskset when it exists. Standalone; not part
 * of the jest suite. Prints JSON on stdout.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

const { values: args } = parseArgs({
  options: {
    reps: { type: "string", default: "3" },
    "warmup-s": { type: "string", default: "3" },
    "measure-s": { type: "string", default: "5" },
    cpu: { type: "string", default: "1" },
  },
  strict: true,
});
const REPS = Number(args.reps);
const dir = mkdtempSync(path.join(os.tmpdir(), "adr-node-flags-"));
const viem = require.resolve("viem");

const CHILD = `const { keccak256, encodePacked } = require(${JSON.stringify(viem)});
const WARMUP_MS = ${Number(args["warmup-s"]) * 1000}, MEASURE_MS = ${Number(args["measure-s"]) * 1000};
const t0 = performance.now() - process.uptime() * 1000; // process start on the performance clock
const hex = (n, len) => "0x" + n.toString(16).padStart(len, "0");
function notification(i) {
  return JSON.stringify({ jsonrpc: "2.0", method: "eth_subscription", params: { subscription: "0x9ce59a13059e417087c02d3236a0b1cc", result: {
    address: "0x4bfb41d5b3570defd03c39a9a4d8de6bd8b8982e", blockHash: hex(BigInt(i) * 7919n, 64), blockNumber: hex(60000000 + (i >> 4), 0),
    data: "0x" + [i, i * 3, i * 5, 0, i * 7].map((v) => BigInt(v).toString(16).padStart(64, "0")).join(""),
    logIndex: hex(i & 255, 0), removed: false,
    topics: ["0xd0a08e8c493f9c94f29311604c9de1b4e8c8d4c06bd0c789af57f2d65bfec0f6", hex(BigInt(i) * 104729n, 64), hex(0xabcdefn + BigInt(i & 3), 64), hex(0x1234n, 64)],
    transactionHash: hex(BigInt(i) * 1299709n, 64), transactionIndex: hex(i & 63, 0) } } });
}
const inputs = Array.from({ length: 1024 }, (_, i) => notification(i + 1));
function fill(i) {
  const log = JSON.parse(inputs[i & 1023]).params.result;
  const words = [];
  for (let w = 2; w < log.data.length; w += 64) words.push(BigInt("0x" + log.data.slice(w, w + 64)));
  const logIndex = Number(log.logIndex);
  const ids = [];
  for (let s = 0; s < 4; s++) ids.push(keccak256(encodePacked(["uint256", "bytes32", "uint32", "uint32"], [137n, log.transactionHash, logIndex, s])));
  return JSON.stringify({ v: 1, ids, maker: log.topics[2], size: (words[2] * 3n / 100n).toString(), price: Number(words[0] % 1000n) / 1000, block: Number(log.blockNumber) });
}
let i = 0, sink = 0;
while (i < 20000) sink += fill(i++).length;
const startupMs = performance.now() - t0;
const warmEnd = performance.now() + WARMUP_MS;
while (performance.now() < warmEnd) sink += fill(i++).length;
const lat = new Float64Array(2_000_000);
let n = 0;
const cpu0 = process.cpuUsage();
const start = performance.now(), end = start + MEASURE_MS;
let now = start;
while (now < end && n < lat.length) { sink += fill(i++).length; const t = performance.now(); lat[n++] = (t - now) * 1000; now = t; }
const cpu = process.cpuUsage(cpu0);
const steady = lat.subarray(0, n).sort();
const q = (p) => Math.round(steady[Math.min(n - 1, Math.ceil(p * n) - 1)] * 10) / 10;
console.log(JSON.stringify({ startupMs: Math.round(startupMs), perSecond: Math.round(n / ((now - start) / 1000)), cpuUsPerIteration: Math.round(((cpu.user + cpu.system) / n) * 100) / 100, p50Us: q(0.5), p99Us: q(0.99), maxUs: q(1), rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20), sink: sink > 0 }));
`;
writeFileSync(path.join(dir, "fill-loop.js"), CHILD);

const CONFIGS: Record<string, string[]> = {
  "no flags": [],
  "--perf-basic-prof": ["--perf-basic-prof"],
  "--perf-basic-prof-only-functions": ["--perf-basic-prof-only-functions"],
  "--interpreted-frames-native-stack": ["--interpreted-frames-native-stack"],
  "--perf-basic-prof --interpreted-frames-native-stack": ["--perf-basic-prof", "--interpreted-frames-native-stack"],
  "--cpu-prof (1 ms sampling)": ["--cpu-prof", `--cpu-prof-dir=${dir}`],
};

interface Sample {
  startupMs: number;
  perSecond: number;
  cpuUsPerIteration: number;
  p50Us: number;
  p99Us: number;
  maxUs: number;
  rssMiB: number;
  perfMapKiB?: number;
  cpuProfileKiB?: number;
}

const taskset = spawnSync("taskset", ["-V"]).status === 0 ? ["taskset", "-c", args.cpu!] : [];

function runOnce(flags: string[]): Sample | string {
  for (const f of readdirSync(dir)) if (f.endsWith(".cpuprofile")) rmSync(path.join(dir, f));
  const argv = [...taskset, process.execPath, ...flags, path.join(dir, "fill-loop.js")];
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", cwd: dir, timeout: 120_000 });
  const line = (r.stdout ?? "").split("\n").find((l) => l.startsWith("{"));
  if (!line) return `failed: ${r.stderr}`;
  const sample = JSON.parse(line) as Sample;
  const map = `/tmp/perf-${r.pid}.map`;
  if (existsSync(map)) {
    sample.perfMapKiB = Math.round(statSync(map).size / 1024);
    rmSync(map);
  }
  const profile = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
  if (profile) sample.cpuProfileKiB = Math.round(statSync(path.join(dir, profile)).size / 1024);
  return sample;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
}

function main(): void {
  const started = new Date().toISOString();
  const loadavgAtStart = os.loadavg();
  const samples: Record<string, Sample[]> = Object.fromEntries(Object.keys(CONFIGS).map((k) => [k, []]));
  const errors: string[] = [];
  for (let r = 0; r < REPS; r++) {
    for (const [name, flags] of Object.entries(CONFIGS)) {
      const s = runOnce(flags);
      if (typeof s === "string") errors.push(`${name}: ${s}`);
      else samples[name]!.push(s);
    }
  }
  const base = median(samples["no flags"]!.map((s) => s.perSecond));
  const baseCpu = median(samples["no flags"]!.map((s) => s.cpuUsPerIteration));
  const summary = Object.fromEntries(
    Object.entries(samples).map(([name, xs]) => {
      const perSecond = median(xs.map((s) => s.perSecond));
      return [
        name,
        {
          startupMs: median(xs.map((s) => s.startupMs)),
          perSecond,
          throughputVsNoFlags: `${(((perSecond - base) / base) * 100).toFixed(1)} %`,
          cpuUsPerIteration: median(xs.map((s) => s.cpuUsPerIteration)),
          cpuVsNoFlags: `${(((median(xs.map((s) => s.cpuUsPerIteration)) - baseCpu) / baseCpu) * 100).toFixed(1)} %`,
          p50Us: median(xs.map((s) => s.p50Us)),
          p99Us: median(xs.map((s) => s.p99Us)),
          maxUs: median(xs.map((s) => s.maxUs)),
          rssMiB: median(xs.map((s) => s.rssMiB)),
          ...(xs[0]?.perfMapKiB !== undefined ? { perfMapKiB: median(xs.map((s) => s.perfMapKiB ?? 0)) } : {}),
          ...(xs[0]?.cpuProfileKiB !== undefined ? { cpuProfileKiB: median(xs.map((s) => s.cpuProfileKiB ?? 0)) } : {}),
        },
      ];
    }),
  );
  rmSync(dir, { recursive: true, force: true });
  console.log(
    JSON.stringify(
      { script: "test/bench/adr-node-flags.ts", started, node: process.version, cores: os.cpus().length, pinned: taskset.join(" ") || "no", reps: REPS, loadavgAtStart, loadavgAtEnd: os.loadavg(), summary, runs: samples, errors },
      null,
      2,
    ),
  );
}

main();
