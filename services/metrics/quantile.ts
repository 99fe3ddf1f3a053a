import type { MetricObjectWithValues, MetricValueWithName } from "prom-client";

/** Nearest-rank quantile (the ⌈q·n⌉-th smallest sample): always an observed value, never an interpolation. */
export function nearestRank(values: ArrayLike<number>, q: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = Array.from(values).sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export interface CumulativeBucket {
  le: number;
  count: number;
}

/**
 * histogram_quantile as Prometheus computes it: find the bucket holding rank q · total and interpolate linearly inside
 * it (from 0 for the lowest bucket); a rank in the +Inf bucket reads as the highest finite bound. Undefined when empty.
 */
export function quantileFromBuckets(buckets: readonly CumulativeBucket[], q: number): number | undefined {
  if (!(q > 0 && q <= 1)) throw new Error(`quantile must be in (0, 1], got ${q}`);
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const total = sorted.at(-1)?.count ?? 0;
  if (total <= 0) return undefined;
  const rank = q * total;
  let previousLe = 0;
  let previousCount = 0;
  for (const { le, count } of sorted) {
    if (count >= rank) {
      if (le === Number.POSITIVE_INFINITY) return previousLe;
      const inBucket = count - previousCount;
      return inBucket === 0 ? le : previousLe + ((le - previousLe) * (rank - previousCount)) / inBucket;
    }
    previousLe = le;
    previousCount = count;
  }
  return previousLe;
}

/** quantileFromBuckets over one prom-client histogram; `match` picks the series (e.g. one provider) and sums them. */
export function histogramQuantile(
  q: number,
  histogram: MetricObjectWithValues<MetricValueWithName<string>>,
  match: (labels: Record<string, string | number>) => boolean = () => true,
): number | undefined {
  const buckets = new Map<number, number>();
  for (const value of histogram.values) {
    if (!value.metricName?.endsWith("_bucket") || !match(value.labels as Record<string, string | number>)) continue;
    const le = value.labels.le === "+Inf" ? Number.POSITIVE_INFINITY : Number(value.labels.le);
    buckets.set(le, (buckets.get(le) ?? 0) + value.value);
  }
  return quantileFromBuckets([...buckets].map(([le, count]) => ({ le, count })), q);
}
