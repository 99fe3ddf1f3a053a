import { nearestRank } from "../metrics/quantile";

/** The last N latencies of one provider, for the hedge delay: a fixed ring, so memory and cost stay flat. */
export class LatencyWindow {
  private readonly samples: Float64Array;
  private count = 0;
  private next = 0;
  /** Exponentially weighted mean (α = 0.25): quick to demote a provider gone slow, for ranking; undefined until a sample. */
  ewma: number | undefined;

  constructor(size = 256) {
    this.samples = new Float64Array(size);
  }

  record(ms: number): void {
    this.ewma = this.ewma === undefined ? ms : this.ewma + 0.25 * (ms - this.ewma);
    this.samples[this.next] = ms;
    this.next = (this.next + 1) % this.samples.length;
    this.count = Math.min(this.count + 1, this.samples.length);
  }

  get size(): number {
    return this.count;
  }

  /** Nearest-rank quantile, or undefined with no samples. */
  quantile(q: number): number | undefined {
    return nearestRank(this.samples.subarray(0, this.count), q);
  }

}
