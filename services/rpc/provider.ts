import { CircuitBreaker, DEFAULT_BREAKER, type CircuitBreakerOptions } from "./circuit-breaker";
import { LatencyWindow } from "./latency-window";

export interface ProviderEndpoint {
  name: string;
  httpUrl: string;
  wsUrl: string;
}

export type ChainCheck = "unknown" | "ok" | "wrong";

/** Everything the RPC layer knows about one provider; mutated only by the router, sessions and head tracker. */
export class ProviderStatus {
  readonly breaker: CircuitBreaker;
  readonly latency = new LatencyWindow();
  throttledUntilMs = 0;
  chain: ChainCheck = "unknown";
  /** Last head number this provider showed us (WebSocket or HTTP), undefined before the first. */
  head: bigint | undefined;
  lastHeadAtMs = 0;
  /** A fresh connection gets one stall period to deliver its first head before it is called stalled. */
  connectedAtMs = 0;
  wsConnected = false;

  constructor(
    readonly endpoint: ProviderEndpoint,
    breaker: CircuitBreakerOptions = DEFAULT_BREAKER,
  ) {
    this.breaker = new CircuitBreaker(breaker);
  }

  get name(): string {
    return this.endpoint.name;
  }

  /** Honours a 429: skipped until Retry-After (1 s when absent), capped so one bad header cannot bench it for long. */
  throttle(nowMs: number, retryAfterMs: number | undefined): void {
    this.throttledUntilMs = nowMs + Math.min(retryAfterMs ?? 1000, 60_000);
  }
}
