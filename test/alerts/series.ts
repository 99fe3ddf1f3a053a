/**
 * Input series for promtool unit tests, one sample per clock step from t = 0, written in promtool's expanding notation
 * (`a+bxn`, `_xn`, `stale`) so that hours of samples stay a few tokens long.
 */
export type Labels = Record<string, string>;
/** A sample, a scrape that did not happen (`null`), or the staleness marker Prometheus writes when a target vanishes. */
export type Sample = number | null | "stale";

export interface Series {
  metric: string;
  labels: Labels;
  values: Sample[];
}

export const ENV = "production";

/** The labels Prometheus attaches to everything it scrapes from one host (constructs/monitoring/prometheus-config.ts). */
export function target(region: string, job: string, instance: string): Labels {
  return { env: ENV, region, job, service: job, instance };
}

/**
 * Samples (and rule evaluations) every `step` minutes up to `minutes`, the evaluation time. Hours-long scenarios use a
 * 5-minute step: promtool evaluates every rule at every step over every window, so its cost grows with steps².
 */
export interface Clock {
  step: number;
  minutes: number;
}

export function times(clock: Clock): number[] {
  return Array.from({ length: clock.minutes / clock.step + 1 }, (_, i) => i * clock.step);
}

/** A gauge's value at each step, by the step's minute. */
export function gauge(clock: Clock, at: (minute: number) => Sample): Sample[] {
  return times(clock).map(at);
}

/** A counter starting at 0 that grows by `increase(t)` during the step ending at minute t. */
export function counter(clock: Clock, increase: (minute: number) => number): Sample[] {
  const values: Sample[] = [0];
  for (const t of times(clock).slice(1)) values.push((values[values.length - 1] as number) + increase(t));
  return values;
}

export function notation(values: Sample[]): string {
  const tokens: string[] = [];
  let i = 0;
  while (i < values.length) {
    const v = values[i];
    if (v === "stale") {
      tokens.push("stale");
      i++;
    } else if (v === null) {
      let n = 1;
      while (values[i + n] === null) n++;
      tokens.push(n === 1 ? "_" : `_x${n}`);
      i += n;
    } else {
      const step = typeof values[i + 1] === "number" ? (values[i + 1] as number) - v : 0;
      let n = 0;
      while (
        typeof values[i + n + 1] === "number" &&
        (values[i + n + 1] as number) - (values[i + n] as number) === step
      )
        n++;
      tokens.push(n === 0 ? `${v}` : `${v}${step < 0 ? "-" : "+"}${Math.abs(step)}x${n}`);
      i += n + 1;
    }
  }
  return tokens.join(" ");
}

export function seriesSelector(metric: string, labels: Labels): string {
  return `${metric}{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(",")}}`;
}
