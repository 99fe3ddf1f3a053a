/** The row both service dashboards end with: is each instance ready, and is its event loop free to run our code. */
import { NODE_DEFAULT_METRICS, PROCESS_METRICS, type MetricDefinition } from "../services/metrics/catalogue";
import type { ServiceName } from "../stacks/topology/schema";
import type { Row } from "./define";
import { service } from "./matchers";
import { gauge, quantile, rate } from "./promql";
import { stat, timeseries, valueMappings } from "./panels";

const perInstance = ["region", "instance"] as const;

export function processRow(name: ServiceName, ready: MetricDefinition, readyMeans: string): Row {
  const match = [service(name)];
  return {
    title: `${name} process`,
    panels: [
      stat({
        title: `${name} ready, per instance`,
        description: `1 = ${readyMeans}. A region with no ready ${name} is a region that copies nothing.`,
        unit: "none",
        width: 6,
        height: 8,
        queries: [{ expr: gauge("min", ready, { by: perInstance }), legend: "{{region}} {{instance}}" }],
        steps: [
          ["red", null],
          ["green", 1],
        ],
        mappings: valueMappings([
          [0, "NOT READY", "red"],
          [1, "ready", "green"],
        ]),
      }),
      timeseries({
        title: `${name} event-loop delay (p99, max, prom-client p99)`,
        description:
          "How late a 10 ms timer fires: every callback of the process waits at least this long. Sustained p99 above a few ms means the process itself (CPU, GC, a blocking call) is the latency, not the network.",
        unit: "s",
        width: 6,
        queries: [
          { expr: quantile(0.99, PROCESS_METRICS.eventLoopDelay, { by: perInstance, match }), legend: "{{instance}} p99" },
          { expr: quantile(1, PROCESS_METRICS.eventLoopDelay, { by: perInstance, match }), legend: "{{instance}} max ≤" },
          {
            expr: gauge("max", NODE_DEFAULT_METRICS.eventLoopLagP99, { by: perInstance, match }),
            legend: "{{instance}} prom-client p99",
          },
        ],
      }),
      timeseries({
        title: `${name} share of time in GC, by kind`,
        description: "Seconds of GC pause per second of wall time. Major (mark-sweep) pauses stall every request in flight.",
        unit: "percentunit",
        width: 6,
        queries: [
          {
            expr: rate(NODE_DEFAULT_METRICS.gcDuration, { by: [...perInstance, "kind"], match }, "_sum"),
            legend: "{{instance}} {{kind}}",
          },
        ],
      }),
      timeseries({
        title: `${name} resident memory`,
        description: "Resident set size. The systemd unit caps it (services/deploy/services.ts); a steady climb is a leak.",
        unit: "bytes",
        width: 6,
        queries: [
          { expr: gauge("max", NODE_DEFAULT_METRICS.residentMemory, { by: perInstance, match }), legend: "{{instance}}" },
        ],
      }),
    ],
  };
}
