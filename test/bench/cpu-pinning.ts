import { spawnSync } from "node:child_process";
import os from "node:os";

export interface CpuPlan {
  /** Prefix for a process that gets the last core to itself (the machine-floor probe, the fan-out bench's executor). */
  lastCorePrefix: string[];
  /**
   * Prefix for the listener: every core, so that it can put its event loop alone on the last one and its V8 and libuv
   * helper threads on the others itself (`isolateEventLoopCpu`), as on a dedicated host.
   */
  listenerPrefix: string[];
  /** Whether the listener is told to isolate its event loop (false when the run is unpinned). */
  isolateEventLoopCpu: boolean;
  description: string;
}

/**
 * Production runs the listener on dedicated vCPUs; on a 2-core bench box every other process (anvil, providers, NATS,
 * the viem client, the simulator) wakes on the same block. The last core is kept for the listener's event loop (or the
 * executor) and everything else goes to the rest, which mirrors production, where the host's own processes stay on
 * CPU 0 and the listener's helper threads run on its other dedicated CPUs. Without taskset, or with one core, the run
 * is unpinned and says so.
 */
export function planCpus(): CpuPlan {
  const cores = os.cpus().length;
  const taskset = spawnSync("taskset", ["-c", "-p", String(process.pid)], { encoding: "utf8" });
  const unpinned = (why: string): CpuPlan => ({ lastCorePrefix: [], listenerPrefix: [], isolateEventLoopCpu: false, description: `unpinned (${why})` });
  if (cores < 2 || taskset.status !== 0) return unpinned(`${cores} core(s)${taskset.status !== 0 ? ", no taskset" : ""}`);
  const last = cores - 1;
  const rest = last === 1 ? "0" : `0-${last - 1}`;
  // Children spawned after this inherit the bench's affinity.
  const self = spawnSync("taskset", ["-c", "-p", rest, String(process.pid)], { encoding: "utf8" });
  if (self.status !== 0) return unpinned("taskset refused");
  return {
    lastCorePrefix: ["taskset", "-c", String(last)],
    listenerPrefix: ["taskset", "-c", `0-${last}`],
    isolateEventLoopCpu: true,
    description:
      `listener's event loop alone on core ${last} (isolateEventLoopCpu), its V8 and libuv helper threads on core(s) ${rest} ` +
      `with the bench, anvil, providers and NATS`,
  };
}
