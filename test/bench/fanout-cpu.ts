/**
 * Where the CPU went during a round, from Linux's /proc: each of the bench's processes (threads included), each core's
 * busy time, and what the rest of the machine (other users of a shared box) took meanwhile. On a 2-core box "the
 * fan-out took X ms" means little without knowing whether the executor's core was busy or waiting on the other one.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

export interface ProcStat {
  pid: number;
  comm: string;
  ppid: number;
  /** utime + stime, clock ticks. */
  cpuTicks: number;
}

/** One line of /proc/<pid>/stat. The command name is parenthesised and may itself contain spaces and parentheses. */
export function parseProcStat(line: string): ProcStat {
  const open = line.indexOf("(");
  const close = line.lastIndexOf(")");
  if (open < 0 || close < open) throw new Error(`not a /proc/<pid>/stat line: ${line.slice(0, 80)}`);
  // Fields from the 3rd on (state, ppid, …); utime and stime are the 14th and 15th.
  const rest = line.slice(close + 2).split(" ");
  return { pid: Number(line.slice(0, open).trim()), comm: line.slice(open + 1, close), ppid: Number(rest[1]), cpuTicks: Number(rest[11]) + Number(rest[12]) };
}

export interface CoreTicks {
  busy: number;
  idle: number;
}

/** /proc/stat's `cpuN` lines: busy (user, nice, system, irq, softirq, steal) and idle (idle, iowait) ticks per core. */
export function parseCoreTicks(text: string): CoreTicks[] {
  const cores: CoreTicks[] = [];
  for (const line of text.split("\n")) {
    const match = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (!match) continue;
    const [user, nice, system, idle, iowait, irq, softirq, steal] = match[2]!.trim().split(/\s+/).map(Number);
    cores[Number(match[1])] = { busy: user! + nice! + system! + irq! + softirq! + (steal ?? 0), idle: idle! + iowait! };
  }
  return cores;
}

let ticksPerSecond: number | undefined;

/** The kernel's clock tick for /proc's CPU times (getconf CLK_TCK; 100 if it cannot be read). */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    const answer = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" });
    const n = Number(answer.stdout?.trim());
    ticksPerSecond = answer.status === 0 && n > 0 ? n : 100;
  }
  return ticksPerSecond;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return undefined;
  }
}

/** Direct children of `parent` with their command names (anvil and nats-server, which their helpers do not expose). */
export function childProcesses(parent: number): ProcStat[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const stat = readStat(Number(name));
    return stat && stat.ppid === parent ? [stat] : [];
  });
}

export interface CpuSnapshot {
  atMs: number;
  /** Ticks per named process; a process that is gone reads as absent. */
  processes: Record<string, number>;
  cores: CoreTicks[];
}

export function cpuSnapshot(processes: Readonly<Record<string, number>>): CpuSnapshot {
  const ticks: Record<string, number> = {};
  for (const [name, pid] of Object.entries(processes)) {
    const stat = readStat(pid);
    if (stat) ticks[name] = stat.cpuTicks;
  }
  let cores: CoreTicks[] = [];
  try {
    cores = parseCoreTicks(readFileSync("/proc/stat", "utf8"));
  } catch {
    // not Linux: per-process and per-core figures stay empty
  }
  return { atMs: Date.now(), processes: ticks, cores };
}

export interface CpuUse {
  wallMs: number;
  /** CPU ms per process over the window (all its threads). */
  processMs: Record<string, number>;
  /** Busy share of each core over the window, 0–1. */
  coreBusy: number[];
  /** Busy CPU ms of the whole machine not accounted to the bench's processes: other users of the box. */
  othersMs: number;
}

/** The window between two snapshots; ticks are 10 ms on Linux, so figures under ~20 ms are coarse. */
export function cpuUse(before: CpuSnapshot, after: CpuSnapshot): CpuUse {
  const msPerTick = 1000 / clockTicksPerSecond();
  const processMs: Record<string, number> = {};
  for (const [name, ticks] of Object.entries(after.processes)) processMs[name] = (ticks - (before.processes[name] ?? ticks)) * msPerTick;
  const coreBusy = after.cores.map((core, i) => {
    const earlier = before.cores[i];
    if (!earlier) return 0;
    const busy = core.busy - earlier.busy;
    const all = busy + core.idle - earlier.idle;
    return all > 0 ? busy / all : 0;
  });
  const machineBusyMs = after.cores.reduce((sum, core, i) => sum + (core.busy - (before.cores[i]?.busy ?? core.busy)), 0) * msPerTick;
  const oursMs = Object.values(processMs).reduce((sum, ms) => sum + ms, 0);
  return { wallMs: after.atMs - before.atMs, processMs, coreBusy, othersMs: Math.max(0, machineBusyMs - oursMs) };
}
