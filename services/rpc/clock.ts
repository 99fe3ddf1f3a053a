/**
 * Epoch milliseconds with sub-millisecond resolution: arrival times are compared across providers at µs scale, and
 * across processes (listener, executor, bench) on one host. performance.timeOrigin was seen 5 ms off Date.now() here,
 * so the origin is calibrated once at load on a Date.now() millisecond edge (a busy wait of at most 1 ms).
 */
const ORIGIN_MS = calibrateOrigin();

function calibrateOrigin(): number {
  const start = Date.now();
  let now = start;
  while (now === start) now = Date.now();
  return now - performance.now();
}

export function preciseNowMs(): number {
  return ORIGIN_MS + performance.now();
}
