/**
 * How each deployed service is built and run, one row per service. The bundler (`bundle.ts`) and the systemd unit
 * (`systemd.ts`) read this table; `Record<ServiceName, …>` makes a service added to the topology's SERVICE_NAMES
 * fail to compile until it has a row here.
 */
import type { ServiceName } from "../../stacks/topology/schema";

export interface ServiceDeployment {
  /** esbuild entry point, relative to the repository root. Parses `--config <file>` (services/shared/cli-args.ts). */
  entry: string;
  /**
   * Operator commands shipped next to the service script in its archive, by script name (`<name>.mjs`), with their
   * esbuild entry points: what an on-call engineer runs on the host.
   */
  tools?: Record<string, string>;
  /** Node flags before the script, beyond the ones every service gets (source maps, heap cap). */
  nodeFlags: string[];
  /** cgroup hard limit (systemd MemoryMax=). */
  memoryMaxMiB: number;
  /** V8 old-space cap, below memoryMaxMiB so that V8 collects (or fails with a heap message) before the OOM killer. */
  heapMaxMiB: number;
  /**
   * SIGTERM → exit bound (systemd TimeoutStopSec=); systemd sends SIGKILL after it. The service's own drain (stop
   * taking work, finish what is in flight) must finish well inside it.
   */
  stopTimeoutSec: number;
  /**
   * Move the host's device interrupts to CPU 0 before the service starts (irq-to-cpu0.sh, shipped in the archive):
   * for the latency-critical services, whose CPUs must run nothing but the service.
   */
  deviceInterruptsOnCpu0: boolean;
}

export const SERVICE_DEPLOYMENTS: Record<ServiceName, ServiceDeployment> = {
  listener: {
    entry: "services/listener/main.ts",
    // Lets the listener empty the young generation between blocks instead of mid-fill (README, Listener).
    nodeFlags: ["--expose-gc"],
    memoryMaxMiB: 2048,
    heapMaxMiB: 1536,
    stopTimeoutSec: 15,
    deviceInterruptsOnCpu0: true,
  },
  executor: {
    entry: "services/executor/main.ts",
    nodeFlags: [],
    memoryMaxMiB: 2048,
    heapMaxMiB: 1536,
    // Orders already sent to the venue are awaited, not abandoned: a longer bound than the listener's.
    stopTimeoutSec: 30,
    deviceInterruptsOnCpu0: true,
  },
  "latency-exporter": {
    entry: "services/latency-exporter/main.ts",
    // The exporter's host is the region's observer, so "us or the RPC?" travels with it.
    tools: { triage: "services/triage/main.ts" },
    nodeFlags: [],
    // Four sockets, a probe round every few seconds and a few hundred series: about 30 MB of heap.
    memoryMaxMiB: 256,
    heapMaxMiB: 128,
    // Nothing to drain: probes in flight are cancelled.
    stopTimeoutSec: 10,
    // An observer, not on the copy path: its host's interrupts can stay where the kernel put them.
    deviceInterruptsOnCpu0: false,
  },
};
