/**
 * PromQL built from the metric catalogue. Every selector goes through `selector`, which always adds the region filter,
 * and every label a query matches or groups on is checked against the metric's declared labels, so a misspelt label
 * fails the dashboard build instead of drawing an empty panel.
 */
import type { MetricDefinition } from "../services/metrics/catalogue";

/** Labels Prometheus attaches to every scraped series (constructs/monitoring/prometheus-config.ts). */
export const SCRAPE_LABELS = ["region", "service", "instance", "job"] as const;

/** Grafana template references; `allPanelQueries` substitutes them for concrete values. */
export const REGION = "$region";
export const RATE_WINDOW = "$__rate_interval";

type MatchOp = "=" | "=~";
export interface Matcher {
  label: string;
  op: MatchOp;
  value: string;
}

export const eq = (label: string, value: string): Matcher => ({ label, op: "=", value });
export const oneOf = (label: string, values: readonly string[]): Matcher => ({ label, op: "=~", value: values.join("|") });

type Suffix = "" | "_bucket" | "_sum" | "_count";

function checkLabels(metric: MetricDefinition, labels: readonly string[], suffix: Suffix): void {
  const known = new Set<string>([...metric.labelNames, ...SCRAPE_LABELS, ...(suffix === "_bucket" ? ["le"] : [])]);
  for (const label of labels) {
    if (!known.has(label)) throw new Error(`${metric.name}${suffix} has no label "${label}"`);
  }
}

/** `name{region=~"$region", …}`; histogram series need their suffix, counters and gauges take none. */
export function selector(metric: MetricDefinition, match: readonly Matcher[] = [], suffix: Suffix = ""): string {
  if ((metric.type === "histogram") !== (suffix !== "")) {
    throw new Error(`${metric.name} is a ${metric.type}: suffix "${suffix}" does not apply`);
  }
  checkLabels(
    metric,
    match.map((m) => m.label),
    suffix,
  );
  const matchers = [{ label: "region", op: "=~", value: REGION }, ...match].map((m) => `${m.label}${m.op}"${m.value}"`);
  return `${metric.name}${suffix}{${matchers.join(", ")}}`;
}

export interface Grouping {
  by: readonly string[];
  match?: readonly Matcher[];
}

function sumBy(metric: MetricDefinition, by: readonly string[], suffix: Suffix, inner: string, fn = "sum"): string {
  checkLabels(metric, by, suffix);
  return `${fn} by (${by.join(", ")}) (${inner})`;
}

/** Per-second rate of a counter, or of a histogram's `_count`/`_sum`. */
export function rate(metric: MetricDefinition, { by, match }: Grouping, suffix: "" | "_count" | "_sum" = ""): string {
  if (metric.type === "gauge") throw new Error(`${metric.name} is a gauge: rate() does not apply`);
  return sumBy(metric, by, suffix, `rate(${selector(metric, match, suffix)}[${RATE_WINDOW}])`);
}

/** q-quantile of a histogram over the rate window; q = 1 is the upper bound of the highest occupied bucket. */
export function quantile(q: number, metric: MetricDefinition, { by, match }: Grouping): string {
  const buckets = sumBy(metric, ["le", ...by], "_bucket", `rate(${selector(metric, match, "_bucket")}[${RATE_WINDOW}])`);
  return `histogram_quantile(${q}, ${buckets})`;
}

/** Observations per bucket over the rate window, for heatmaps (Grafana's "heatmap" format de-accumulates `le`). */
export function bucketIncrease(metric: MetricDefinition, { by, match }: Grouping): string {
  return sumBy(metric, ["le", ...by], "_bucket", `increase(${selector(metric, match, "_bucket")}[${RATE_WINDOW}])`);
}

/** A gauge aggregated across the series that share the `by` labels. */
export function gauge(fn: "min" | "max" | "sum", metric: MetricDefinition, { by, match }: Grouping): string {
  if (metric.type !== "gauge") throw new Error(`${metric.name} is a ${metric.type}, not a gauge`);
  return sumBy(metric, by, "", selector(metric, match), fn);
}

/** A recording rule's name (`level:metric:operations`); scraped metric names never contain a colon. */
const RECORDED_SELECTOR = /(?<![\w:])([a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z0-9_:]*)(\{)?/g;

/**
 * An expression over recorded series (the SLO module's recording rules, aggregated to the region already), with the
 * region filter added to every recorded selector in it.
 */
export function overRecordings(expr: string): string {
  const filtered = expr.replace(RECORDED_SELECTOR, (_, name: string, brace?: string) =>
    brace ? `${name}{region=~"${REGION}", ` : `${name}{region=~"${REGION}"}`,
  );
  if (filtered === expr) throw new Error(`no recorded series in ${expr}`);
  return filtered;
}
