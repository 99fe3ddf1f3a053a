import type { MetricObjectWithValues, MetricValueWithName } from "prom-client";

/**
 * histogram_quantile over one prom-client histogram's cumulative buckets, linear within the bucket as Prometheus does.
 * `match` picks the series (e.g. one provider); undefined when nothing was observed.
 */
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
  const sorted = [...buckets.entries()].sort((a, b) => a[0] - b[0]);
  const total = sorted.at(-1)?.[1] ?? 0;
  if (total === 0) return undefined;
  const rank = q * total;
  let previousLe = 0;
  let previousCount = 0;
  for (const [le, count] of sorted) {
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
