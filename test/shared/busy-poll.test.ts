import { spawn } from "node:child_process";
import path from "node:path";
import { startBusyPoll } from "../../services/shared/busy-poll";

const REPO_ROOT = path.resolve(__dirname, "../..");

describe("startBusyPoll", () => {
  test("refuses a spin that is not a short positive time, naming it", () => {
    for (const spin of [0, -1, Number.NaN, 1.5]) expect(() => startBusyPoll(spin)).toThrow(`busy-poll spin of ${spin} ms`);
  });
});

interface ChildReport {
  /** CPU time over wall time while polling, then for as long again after stop(). */
  pollingCpuShare: number;
  stoppedCpuShare: number;
  /** How late a 20 ms timer fired while polling. */
  timerLateMs: number;
  /** A TCP round trip on 127.0.0.1 while polling. */
  echoed: string;
}

/**
 * A real process: polls for 300 ms, answering a timer and a socket meanwhile, stops, idles 300 ms, reports and then
 * must exit by itself: a poll left running would keep it alive.
 */
function runChild(): Promise<{ report: ChildReport; code: number | null }> {
  const script = `
    const net = require("node:net");
    const { startBusyPoll } = require("./services/shared/busy-poll");
    const share = (cpu, wallMs) => (cpu.user + cpu.system) / 1000 / wallMs;
    const server = net.createServer((s) => s.pipe(s)).listen(0, "127.0.0.1", () => {
      const stop = startBusyPoll();
      const started = performance.now();
      const cpuStarted = process.cpuUsage();
      const report = {};
      setTimeout(() => (report.timerLateMs = performance.now() - started - 20), 20);
      const socket = net.connect(server.address().port, "127.0.0.1", () => socket.end("ping"));
      socket.on("data", (d) => (report.echoed = d.toString()));
      setTimeout(() => {
        report.pollingCpuShare = share(process.cpuUsage(cpuStarted), performance.now() - started);
        stop();
        server.close();
        const stopped = performance.now();
        const cpuStopped = process.cpuUsage();
        setTimeout(() => {
          report.stoppedCpuShare = share(process.cpuUsage(cpuStopped), performance.now() - stopped);
          console.log(JSON.stringify(report));
        }, 300);
      }, 300);
    });`;
  const child = spawn(process.execPath, ["--import", "tsx", "-e", script], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  return new Promise((resolve, reject) => {
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (signal) return reject(new Error(`child did not exit by itself (${signal}); output: ${out}`));
      resolve({ report: JSON.parse(out) as ChildReport, code });
    });
  });
}

describe("startBusyPoll (a real process)", () => {
  test("keeps the CPU busy, still serves timers and sockets, and lets the process exit once stopped", async () => {
    const { report, code } = await runChild();
    expect(code).toBe(0);
    // A sleeping loop uses a few percent; a polling one its whole share of a core (less when jest's workers compete).
    expect(report.pollingCpuShare).toBeGreaterThan(0.4);
    expect(report.stoppedCpuShare).toBeLessThan(0.2);
    expect(report.timerLateMs).toBeLessThan(50);
    expect(report.echoed).toBe("ping");
  }, 30_000);
});
