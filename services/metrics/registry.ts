import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { MetricDefinition } from "./catalogue";

type Instrument<D extends MetricDefinition> = D["type"] extends "counter"
  ? Counter<D["labelNames"][number]>
  : D["type"] extends "gauge"
    ? Gauge<D["labelNames"][number]>
    : Histogram<D["labelNames"][number]>;

export type Instruments<T extends Record<string, MetricDefinition>> = { [K in keyof T]: Instrument<T[K]> };

/** Creates the prom-client instruments for a catalogue section on one registry (one registry per service instance). */
export function createInstruments<T extends Record<string, MetricDefinition>>(
  registry: Registry,
  definitions: T,
): Instruments<T> {
  const out: Record<string, unknown> = {};
  for (const [key, def] of Object.entries(definitions)) {
    const common = { name: def.name, help: def.help, labelNames: [...def.labelNames], registers: [registry] };
    out[key] =
      def.type === "counter"
        ? new Counter(common)
        : def.type === "gauge"
          ? new Gauge(common)
          : new Histogram({ ...common, buckets: [...(def.buckets ?? [])] });
  }
  return out as Instruments<T>;
}

/** A registry with Node's default metrics (event-loop lag, GC, heap) labelled with the service name. */
export function createServiceRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * A label-bound child per key, bound on first use: an unbound `inc({ ... })` / `observe({ ... })` hashes its label
 * object on every call, which the detect → intent path pays for at every log of every provider.
 */
export function boundByKey<C>(bind: (key: string) => C): (key: string) => C {
  const children = new Map<string, C>();
  return (key) => {
    let child = children.get(key);
    if (child === undefined) {
      child = bind(key);
      children.set(key, child);
    }
    return child;
  };
}

/**
 * Records once the synchronous work at hand is done (a socket read: every frame of it). prom-client validates and hashes
 * the labels on every observation, bound child or not, and a leader fill later in the same read would wait for that.
 */
export function recordLater(record: () => void): void {
  queueMicrotask(record);
}
