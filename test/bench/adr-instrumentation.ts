/**
 * ADR 0001 (runbooks/decisions/0001-ebpf-tracing.md): what our in-process instrumentation costs per call, and per fill.
 *
 *   npx tsx test/bench/adr-instrumentation.ts [--batches 2000] [--batch 1000] [--idle-s 5]
 *
 * 1. prom-client calls as the listener makes them: a histogram child bound once (copy-pipeline.ts), a labelled
 *    observe/inc (detector.ts), and the clock reads around them. Timed two ways: batches of `--batch` calls (ns per
 *    call, p50/p99 over the batches: the steady cost) and one call at a time (p50/p99/max of one call minus an empty
 *    timing pair: what one fill can meet, GC and interrupts included).
 * 2. Event-loop delay sampling: perf_hooks.monitorEventLoopDelay (prom-client's default collector) and our own
 *    services/metrics/event-loop.ts (a 10 ms setInterval into a histogram). CPU per sample = extra process CPU over an
 *    idle run without the sampler, at a 1 ms interval so the sample count dwarfs the noise; plus how long our JS
 *    sampler's callback holds the loop (the time a fill arriving at that moment would wait).
 *
 * `--part ops|sampler|all` runs one half. Standalone; not part of the jest suite. Prints a JSON summary (and a short table) on stdout.
 */
import os from "node:os";
import { monitorEventLoopDelay as nativeMonitor } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { Histogram, Registry } from "prom-client";
import { LISTENER_METRICS, PROCESS_METRICS } from "../../services/metrics/catalogue";
import { monitorEventLoopDelay as jsMonitor } from "../../services/metrics/event-loop";
import { createInstruments } from "../../services/metrics/registry";
import { preciseNowMs } from "../../services/rpc/clock";

const { values: args } = parseArgs({
  options: {
    batches: { type: "string", default: "2000" },
    batch: { type: "string", default: "1000" },
    singles: { type: "string", default: "1000000" },
    "idle-s": { type: "string", default: "5" },
    reps: { type: "string", default: "5" },
    part: { type: "string", default: "all" },
  },
  strict: true,
});
const BATCHES = Number(args.batches);
const BATCH = Number(args.batch);
const SINGLES = Number(args.singles);
const IDLE_S = Number(args["idle-s"]);
const REPS = Number(args.reps);
const PART = args.part as "all" | "ops" | "sampler";

/** Detect-stage-like durations (seconds): log-normal around 0.35 ms, so the bucket search walks as far as in production. */
const VALUES = Array.from({ length: 4096 }, (_, i) => 0.00035 * Math.exp(0.6 * Math.sin(i * 12.9898) * 2));

const registry = new Registry();
const listener = createInstruments(registry, LISTENER_METRICS);
const bound = listener.stageDuration.labels({ stage: "detect" });
const boundCounter = listener.logsReceived.labels({ source: "alchemy" });
const providers = ["alchemy", "quicknode", "infura", "drpc"];

type Op = (i: number) => void;
const OPS: Record<string, Op> = {
  "empty (loop + array read)": (i) => {
    sink += VALUES[i & 4095]!;
  },
  "performance.now()": () => {
    sink += performance.now();
  },
  "preciseNowMs()": () => {
    sink += preciseNowMs();
  },
  "histogram observe, child bound once": (i) => bound.observe(VALUES[i & 4095]!),
  "histogram observe({provider, kind}) (label lookup)": (i) =>
    listener.providerArrivalLag.observe({ provider: providers[i & 3]!, kind: "log" }, VALUES[i & 4095]!),
  "counter inc, child bound once": () => boundCounter.inc(),
  "counter inc({layout}) (label lookup)": () => listener.fills.inc({ layout: "v2" }),
};
let sink = 0;

function batched(op: Op): number[] {
  const perCallNs: number[] = [];
  let i = 0;
  for (let b = 0; b < BATCHES; b++) {
    const t0 = performance.now();
    for (let k = 0; k < BATCH; k++) op(i++);
    perCallNs.push(((performance.now() - t0) * 1e6) / BATCH);
  }
  return perCallNs.slice(Math.floor(BATCHES / 10)); // the first 10 % are warm-up (JIT tiers)
}

function singles(op: Op): number[] {
  const ns: number[] = [];
  for (let i = 0; i < SINGLES; i++) {
    const t0 = performance.now();
    op(i);
    ns.push((performance.now() - t0) * 1e6);
  }
  return ns.slice(Math.floor(SINGLES / 10));
}

/** Nearest-rank quantiles of one sample set, sorted once. */
function quantiles(xs: readonly number[], ps: readonly number[]): number[] {
  const sorted = Float64Array.from(xs).sort();
  return ps.map((p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!);
}

function ns(v: number | undefined): number {
  return Math.round((v ?? NaN) * 10) / 10;
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Process CPU (user + system, µs) spent over `seconds` of an otherwise idle loop while `start()`'s sampler runs. */
async function idleCpuUs(seconds: number, start?: () => () => void): Promise<number> {
  const stop = start?.();
  const before = process.cpuUsage();
  await sleep(seconds * 1000);
  const used = process.cpuUsage(before);
  stop?.();
  return used.user + used.system;
}

async function samplerCost(): Promise<Record<string, unknown>> {
  const callbackNs: number[] = [];
  const eld = createInstruments(new Registry(), PROCESS_METRICS).eventLoopDelay;
  // Wraps the histogram so the time inside our sampler's callback is recorded (the observe is the callback's body).
  const timed = Object.assign(Object.create(eld) as Histogram<string>, {
    observe: (v: number) => {
      const t0 = performance.now();
      eld.observe(v);
      callbackNs.push((performance.now() - t0) * 1e6);
    },
  });
  const samplers: Record<string, (intervalMs: number) => () => void> = {
    "perf_hooks.monitorEventLoopDelay": (intervalMs) => {
      const h = nativeMonitor({ resolution: intervalMs });
      h.enable();
      return () => h.disable();
    },
    "services/metrics/event-loop.ts": (intervalMs) => jsMonitor(timed, intervalMs),
  };
  const out: Record<string, unknown> = {};
  for (const intervalMs of [1, 10]) {
    // Interleaved repetitions, so a burst of load from elsewhere on the box lands on every variant alike.
    const runs: Record<string, number[]> = { idle: [], ...Object.fromEntries(Object.keys(samplers).map((k) => [k, []])) };
    for (let r = 0; r < REPS; r++) {
      runs.idle!.push(await idleCpuUs(IDLE_S));
      for (const [name, start] of Object.entries(samplers)) runs[name]!.push(await idleCpuUs(IDLE_S, () => start(intervalMs)));
    }
    const median = (xs: number[]) => quantiles(xs, [0.5])[0]!;
    const samples = (IDLE_S * 1000) / intervalMs;
    const perSampleNs = (xs: number[]) => Math.round(((median(xs) - median(runs.idle!)) / samples) * 1000);
    out[`interval ${intervalMs} ms`] = {
      samplesPerRun: samples,
      idleCpuUsPerRun: runs.idle,
      ...Object.fromEntries(
        Object.keys(samplers).map((name) => [
          name,
          {
            cpuUsPerRun: runs[name],
            cpuPerSampleNs: perSampleNs(runs[name]!),
            shareOfOneCore: `${((perSampleNs(runs[name]!) * (1000 / intervalMs)) / 1e7).toFixed(3)} %`,
          },
        ]),
      ),
    };
  }
  const [p50, p99, max] = quantiles(callbackNs, [0.5, 0.99, 1]);
  out["our sampler's observe, timed inside its callback"] = { samples: callbackNs.length, p50Ns: ns(p50), p99Ns: ns(p99), maxNs: ns(max) };
  return out;
}

async function main(): Promise<void> {
  const started = new Date().toISOString();
  // The sampler part first: it measures idle CPU, which the ops part's garbage (and its collection) would disturb.
  const sampler = PART === "ops" ? undefined : await samplerCost();
  const rows: Record<string, unknown>[] = [];
  for (const [name, op] of PART === "sampler" ? [] : Object.entries(OPS)) {
    const [b50, b99] = quantiles(batched(op), [0.5, 0.99]);
    const [s50, s99, s999, smax] = quantiles(singles(op), [0.5, 0.99, 0.999, 1]);
    rows.push({
      op: name,
      batchedNsPerCall: { p50: ns(b50), p99: ns(b99) },
      singleCallNs: { p50: ns(s50), p99: ns(s99), "p99.9": ns(s999), max: ns(smax) },
    });
  }
  const result = {
    script: "test/bench/adr-instrumentation.ts",
    started,
    node: process.version,
    cpu: os.cpus()[0]?.model,
    cores: os.cpus().length,
    loadavg: os.loadavg(),
    batches: BATCHES,
    batch: BATCH,
    singles: SINGLES,
    ops: rows,
    eventLoopSampler: sampler,
    sink: sink > 0,
  };
  console.log(JSON.stringify(result, null, 2));
}

void main();
