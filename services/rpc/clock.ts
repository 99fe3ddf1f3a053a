/** Epoch milliseconds with sub-millisecond resolution: arrival times are compared across providers at µs scale. */
export function preciseNowMs(): number {
  return performance.timeOrigin + performance.now();
}
