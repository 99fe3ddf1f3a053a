import { execFile } from "node:child_process";
import { promises as fs } from "node:fs";

/*
 * The event loop's own CPU. A Node process is one JavaScript thread plus V8's helpers (four by default: concurrent
 * compilation, marking, sweeping, scavenge) and libuv's pool. Under systemd's CPUAffinity= they all share the unit's
 * CPUs, and the scheduler lets a helper run on the CPU the event loop needs: per-event traces of the listener showed
 * its main thread waiting runnable 0.6–2.4 ms behind them in the middle of a fill. Putting the event loop alone on one
 * CPU and the helpers on the others keeps the helpers' work (they still do all of it) off the detect path.
 */

export interface EventLoopCpuPlan {
  eventLoopCpu: number;
  helperCpus: number[];
}

export interface EventLoopCpuPlacement extends EventLoopCpuPlan {
  /** Threads placed: the event loop and every helper that existed at the time. */
  threads: number;
}

/** "0-2,5" → [0, 1, 2, 5], the format of Cpus_allowed_list in /proc and of `taskset -c`. */
export function parseCpuList(list: string): number[] {
  const cpus = new Set<number>();
  for (const part of list.trim().split(",")) {
    const range = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!range) throw new Error(`CPU list "${list}": "${part}" is not a CPU number or range`);
    const first = Number(range[1]);
    const last = range[2] === undefined ? first : Number(range[2]);
    if (last < first) throw new Error(`CPU list "${list}": range ${part} runs backwards`);
    for (let cpu = first; cpu <= last; cpu++) cpus.add(cpu);
  }
  return [...cpus].sort((a, b) => a - b);
}

/**
 * The event loop takes the highest allowed CPU alone (systemd's manager keeps the rest of the host on CPU 0); the
 * helpers share the others. Needs at least two allowed CPUs; returns why not otherwise.
 */
export function planEventLoopCpu(allowed: readonly number[]): EventLoopCpuPlan | { refused: string } {
  const cpus = [...new Set(allowed)].sort((a, b) => a - b);
  if (cpus.length < 2) return { refused: `the process may run on ${cpus.length === 1 ? `CPU ${cpus[0]} only` : "no CPU"}; isolating the event loop needs two` };
  return { eventLoopCpu: cpus[cpus.length - 1]!, helperCpus: cpus.slice(0, -1) };
}

/**
 * Places this process's threads by planEventLoopCpu and checks the kernel took it. Call it once start-up has created
 * the helpers (V8's exist from the start; libuv's pool is started here). A thread created later by the event loop
 * inherits the event loop's CPU: Node creates none in the services' steady state. Throws with the reason on failure
 * (not Linux, one CPU, no `taskset`); the threads keep the placement they had.
 */
export async function isolateEventLoopCpu(): Promise<EventLoopCpuPlacement> {
  if (process.platform !== "linux") throw new Error(`isolating the event loop's CPU needs Linux, not ${process.platform}`);
  // libuv starts all its pool threads on the first job; start them now, so they are placed with the other helpers.
  await fs.stat(".");
  const self = process.pid;
  const plan = planEventLoopCpu(await threadCpus(self, self));
  if ("refused" in plan) throw new Error(plan.refused);
  const helpers = (await fs.readdir("/proc/self/task")).map(Number).filter((tid) => tid !== self);
  for (const tid of helpers) await setAffinity(tid, plan.helperCpus);
  await setAffinity(self, [plan.eventLoopCpu]);
  for (const tid of [self, ...helpers]) {
    const expected = tid === self ? [plan.eventLoopCpu] : plan.helperCpus;
    const actual = await threadCpus(self, tid);
    if (actual.join(",") !== expected.join(",")) {
      throw new Error(`thread ${tid} runs on CPUs ${actual.join(",")} after placement, not ${expected.join(",")}`);
    }
  }
  return { ...plan, threads: helpers.length + 1 };
}

/** The CPUs thread `tid` of process `pid` may run on, as the kernel reports them (Linux). */
export async function threadCpus(pid: number, tid: number | string): Promise<number[]> {
  const file = `/proc/${pid}/task/${tid}/status`;
  const line = /^Cpus_allowed_list:\s*(\S+)$/m.exec(await fs.readFile(file, "utf8"));
  if (!line) throw new Error(`${file} has no Cpus_allowed_list`);
  return parseCpuList(line[1]!);
}

function setAffinity(tid: number, cpus: readonly number[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile("taskset", ["-p", "-c", cpus.join(","), String(tid)], { timeout: 5000 }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      const missing = (err as NodeJS.ErrnoException).code === "ENOENT";
      reject(new Error(missing ? "taskset (util-linux) is not installed" : `taskset -p -c ${cpus.join(",")} ${tid} failed: ${stderr.trim() || err.message}`));
    });
  });
}
