import { childProcesses, cpuSnapshot, cpuUse, parseCoreTicks, parseProcStat, type CpuSnapshot } from "./fanout-cpu";

describe("/proc parsing", () => {
  it("reads pid, command, parent and utime + stime from a stat line, even with spaces and parentheses in the name", () => {
    const line = "4242 (node (tsx) main) S 4200 4242 4200 0 -1 4194560 12 0 0 0 150 25 0 0 20 0 11 0 123 456 789";
    expect(parseProcStat(line)).toEqual({ pid: 4242, comm: "node (tsx) main", ppid: 4200, cpuTicks: 175 });
  });

  it("splits /proc/stat into busy and idle ticks per core, iowait counted idle", () => {
    const text = ["cpu  10 0 10 100 5 0 0 0 0 0", "cpu0 4 1 3 60 2 1 1 0 0 0", "cpu1 6 0 7 40 3 0 0 2 0 0", "intr 1 2 3"].join("\n");
    expect(parseCoreTicks(text)).toEqual([
      { busy: 10, idle: 62 },
      { busy: 15, idle: 43 },
    ]);
  });
});

describe("cpuUse", () => {
  const snapshot = (atMs: number, processes: Record<string, number>, cores: [number, number][]): CpuSnapshot => ({
    atMs,
    processes,
    cores: cores.map(([busy, idle]) => ({ busy, idle })),
  });

  it("gives CPU ms per process, busy share per core, and the machine's busy time nobody of ours accounts for", () => {
    // 1 s window, 100 ticks/s: core 0 busy 80 of 100 ticks, core 1 busy 50 of 100.
    const use = cpuUse(snapshot(0, { executor: 100, venue: 200 }, [[0, 0], [0, 0]]), snapshot(1000, { executor: 140, venue: 260 }, [[80, 20], [50, 50]]));
    expect(use.wallMs).toBe(1000);
    expect(use.processMs).toEqual({ executor: 400, venue: 600 });
    expect(use.coreBusy).toEqual([0.8, 0.5]);
    expect(use.othersMs).toBe(300);
  });

  it("reads this process and its children from the real /proc", () => {
    const snap = cpuSnapshot({ self: process.pid });
    expect(snap.processes.self).toBeGreaterThanOrEqual(0);
    expect(snap.cores.length).toBeGreaterThan(0);
    expect(childProcesses(process.ppid).some((p) => p.pid === process.pid)).toBe(true);
  });
});
