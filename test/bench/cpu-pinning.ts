import { spawnSync } from "node:child_process";
import os from "node:os";

export interface CpuPlan {
  /** Prefix for the listener's command line (empty when pinning is not possible). */
  listenerPrefix: string[];
  description: string;
}

/**
 * Production runs the listener on dedicated vCPUs; on a 2-core bench box every other process (anvil, providers, NATS,
 * the viem client, the simulator) wakes on the same block. Pinning the listener to the last core and everything else
 * to the rest mirrors production; without taskset, or with one core, the run is unpinned and says so.
 */
export function planCpus(): CpuPlan {
  const cores = os.cpus().length;
  const taskset = spawnSync("taskset", ["-c", "-p", String(process.pid)], { encoding: "utf8" });
  if (cores < 2 || taskset.status !== 0) {
    return { listenerPrefix: [], description: `unpinned (${cores} core(s)${taskset.status !== 0 ? ", no taskset" : ""})` };
  }
  const last = cores - 1;
  const rest = last === 1 ? "0" : `0-${last - 1}`;
  // Children spawned after this inherit the bench's affinity.
  const self = spawnSync("taskset", ["-c", "-p", rest, String(process.pid)], { encoding: "utf8" });
  if (self.status !== 0) return { listenerPrefix: [], description: "unpinned (taskset refused)" };
  return { listenerPrefix: ["taskset", "-c", String(last)], description: `listener pinned to core ${last}; bench, anvil, providers, NATS on core(s) ${rest}` };
}
