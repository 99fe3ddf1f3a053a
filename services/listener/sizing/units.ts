/**
 * Fixed-point helpers. Collateral and share amounts are 6-decimal micro-units (1_000_000n = 1 pUSD or 1 share), prices
 * are micro-units of collateral per share (1_000_000n = 1.0) and ratios are parts per million (1_000_000n = 100 %), so
 * every cap comparison is exact integer arithmetic.
 */
export const MICROS = 1_000_000n;
export const BPS = 10_000n;

/**
 * Parses a decimal ("12.5", "0.001", 12.5) into a bigint scaled by 10^decimals. Returns undefined when the value has more
 * precision than the scale can hold: silently rounding a configured cap would make "exactly at the cap" ambiguous.
 * Numbers are read through their shortest round-trip string, so 0.1 parses as exactly 100_000n micro-units.
 */
export function parseFixed(value: string | number, decimals: number): bigint | undefined {
  const text = typeof value === "number" ? (Number.isFinite(value) ? String(value) : "") : value.trim();
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return undefined;
  const [, sign, whole, fraction = ""] = match;
  if (fraction.length > decimals) {
    if (/[^0]/.test(fraction.slice(decimals))) return undefined;
  }
  const scaled = BigInt(whole + fraction.slice(0, decimals).padEnd(decimals, "0"));
  return sign === "-" ? -scaled : scaled;
}

/** a / b rounded up, for non-negative a and positive b. */
export function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

export function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

export function maxBig(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

/** Renders micro-units as a decimal ("0.523", "12"), for messages. */
export function formatMicros(value: bigint): string {
  const sign = value < 0n ? "-" : "";
  const abs = value < 0n ? -value : value;
  const fraction = (abs % MICROS).toString().padStart(6, "0").replace(/0+$/, "");
  return `${sign}${abs / MICROS}${fraction ? `.${fraction}` : ""}`;
}
