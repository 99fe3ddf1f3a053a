import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { parseCpuList, planEventLoopCpu, threadCpus } from "../../services/shared/event-loop-cpu";

const REPO_ROOT = path.resolve(__dirname, "../..");

describe("parseCpuList", () => {
  test("reads the kernel's list format", () => {
    expect(parseCpuList("0")).toEqual([0]);
    expect(parseCpuList("1-3")).toEqual([1, 2, 3]);
    expect(parseCpuList("0-1,4,6-7\n")).toEqual([0, 1, 4, 6, 7]);
    expect(parseCpuList("3,1-2,2")).toEqual([1, 2, 3]);
  });

  test("names what it cannot read", () => {
    expect(() => parseCpuList("0-")).toThrow(/"0-" is not a CPU number or range/);
    expect(() => parseCpuList("a")).toThrow(/"a" is not/);
    expect(() => parseCpuList("3-1")).toThrow(/range 3-1 runs backwards/);
  });
});

describe("planEventLoopCpu", () => {
  test("the event loop takes the highest CPU alone, the helpers the rest", () => {
    expect(planEventLoopCpu([1, 2, 3])).toEqual({ eventLoopCpu: 3, helperCpus: [1, 2] });
    expect(planEventLoopCpu([1, 0])).toEqual({ eventLoopCpu: 1, helperCpus: [0] });
  });

  test("refuses with one CPU, saying which", () => {
    expect(planEventLoopCpu([2])).toEqual({ refused: expect.stringMatching(/CPU 2 only/) });
    expect(planEventLoopCpu([])).toEqual({ refused: expect.stringMatching(/no CPU/) });
  });
});

/** A node process under `taskset -c cpus` that isolates its event loop, reports, and stays up until stdin closes. */
async function isolatedChild(cpus: string): Promise<{ pid: number; report: Record<string, unknown>; stop(): void }> {
  const script =
    "require('./services/shared/event-loop-cpu').isolateEventLoopCpu()" +
    ".then((r) => console.log(JSON.stringify(r)), (e) => console.log(JSON.stringify({ error: e.message })));" +
    "process.stdin.resume(); process.stdin.on('end', () => process.exit(0));";
  const child = spawn("taskset", ["-c", cpus, process.execPath, "--import", "tsx", "-e", script], { cwd: REPO_ROOT, stdio: ["pipe", "pipe", "inherit"] });
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  return new Promise((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).once("line", (text) => {
      resolve({ pid: child.pid!, report: JSON.parse(text) as Record<string, unknown>, stop: () => (clearTimeout(timer), child.stdin!.end()) });
    });
    child.once("exit", (code) => reject(new Error(`child exited (${code}) before reporting`)));
  });
}

describe("isolateEventLoopCpu (a real process, real affinity)", () => {
  const twoCpus = os.cpus().length >= 2;

  (twoCpus ? test : test.skip)("puts the event loop alone on the last CPU and every other thread on the rest", async () => {
    const child = await isolatedChild("0-1");
    try {
      expect(child.report).toEqual({ eventLoopCpu: 1, helperCpus: [0], threads: expect.any(Number) });
      const tids = readdirSync(`/proc/${child.pid}/task`);
      // V8's helpers and libuv's four pool threads, at least.
      expect(tids.length).toBeGreaterThanOrEqual(6);
      for (const tid of tids) expect([tid, await threadCpus(child.pid, tid)]).toEqual([tid, Number(tid) === child.pid ? [1] : [0]]);
    } finally {
      child.stop();
    }
  });

  test("refuses on one CPU and leaves the threads where they were", async () => {
    const child = await isolatedChild("0");
    try {
      expect(child.report).toEqual({ error: expect.stringMatching(/CPU 0 only; isolating the event loop needs two/) });
      for (const tid of readdirSync(`/proc/${child.pid}/task`)) expect(await threadCpus(child.pid, tid)).toEqual([0]);
    } finally {
      child.stop();
    }
  });
});
