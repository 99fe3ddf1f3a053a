import type { Histogram } from "prom-client";

/**
 * Observes how late a short timer fires. Unlike prom-client's sampled p99 gauge this is a histogram, so alert rules
 * and the triage command can compute any quantile over any window.
 */
export function monitorEventLoopDelay(histogram: Histogram<string>, intervalMs = 10): () => void {
  let expected = performance.now() + intervalMs;
  const timer = setInterval(() => {
    const now = performance.now();
    histogram.observe(Math.max(0, now - expected) / 1000);
    expected = now + intervalMs;
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
