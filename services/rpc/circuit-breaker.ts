export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** First open period; doubles on every failed probe up to maxCooldownMs. */
  cooldownMs: number;
  maxCooldownMs: number;
}

export const DEFAULT_BREAKER: CircuitBreakerOptions = { failureThreshold: 5, cooldownMs: 1000, maxCooldownMs: 30_000 };

export type BreakerState = "closed" | "open" | "half_open";

/**
 * Per-provider circuit breaker. Timeouts and throttling count as failures: a provider that is merely slow must trip it
 * too (a breaker that only sees errors, as in eRPC, never opens on the provider that hurts latency most).
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private cooldown: number;
  private probing = false;
  private state: BreakerState = "closed";

  constructor(private readonly options: CircuitBreakerOptions = DEFAULT_BREAKER) {
    this.cooldown = options.cooldownMs;
  }

  /** Whether a request may go out now; in half-open state only one probe at a time. */
  allows(nowMs: number): boolean {
    if (this.state === "closed") return true;
    if (this.state === "open" && nowMs - this.openedAt >= this.cooldown) {
      this.state = "half_open";
      this.probing = false;
    }
    if (this.state === "half_open" && !this.probing) {
      this.probing = true;
      return true;
    }
    return false;
  }

  current(nowMs: number): BreakerState {
    if (this.state === "open" && nowMs - this.openedAt >= this.cooldown) return "half_open";
    return this.state;
  }

  success(): void {
    this.failures = 0;
    this.state = "closed";
    this.probing = false;
    this.cooldown = this.options.cooldownMs;
  }

  failure(nowMs: number): void {
    if (this.state === "half_open") {
      this.cooldown = Math.min(this.cooldown * 2, this.options.maxCooldownMs);
      this.open(nowMs);
      return;
    }
    this.failures += 1;
    if (this.failures >= this.options.failureThreshold) this.open(nowMs);
  }

  private open(nowMs: number): void {
    this.state = "open";
    this.openedAt = nowMs;
    this.probing = false;
  }
}
