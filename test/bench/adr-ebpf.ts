/**
 * ADR 0001 (runbooks/decisions/0001-ebpf-tracing.md): can eBPF tools run on this machine, what does a probe cost the
 * traced Node process, and what can a sampled user stack of a JIT-compiled Node process name.
 *
 *   npx tsx test/bench/adr-ebpf.ts [--reps 3] [--calls 200000]
 *
 * Needs root and bpftrace (`apt-get install -y bpftrace` on Debian 12: v0.17). Tracepoints need tracefs mounted
 * (`mount -t tracefs nodev /sys/kernel/tracing`); the script reports whether it is and does not mount it.
 * Every step records its exact error instead of failing the run, so the output says what this environment forbids.
 *
 * 1. environment: kernel, the kernel config flags eBPF tracing depends on, BTF, tracefs, PMUs;
 * 2. one trivial probe per probe type (BEGIN, kprobe, tracepoint, uprobe, profile);
 * 3. cost per probe hit: `performance.now()` (which calls libuv's uv_hrtime once per call) with and without a uprobe
 *    on uv_hrtime, and `fs.fstatSync` (one syscall per call) with and without a raw_syscalls:sys_enter tracepoint;
 * 4. what a timer wake-up of an otherwise idle Node process costs on-CPU (sched_switch, the in-kernel view of
 *    services/metrics/event-loop.ts's sampler);
 * 5. whether a 499 Hz profile:hz user stack of a CPU-bound Node process names its JavaScript functions, without and with
 *    --perf-basic-prof (V8 writes /tmp/perf-<pid>.map; bpftrace 0.17 prints raw addresses, resolved here from the map).
 *
 * Standalone; not part of the jest suite. Prints JSON on stdout.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

const { values: args } = parseArgs({
  options: { reps: { type: "string", default: "3" }, calls: { type: "string", default: "200000" } },
  strict: true,
});
const REPS = Number(args.reps);
const CALLS = Number(args.calls);
const NODE = process.execPath;
const dir = mkdtempSync(path.join(os.tmpdir(), "adr-ebpf-"));

const CHILDREN = {
  // Waits 1.5 s so a probe attached by `bpftrace -c` is in place, then times CALLS calls.
  "hrtime.js": `const N = Number(process.argv[2]);
setTimeout(() => { let s = 0; const t0 = process.hrtime.bigint(); for (let i = 0; i < N; i++) s += performance.now();
  console.log(JSON.stringify({ nsPerCall: Number(process.hrtime.bigint() - t0) / N, s: s > 0 })); }, 1500);`,
  "fstat.js": `const fs = require("fs"); const N = Number(process.argv[2]);
setTimeout(() => { const t0 = process.hrtime.bigint(); for (let i = 0; i < N; i++) fs.fstatSync(0);
  console.log(JSON.stringify({ nsPerCall: Number(process.hrtime.bigint() - t0) / N })); }, 1500);`,
  "ticks.js": `const { monitorEventLoopDelay } = require("node:perf_hooks"); const mode = process.argv[2];
if (mode === "perf_hooks") { const h = monitorEventLoopDelay({ resolution: 10 }); h.enable(); }
if (mode === "setInterval") setInterval(() => {}, 10);
setTimeout(() => process.exit(0), Number(process.argv[3]));`,
  "cpu.js": `function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
function hotLoop(ms) { const end = Date.now() + ms; let s = 0; while (Date.now() < end) s += fib(20); return s; }
hotLoop(Number(process.argv[2]));`,
} as const;
for (const [name, source] of Object.entries(CHILDREN)) writeFileSync(path.join(dir, name), source);
const child = (name: keyof typeof CHILDREN) => path.join(dir, name);

interface Run {
  ok: boolean;
  stdout: string;
  stderr: string;
}

function run(cmd: string, argv: string[], timeoutMs = 120_000): Run {
  const r = spawnSync(cmd, argv, { encoding: "utf8", timeout: timeoutMs });
  // bpftrace 0.17 warns about RLIMIT_MEMLOCK on kernels that account BPF memory to cgroups; it is harmless there.
  const stderr = (r.stderr ?? "").split("\n").filter((l) => l && !l.includes("RLIMIT_MEMLOCK")).join("\n");
  return { ok: r.status === 0 && !/^ERROR/m.test(stderr), stdout: r.stdout ?? "", stderr: r.error ? String(r.error) : stderr };
}

function bpftrace(program: string, command?: string): Run {
  return run("bpftrace", [...(command ? ["-c", command] : []), "-e", program]);
}

function kernelConfig(): Record<string, string> {
  const r = run("sh", ["-c", "zcat /proc/config.gz 2>/dev/null || cat /boot/config-$(uname -r) 2>/dev/null"]);
  const want = ["CONFIG_BPF_SYSCALL", "CONFIG_BPF_JIT", "CONFIG_BPF_EVENTS", "CONFIG_DEBUG_INFO_BTF", "CONFIG_KPROBES", "CONFIG_KPROBE_EVENTS", "CONFIG_UPROBES", "CONFIG_UPROBE_EVENTS", "CONFIG_TRACEPOINTS", "CONFIG_FTRACE_SYSCALLS", "CONFIG_PERF_EVENTS"];
  const out: Record<string, string> = {};
  for (const key of want) {
    const line = r.stdout.split("\n").find((l) => l.startsWith(`${key}=`) || l === `# ${key} is not set`);
    out[key] = line === undefined ? "unknown" : line.startsWith("#") ? "not set" : line.split("=")[1]!;
  }
  return out;
}

function environment(): Record<string, unknown> {
  const mounts = readFileSync("/proc/mounts", "utf8");
  return {
    kernel: os.release(),
    uid: process.getuid?.(),
    bpftrace: run("bpftrace", ["--version"]).stdout.trim() || "not installed",
    kernelConfig: kernelConfig(),
    btf: existsSync("/sys/kernel/btf/vmlinux"),
    tracefsMounted: / (\/sys\/kernel\/tracing|\/sys\/kernel\/debug\/tracing) tracefs /.test(mounts),
    debugfsMounted: / \/sys\/kernel\/debug debugfs /.test(mounts),
    pmus: existsSync("/sys/bus/event_source/devices") ? readdirSync("/sys/bus/event_source/devices") : [],
    perfEventParanoid: readFileSync("/proc/sys/kernel/perf_event_paranoid", "utf8").trim(),
  };
}

function probeTypes(): Record<string, string> {
  const programs: Record<string, string> = {
    BEGIN: 'BEGIN { printf("hello\\n"); exit(); }',
    kprobe: "kprobe:vfs_read { @ = count(); } interval:ms:500 { exit(); }",
    tracepoint: "tracepoint:sched:sched_switch { @ = count(); } interval:ms:500 { exit(); }",
    uprobe: `uprobe:${NODE}:uv_hrtime { @ = count(); } interval:ms:500 { exit(); }`,
    "profile (software cpu-clock)": "profile:hz:99 { @ = count(); } interval:ms:500 { exit(); }",
  };
  const out: Record<string, string> = {};
  for (const [name, program] of Object.entries(programs)) {
    const r = bpftrace(program);
    out[name] = r.ok ? "works" : `fails: ${r.stderr.split("\n").filter((l) => /ERROR|open\(|not found|Could not/.test(l)).join(" | ") || r.stderr}`;
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
}

function nsPerCall(r: Run): number | undefined {
  const line = r.stdout.split("\n").find((l) => l.startsWith("{"));
  return line ? (JSON.parse(line) as { nsPerCall: number }).nsPerCall : undefined;
}

/** ns per call of a child loop, bare and under a probe that fires once per call (interleaved repetitions). */
function perHitCost(script: keyof typeof CHILDREN, program: string): Record<string, unknown> {
  const bare: number[] = [];
  const traced: number[] = [];
  const hits: number[] = [];
  let error: string | undefined;
  const command = `${NODE} ${child(script)} ${CALLS}`;
  for (let i = 0; i < REPS; i++) {
    const b = nsPerCall(run(NODE, [child(script), String(CALLS)]));
    if (b !== undefined) bare.push(b);
    const t = bpftrace(program, command);
    const n = nsPerCall(t);
    if (n === undefined || !t.ok) {
      error = t.stderr;
      continue;
    }
    traced.push(n);
    const count = /@\w*: (\d+)/.exec(t.stdout);
    if (count) hits.push(Number(count[1]));
  }
  if (traced.length === 0) return { bareNsPerCall: bare.map(Math.round), error };
  return {
    bareNsPerCall: bare.map(Math.round),
    tracedNsPerCall: traced.map(Math.round),
    probeHitsPerRun: hits,
    costPerHitNs: Math.round(median(traced) - median(bare)),
  };
}

/** On-CPU time of each wake-up of an idle Node process with a 10 ms sampler, from sched_switch. */
function wakeUps(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const mode of ["none", "perf_hooks", "setInterval"]) {
    const p = spawn(NODE, [child("ticks.js"), mode, "7000"], { stdio: "ignore" });
    spawnSync("sleep", ["1"]);
    const r = bpftrace(
      `tracepoint:sched:sched_switch /args->next_pid == ${p.pid}/ { @start = nsecs; }
       tracepoint:sched:sched_switch /args->prev_pid == ${p.pid} && @start/ { @us = hist((nsecs - @start) / 1000); @n = count(); @sum = sum((nsecs - @start) / 1000); @start = 0; }
       interval:s:5 { exit(); }`,
    );
    p.kill();
    if (!r.ok) {
      out[mode] = `fails: ${r.stderr}`;
      continue;
    }
    const n = Number(/@n: (\d+)/.exec(r.stdout)?.[1] ?? 0);
    const sum = Number(/@sum: (\d+)/.exec(r.stdout)?.[1] ?? 0);
    out[mode] = { wakeUpsIn5s: n, meanOnCpuUs: n ? Math.round(sum / n) : 0, onCpuSharePercent: ((sum / 5e6) * 100).toFixed(3), histogramUs: r.stdout.split("\n").filter((l) => l.startsWith("[")) };
  }
  return out;
}

interface PerfMapEntry {
  start: bigint;
  end: bigint;
  name: string;
}

function readPerfMap(pid: number): PerfMapEntry[] {
  const file = `/tmp/perf-${pid}.map`;
  if (!existsSync(file)) return [];
  const entries = readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [addr, size, ...name] = line.split(" ");
      const start = BigInt(`0x${addr}`);
      return { start, end: start + BigInt(`0x${size}`), name: name.join(" ") };
    });
  rmSync(file, { force: true });
  return entries;
}

/** Share of 499 Hz samples whose top user frame has a name: bpftrace's own, or (when it prints an address) the perf map's. */
function stacks(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const flags of [[], ["--perf-basic-prof"], ["--perf-basic-prof", "--interpreted-frames-native-stack"]]) {
    const p = spawn(NODE, [...flags, child("cpu.js"), "6000"], { stdio: "ignore" });
    spawnSync("sleep", ["1"]);
    // The process must still be alive when bpftrace prints: it symbolises at exit, from /proc/<pid>/maps.
    const r = bpftrace(`profile:hz:499 /pid == ${p.pid}/ { @[ustack(1)] = count(); } interval:s:3 { exit(); }`);
    const map = flags.length ? (spawnSync("sleep", ["3.5"]), readPerfMap(p.pid!)) : [];
    p.kill();
    const key = flags.length ? flags.join(" ") : "no flags";
    if (!r.ok) {
      out[key] = `fails: ${r.stderr}`;
      continue;
    }
    let total = 0;
    let named = 0;
    let js = 0;
    const top = new Map<string, number>();
    for (const m of r.stdout.matchAll(/@\[\s*([^\]]*?)\s*\]: (\d+)/g)) {
      const frame = m[1]!.trim();
      const count = Number(m[2]);
      total += count;
      const addr = /^0x[0-9a-f]+$/.test(frame) ? BigInt(frame) : undefined;
      const hit = addr === undefined ? undefined : map.find((e) => addr >= e.start && addr < e.end);
      const label = hit?.name ?? (frame || "(no user frame)");
      if (hit || (frame && addr === undefined)) named += count;
      if (label.startsWith("JS:")) js += count;
      top.set(label, (top.get(label) ?? 0) + count);
    }
    const pct = (n: number) => `${total ? ((n * 100) / total).toFixed(1) : "0"} %`;
    out[key] = {
      samples: total,
      topFrameNamed: pct(named),
      topFrameIsAJavaScriptFunction: pct(js),
      perfMapEntries: map.length,
      topFrames: [...top.entries()].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([name, n]) => `${pct(n)} ${name}`),
    };
  }
  return out;
}

function main(): void {
  const started = new Date().toISOString();
  const env = environment();
  const result: Record<string, unknown> = { script: "test/bench/adr-ebpf.ts", started, node: process.version, cores: os.cpus().length, loadavgAtStart: os.loadavg(), environment: env };
  if (env.bpftrace === "not installed") {
    result.note = "bpftrace is not installed: apt-get install -y bpftrace";
  } else {
    result.probeTypes = probeTypes();
    result.uprobeCost = perHitCost("hrtime.js", `uprobe:${NODE}:uv_hrtime /pid == cpid/ { @hits = count(); }`);
    result.tracepointCost = perHitCost("fstat.js", "tracepoint:raw_syscalls:sys_enter /pid == cpid/ { @hits = count(); }");
    result.timerWakeUps = wakeUps();
    result.userStacks = stacks();
  }
  result.loadavgAtEnd = os.loadavg();
  rmSync(dir, { recursive: true, force: true });
  console.log(JSON.stringify(result, null, 2));
}

main();
