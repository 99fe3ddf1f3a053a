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
}
