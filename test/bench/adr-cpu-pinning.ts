/**
 * ADR 0002 (runbooks/decisions/0002-kubernetes-vs-systemd.md): what CPU pinning does to a Node process's tail latency
 * when something else wants the same CPU, the property the systemd unit (services/deploy/systemd.ts: the service on
 * cores 1-63, everything else on core 0) gives us and a Kubernetes pod only gets with the CPU manager's static policy.
 *
 *   npx tsx test/bench/adr-cpu-pinning.ts [--seconds 30] [--reps 1] [--work-us 200]
 *
 * The probe (plain JavaScript, its own process) does what the listener does between blocks, scaled down: a 1 ms
 * timer, and on every tick one fixed unit of CPU work (about `--work-us` on an idle core, like a detect stage). It
 * records each tick's timer lateness (event-loop delay) and each work unit's wall time (a unit that took longer than
 * its CPU needs was preempted), and its run-queue delay from /proc/self/schedstat (time runnable but not running).
 * Burners are `node -e "for(;;){}"` processes.
 *
 * Scenarios (interleaved, `--reps` times, `--seconds` each):
 * - unpinned, quiet;
 * - unpinned, two burners unpinned (both cores contended: a shared CPU pool under load);
 * - pinned to core 1, quiet;
 * - pinned to core 1, one burner on core 1 (pinned but not exclusive);
 * - pinned to core 1, two burners on core 0 (the systemd layout: others confined to core 0).
 * The box's other load (other users) is reported per scenario as `otherCores`: busy cores from /proc/stat minus the
 * probe and the burners. Standalone; not part of the jest suite. Prints JSON on stdout.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

const { values: args } = parseArgs({
  options: {
    seconds: { type: "string", default: "30" },
    reps: { type: "string", default: "1" },
    "work-us": { type: "string", default: "200" },
  },
  strict: true,
});
const SECONDS = Number(args.seconds);
const REPS = Number(args.reps);
const dir = mkdtempSync(path.join(os.tmpdir(), "adr-pinning-"));

const PROBE = `const [, , itersArg, secondsArg] = process.argv;
const ITERS = Number(itersArg), END = performance.now() + Number(secondsArg) * 1000;
function work(n) { let x = 0; for (let i = 0; i < n; i++) x = (x + i * 2654435761) % 4294967291; return x; }
if (secondsArg === "calibrate") {
  for (let i = 0; i < 200; i++) work(ITERS);
  const t = []; for (let i = 0; i < 200; i++) { const a = performance.now(); work(ITERS); t.push(performance.now() - a); }
  t.sort((a, b) => a - b); console.log(JSON.stringify({ medianUs: t[100] * 1000 })); process.exit(0);
}
const schedstat = () => require("fs").readFileSync("/proc/self/schedstat", "utf8").split(" ").map(Number);
const cpu0 = process.cpuUsage();
for (let i = 0; i < 200; i++) work(ITERS); // warm the work up before measuring
const s0 = schedstat();
const late = [], unit = [];
let sink = 0;
function tick(expected) {
  const now = performance.now();
  late.push((now - expected) * 1000);
  const a = performance.now(); sink += work(ITERS); unit.push((performance.now() - a) * 1000);
  if (now < END) { const next = performance.now() + 1; setTimeout(() => tick(next), 1); } else done();
}
function q(xs, p) { const s = Float64Array.from(xs).sort(); return Math.round(s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] * 10) / 10; }
function done() {
  const s1 = schedstat(); const cpu = process.cpuUsage(cpu0);
  const over = (xs, us) => xs.filter((x) => x > us).length;
  console.log(JSON.stringify({
    ticks: late.length,
    lateUs: { p50: q(late, 0.5), p99: q(late, 0.99), p999: q(late, 0.999), max: q(late, 1) },
    workUs: { p50: q(unit, 0.5), p99: q(unit, 0.99), p999: q(unit, 0.999), max: q(unit, 1) },
    workOver1ms: over(unit, 1000), lateOver1ms: over(late, 1000), lateOver5ms: over(late, 5000),
    runQueueDelayMsPerS: Math.round(((s1[1] - s0[1]) / 1e6 / Number(secondsArg)) * 100) / 100,
    cpuSeconds: (cpu.user + cpu.system) / 1e6, sink: sink > 0,
  }));
}
const first = performance.now() + 1; setTimeout(() => tick(first), 1);
`;
writeFileSync(path.join(dir, "probe.js"), PROBE);
const probe = path.join(dir, "probe.js");

function busyJiffies(): number {
  const f = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  return f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!;
}

function jiffiesOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(f[11]) + Number(f[12]); // utime + stime (fields 14, 15)
  } catch {
    return 0;
  }
}

function calibrate(targetUs: number): number {
  let iters = 20_000;
  for (let i = 0; i < 4; i++) {
    const r = spawnSync("taskset", ["-c", "1", process.execPath, probe, String(iters), "calibrate"], { encoding: "utf8" });
    const medianUs = (JSON.parse(r.stdout) as { medianUs: number }).medianUs;
    iters = Math.max(1000, Math.round((iters * targetUs) / medianUs));
  }
  return iters;
}

interface Scenario {
  name: string;
  probeCpus?: string;
  burners: (string | undefined)[];
}

const SCENARIOS: Scenario[] = [
  { name: "unpinned, quiet", burners: [] },
  { name: "unpinned, 2 burners unpinned", burners: [undefined, undefined] },
  { name: "pinned core 1, quiet", probeCpus: "1", burners: [] },
  { name: "pinned core 1, 1 burner on core 1", probeCpus: "1", burners: ["1"] },
  { name: "pinned core 1, 2 burners on core 0 (systemd layout)", probeCpus: "1", burners: ["0", "0"] },
];

async function runScenario(s: Scenario, iters: number): Promise<Record<string, unknown>> {
  const withCpus = (cpus: string | undefined, argv: string[]) => (cpus === undefined ? argv : ["taskset", "-c", cpus, ...argv]);
  const burners: ChildProcess[] = s.burners.map((cpus) => {
    const argv = withCpus(cpus, [process.execPath, "-e", "for(;;){}"]);
    return spawn(argv[0]!, argv.slice(1), { stdio: "ignore" });
  });
  await new Promise((r) => setTimeout(r, 500));
  const hz = 100; // USER_HZ
  const busy0 = busyJiffies();
  const burn0 = burners.reduce((a, b) => a + jiffiesOf(b.pid!), 0);
  const argv = withCpus(s.probeCpus, [process.execPath, probe, String(iters), String(SECONDS)]);
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  const startedAt = Date.now();
  let probeJiffies = 0;
  const sampler = setInterval(() => (probeJiffies = Math.max(probeJiffies, jiffiesOf(child.pid!))), 200);
  await new Promise((r) => child.on("exit", r));
  clearInterval(sampler);
  const elapsedS = (Date.now() - startedAt) / 1000;
  const burnJ = burners.reduce((a, b) => a + jiffiesOf(b.pid!), 0) - burn0;
  const busy = busyJiffies() - busy0;
  for (const b of burners) b.kill("SIGKILL");
  const result = JSON.parse(out.trim().split("\n").pop()!) as Record<string, unknown>;
  return { ...result, otherCores: Math.round(((busy - burnJ - probeJiffies) / hz / elapsedS) * 100) / 100 };
}

async function main(): Promise<void> {
  const started = new Date().toISOString();
  const loadavgAtStart = os.loadavg();
  const iters = calibrate(Number(args["work-us"]));
  const runs: Record<string, Record<string, unknown>[]> = Object.fromEntries(SCENARIOS.map((s) => [s.name, []]));
  for (let r = 0; r < REPS; r++) for (const s of SCENARIOS) runs[s.name]!.push(await runScenario(s, iters));
  rmSync(dir, { recursive: true, force: true });
  console.log(
    JSON.stringify(
      { script: "test/bench/adr-cpu-pinning.ts", started, node: process.version, kernel: os.release(), cores: os.cpus().length, secondsPerRun: SECONDS, workIterations: iters, loadavgAtStart, loadavgAtEnd: os.loadavg(), runs },
      null,
      2,
    ),
  );
}

void main();
