import { nearestRank, quantileFromBuckets } from "../../services/metrics/quantile";

/** Latency summary of one sample set; the quantiles are undefined when nothing was measured. */
export interface Summary {
  count: number;
  /** The smallest sample: across two processes' clocks a negative one would mean the clocks disagree. */
  min: number | undefined;
  p50: number | undefined;
  p99: number | undefined;
  max: number | undefined;
}

/**
 * Nearest-rank percentile (the ⌈p/100 · n⌉-th smallest value): always an observed sample, never an interpolation, so
 * a p99 over few samples honestly reads as the worst one rather than a made-up value between the two worst.
 */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (!(p > 0 && p <= 100)) throw new Error(`percentile must be in (0, 100], got ${p}`);
  return nearestRank(values, p / 100);
}

export function summarize(values: readonly number[]): Summary {
  return {
    count: values.length,
    min: values.length === 0 ? undefined : Math.min(...values),
    p50: percentile(values, 50),
    p99: percentile(values, 99),
    max: values.length === 0 ? undefined : Math.max(...values),
  };
}

/** Cumulative Prometheus histogram buckets: `le` upper bound (Infinity for +Inf) and observations ≤ it. */
export interface HistogramBucket {
  le: number;
  count: number;
}

export interface HistogramSnapshot {
  count: number;
  sum: number;
  buckets: HistogramBucket[];
}

/** Observations made between two snapshots of the same cumulative histogram. */
export function histogramDelta(before: HistogramSnapshot, after: HistogramSnapshot): HistogramSnapshot {
  const earlier = new Map(before.buckets.map((b) => [b.le, b.count]));
  return {
    count: after.count - before.count,
    sum: after.sum - before.sum,
    buckets: after.buckets.map((b) => ({ le: b.le, count: b.count - (earlier.get(b.le) ?? 0) })),
  };
}

/** histogram_quantile over a snapshot (see quantileFromBuckets). */
export function histogramQuantile(snapshot: HistogramSnapshot, q: number): number | undefined {
  return quantileFromBuckets(snapshot.buckets, q);
}

/** Fraction of observations ≤ `le`, exactly: `le` must be one of the histogram's bucket bounds. */
export function histogramShareAtOrBelow(snapshot: HistogramSnapshot, le: number): number | undefined {
  if (snapshot.count === 0) return undefined;
  const bucket = snapshot.buckets.find((b) => b.le === le);
  if (!bucket) throw new Error(`histogram has no bucket le=${le}; bounds are ${snapshot.buckets.map((b) => b.le).join(", ")}`);
  return bucket.count / snapshot.count;
}

/**
 * The tightest bound a histogram gives on its largest observation: the first bucket bound holding every observation
 * (Infinity when some fell past the last finite bound; undefined without observations). Buckets must be sorted.
 */
export function histogramMaxAtMost(snapshot: HistogramSnapshot): number | undefined {
  if (snapshot.count === 0) return undefined;
  return snapshot.buckets.find((b) => b.count >= snapshot.count)?.le ?? Number.POSITIVE_INFINITY;
}

/** A latency histogram over a window, in ms: interpolated quantiles, and the bound of the highest non-empty bucket. */
export interface HistogramFigures {
  count: number;
  meanMs: number | undefined;
  p50Ms: number | undefined;
  p99Ms: number | undefined;
  /** Every observation was at most this (+Inf when one landed past the last finite bucket). */
  maxAtMostMs: number | undefined;
}

export function histogramFigures(delta: HistogramSnapshot): HistogramFigures {
  const ms = (seconds: number | undefined) => (seconds === undefined ? undefined : seconds * 1000);
  return {
    count: delta.count,
    meanMs: delta.count === 0 ? undefined : (delta.sum / delta.count) * 1000,
    p50Ms: ms(histogramQuantile(delta, 0.5)),
    p99Ms: ms(histogramQuantile(delta, 0.99)),
    maxAtMostMs: ms(histogramMaxAtMost(delta)),
  };
}

/** One sample line of the Prometheus text exposition format. */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const LABEL_PAIR = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses the text format (what /metrics serves): comments and blank lines skipped, label values unescaped. */
export function parsePromText(text: string): PromSample[] {
  const samples: PromSample[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const match = SAMPLE_LINE.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? "").matchAll(LABEL_PAIR)) {
      labels[key] = value.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
    }
    samples.push({ name: match[1], labels, value: parsePromNumber(match[3]) });
  }
  return samples;
}

function parsePromNumber(raw: string): number {
  if (raw === "+Inf") return Number.POSITIVE_INFINITY;
  if (raw === "-Inf") return Number.NEGATIVE_INFINITY;
  // prom-client writes NaN as "Nan" (e.g. a GC summary with no observations yet).
  if (raw.toLowerCase() === "nan") return Number.NaN;
  const n = Number(raw);
  if (Number.isNaN(n)) throw new Error(`not a Prometheus value: ${raw}`);
  return n;
}

const matches = (labels: Record<string, string>, filter: Record<string, string>) =>
  Object.entries(filter).every(([k, want]) => labels[k] === want);

/** One histogram from parsed samples; series matching `filter` are added up bucket by bucket. */
export function promHistogram(samples: readonly PromSample[], name: string, filter: Record<string, string> = {}): HistogramSnapshot {
  const snapshot: HistogramSnapshot = { count: 0, sum: 0, buckets: [] };
  const buckets = new Map<number, number>();
  for (const s of samples) {
    if (!matches(s.labels, filter)) continue;
    if (s.name === `${name}_count`) snapshot.count += s.value;
    else if (s.name === `${name}_sum`) snapshot.sum += s.value;
    else if (s.name === `${name}_bucket`) {
      const le = parsePromNumber(s.labels.le);
      buckets.set(le, (buckets.get(le) ?? 0) + s.value);
    }
  }
  snapshot.buckets = [...buckets].sort(([a], [b]) => a - b).map(([le, count]) => ({ le, count }));
  return snapshot;
}

/** A counter's samples matching `filter`, added up by the values of the `by` labels (joined with "/"). */
export function promCounterBy(
  samples: readonly PromSample[],
  name: string,
  filter: Record<string, string>,
  by: readonly string[],
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) {
    if (s.name !== name || !matches(s.labels, filter)) continue;
    const key = by.map((label) => s.labels[label] ?? "").join("/");
    out[key] = (out[key] ?? 0) + s.value;
  }
  return out;
}

/** A stretch of time on the epoch-ms clock: starts at `atMs`, lasts `ms`. */
export interface Interval {
  atMs: number;
  ms: number;
}

/** Half-open overlap: two intervals that merely touch do not overlap. */
export function overlaps(a: Interval, b: Interval): boolean {
  return a.atMs < b.atMs + b.ms && b.atMs < a.atMs + a.ms;
}

export interface PauseSummary {
  /** Pauses strictly longer than each threshold, in the order the thresholds were given. */
  longerThan: { ms: number; count: number }[];
  maxMs: number | undefined;
  totalMs: number;
}

export function summarizePauses(pauses: readonly Interval[], thresholdsMs: readonly number[]): PauseSummary {
  return {
    longerThan: thresholdsMs.map((ms) => ({ ms, count: pauses.filter((p) => p.ms > ms).length })),
    maxMs: pauses.length === 0 ? undefined : Math.max(...pauses.map((p) => p.ms)),
    totalMs: pauses.reduce((sum, p) => sum + p.ms, 0),
  };
}

/**
 * Of the windows [start, start + windowMs) lying wholly inside `span` (others are not counted: the probe could not
 * have seen a pause there), how many overlap at least one pause.
 */
export function windowsWithPause(
  starts: readonly number[],
  windowMs: number,
  pauses: readonly Interval[],
  span: Interval,
): { windows: number; withPause: number } {
  let windows = 0;
  let withPause = 0;
  for (const atMs of starts) {
    if (atMs < span.atMs || atMs + windowMs > span.atMs + span.ms) continue;
    windows += 1;
    if (pauses.some((p) => overlaps({ atMs, ms: windowMs }, p))) withPause += 1;
  }
  return { windows, withPause };
}

/**
 * Exact chance that a window of `windowMs`, started uniformly at random inside `span` (and ending inside it), overlaps
 * a pause: a window starting in (pause start − windowMs, pause end) does, so it is the length of the union of those
 * ranges over the length of the possible starts. Exact rather than sampled, so a rare pause is not missed by luck.
 */
export function overlapChance(pauses: readonly Interval[], windowMs: number, span: Interval): number | undefined {
  const first = span.atMs;
  const last = span.atMs + span.ms - windowMs;
  if (!(last > first)) return undefined;
  const ranges = pauses
    .map((p) => [Math.max(first, p.atMs - windowMs), Math.min(last, p.atMs + p.ms)] as const)
    .filter(([from, to]) => to > from)
    .sort(([a], [b]) => a - b);
  let covered = 0;
  let reach = first;
  for (const [from, to] of ranges) {
    if (to <= reach) continue;
    covered += to - Math.max(from, reach);
    reach = to;
  }
  return covered / (last - first);
}

/**
 * Wilson score interval for k successes in n trials (z = 1.96: 95 %). Unlike k/n ± 1.96·√(p(1−p)/n) it stays inside
 * [0, 1] and is not zero-width at k = 0, which matters for a rate read off a few dozen block windows.
 */
export function wilsonInterval(k: number, n: number, z = 1.96): { low: number; high: number } | undefined {
  if (n <= 0) return undefined;
  if (!(k >= 0 && k <= n)) throw new Error(`need 0 ≤ k ≤ n, got k=${k}, n=${n}`);
  const p = k / n;
  const z2n = (z * z) / n;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z / (1 + z2n)) * Math.sqrt((p * (1 - p)) / n + z2n / (4 * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** GET <baseUrl>/metrics of a bench child, parsed; a non-200 answer names the child. */
export async function scrapeMetrics(name: string, baseUrl: string): Promise<PromSample[]> {
  const res = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`${name} /metrics answered ${res.status}`);
  return parsePromText(await res.text());
}
