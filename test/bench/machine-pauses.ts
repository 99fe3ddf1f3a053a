/**
 * The machine's own floor, measured the way jHiccup or cyclictest do: a do-nothing loop reads the clock as fast as it
 * can, so any long gap between two reads is time the core was taken away, not time spent in code. The bench runs it as
 * a child on the listener's core, under block load, before the listener starts; what it saw is set against the
 * listener's own stage histogram in the report.
 *
 * "Taken away" has two owners, told apart by the kernel's run-queue delay for the probe: another task of this VM got
 * the core (the guest's scheduler; on a shared bench box, whatever else runs), or nothing in the VM did and the vCPU
 * itself stopped (the hypervisor; also interrupt handling). This VM reports no steal time in /proc/stat to tell it by.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { PerformanceObserver } from "node:perf_hooks";
import readline from "node:readline";
import { preciseNowMs } from "../../services/rpc/clock";
import { stopChildProcess } from "../../services/shared/child-process";
import type { MachineFloor, MachineReplay, PauseFigures } from "./report";
import { overlapChance, overlaps, summarizePauses, wilsonInterval, windowsWithPause, type Interval } from "./stats";

/** Gaps up to this are the loop itself (a clock read, a scavenge of its empty young generation: ~0.1 ms); not kept. */
const RECORD_GAP_MS = 0.5;
const REPORTED_GAPS_MS = [0.5, 1, 2] as const;
/** A pause this long inside a fill's processing alone puts the fill over the 1 ms target. */
const PAUSE_MS = 1;
/** A new block wakes every process on the other core at once: the window where pauses caused by that load would sit. */
const BLOCK_WINDOW_MS = 5;
/** About what one fill takes in the listener's detect stage (its p50 is ~0.4 ms). */
const FILL_WINDOW_MS = 0.5;
/** Lets the loop get optimised before it measures, so start-up compilation is not read as a machine pause. */
const WARM_UP_MS = 1000;
const MEASURING = "measuring";
const REPO_ROOT = path.resolve(__dirname, "../..");
/** Pinned to one core, V8's parallel GC helpers would wait for a turn on it at every scavenge; alone it takes ~0.1 ms. */
const NODE_FLAGS = ["--single-threaded-gc", "--import", "tsx"];
const CHILD_FLAG = "--pause-probe-child";

export interface Gap extends Interval {
  /** Run-queue delay since the previous kept gap: time the probe was runnable while another task of this VM ran. */
  queuedMs?: number;
}

/** What the child saw, on the epoch-ms clock the bench stamps blocks with (services/rpc/clock). */
export interface ProbeRecording {
  span: Interval;
  clockReads: number;
  /** Gaps between consecutive clock reads longer than RECORD_GAP_MS. */
  gaps: Gap[];
  /** The probe's own garbage collections during the span: a gap overlapping one may be the probe's doing. */
  gcs: Interval[];
}

/**
 * The busy loop. `now` and `runQueueDelayMs` are injectable for tests; without the latter gaps carry no queuedMs. The
 * delay (a file read) is read only after a kept gap, to keep the loop tight; what it gathers between gaps (preemptions
 * under minGapMs) is charged to the next gap, which leans toward "another task", never toward "the hypervisor".
 */
export function recordGaps(
  now: () => number,
  durationMs: number,
  minGapMs: number,
  runQueueDelayMs?: () => number,
): Omit<ProbeRecording, "gcs"> {
  const gaps: Gap[] = [];
  const startMs = now();
  const endMs = startMs + durationMs;
  let previous = startMs;
  let clockReads = 1;
  let delayBefore = runQueueDelayMs?.();
  for (;;) {
    const t = now();
    clockReads += 1;
    if (t - previous > minGapMs) {
      const delay = runQueueDelayMs?.();
      const gap: Gap = { atMs: previous, ms: t - previous };
      if (delay !== undefined && delayBefore !== undefined) gap.queuedMs = delay - delayBefore;
      gaps.push(gap);
      delayBefore = delay;
    }
    previous = t;
    if (t >= endMs) return { span: { atMs: startMs, ms: t - startMs }, clockReads, gaps };
  }
}

/** Linux's schedstat run delay of this thread, ms; undefined where the kernel does not keep it. */
function readRunQueueDelayMs(): number | undefined {
  try {
    const delayNs = Number(readFileSync("/proc/self/schedstat", "utf8").split(" ")[1]);
    return Number.isFinite(delayNs) ? delayNs / 1e6 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Spawns the probe with the listener's CPU prefix and runs `load` once it is measuring (after its warm-up), so the
 * probe sees the same core the same way the listener will. Resolves with both results; the child is gone by then.
 */
export async function runPauseProbe<T>(
  durationMs: number,
  prefix: readonly string[],
  load: () => Promise<T>,
): Promise<{ recording: ProbeRecording; load: T }> {
  const [command, ...args] = [...prefix, process.execPath, ...NODE_FLAGS, __filename, CHILD_FLAG, String(durationMs)];
  const child = spawn(command!, args, { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  const lines = readline.createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const nextLine = async (what: string) => {
    const line = await lines.next();
    if (line.done) throw new Error(`pause probe exited (${child.exitCode ?? child.signalCode}) before ${what}: ${stderr}`);
    return line.value as string;
  };
  try {
    const first = await nextLine("it started measuring");
    if (first !== MEASURING) throw new Error(`pause probe printed ${first.slice(0, 200)}`);
    const [result, loaded] = await Promise.all([nextLine("its result"), load()]);
    return { recording: JSON.parse(result) as ProbeRecording, load: loaded };
  } finally {
    await lines.return?.();
    await stopChildProcess(child);
  }
}

async function probeChild(durationMs: number): Promise<void> {
  // GC entries are queued natively while the loop blocks and delivered once it yields, on performance.now()'s clock.
  const origin = preciseNowMs() - performance.now();
  const gcs: Interval[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcs.push({ atMs: origin + entry.startTime, ms: entry.duration });
  });
  observer.observe({ entryTypes: ["gc"] });
  const runQueueDelay = readRunQueueDelayMs() === undefined ? undefined : () => readRunQueueDelayMs()!;
  recordGaps(preciseNowMs, WARM_UP_MS, Number.POSITIVE_INFINITY, runQueueDelay);
  process.stdout.write(`${MEASURING}\n`);
  const recording = recordGaps(preciseNowMs, durationMs, RECORD_GAP_MS, runQueueDelay);
  await new Promise((resolve) => setTimeout(resolve, 100));
  observer.disconnect();
  const result: ProbeRecording = { ...recording, gcs: gcs.filter((gc) => overlaps(gc, recording.span)) };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/**
 * Gaps that overlap the probe's own GC are left out rather than trimmed: a GC stretched by a preemption reads as
 * one long GC, so there is no telling the two apart, and leaving them out can only understate the machine's share.
 */
function machinePauses(recording: ProbeRecording): { pauses: Gap[]; leftOut: number } {
  const pauses = recording.gaps.filter((gap) => !recording.gcs.some((gc) => overlaps(gap, gc)));
  return { pauses, leftOut: recording.gaps.length - pauses.length };
}

/**
 * The pauses no other task of this VM explains (run-queue delay under half the gap): the hypervisor's (or
 * interrupts'). Undefined when the kernel kept no run-queue delay.
 */
function outsideGuest(pauses: readonly Gap[]): Gap[] | undefined {
  if (pauses.some((p) => p.queuedMs === undefined)) return undefined;
  return pauses.filter((p) => p.queuedMs! < p.ms / 2);
}

const longerThanTarget = (pauses: readonly Interval[]) => pauses.filter((p) => p.ms > PAUSE_MS);

function pauseFigures(pauses: readonly Interval[], recording: ProbeRecording, blockArrivalsMs: readonly number[]): PauseFigures {
  const long = longerThanTarget(pauses);
  const blockWindows = windowsWithPause(blockArrivalsMs, BLOCK_WINDOW_MS, long, recording.span);
  return {
    pauses: summarizePauses(pauses, REPORTED_GAPS_MS),
    blockWindows: { ...blockWindows, interval: wilsonInterval(blockWindows.withPause, blockWindows.windows) },
    fillWindowChance: overlapChance(long, FILL_WINDOW_MS, recording.span),
  };
}

/**
 * `blockArrivalsMs`: when blocks reached the bench's direct socket to the node (any; those outside the span are not
 * counted). `prefix`: the one runPauseProbe was given.
 */
export function machineFloor(recording: ProbeRecording, blockArrivalsMs: readonly number[], prefix: readonly string[]): MachineFloor {
  const { pauses, leftOut } = machinePauses(recording);
  const outside = outsideGuest(pauses);
  return {
    where: [...prefix, "node", ...NODE_FLAGS, path.relative(REPO_ROOT, __filename)].join(" "),
    measuredMs: recording.span.ms,
    clockReads: recording.clockReads,
    ownGcGapsLeftOut: leftOut,
    pauseMs: PAUSE_MS,
    blockWindowMs: BLOCK_WINDOW_MS,
    fillWindowMs: FILL_WINDOW_MS,
    all: pauseFigures(pauses, recording, blockArrivalsMs),
    outsideGuest: outside && pauseFigures(outside, recording, blockArrivalsMs),
  };
}

/**
 * Replays a phase's fills onto the probe's blocks: each fill's arrival at the listener, as an offset from its block's
 * arrival at the node, placed after every block the probe saw. The share of those fill-sized windows overlapping a
 * pause > PAUSE_MS is how often the machine alone would have stretched such a fill past the target.
 */
export function replayFills(recording: ProbeRecording, blockArrivalsMs: readonly number[], fillOffsetsMs: readonly number[]): MachineReplay {
  const starts = blockArrivalsMs.flatMap((block) => fillOffsetsMs.map((offset) => block + offset));
  const { pauses } = machinePauses(recording);
  const outside = outsideGuest(pauses);
  const all = windowsWithPause(starts, FILL_WINDOW_MS, longerThanTarget(pauses), recording.span);
  return {
    fills: fillOffsetsMs.length,
    windowMs: FILL_WINDOW_MS,
    pauseMs: PAUSE_MS,
    windows: all.windows,
    withPause: all.withPause,
    withOutsideGuestPause: outside && windowsWithPause(starts, FILL_WINDOW_MS, longerThanTarget(outside), recording.span).withPause,
  };
}

if (require.main === module && process.argv[2] === CHILD_FLAG) {
  probeChild(Number(process.argv[3])).catch((err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exitCode = 1;
  });
}
