import type { FaultStore } from "./fault-store";
import type { HeadTracker } from "./head-tracker";
import type { ProviderLatency, Rng } from "./latency";
import type { StatsRecorder } from "./stats";

export interface Upstream {
  httpUrl: string;
  wsUrl: string;
}

/** What the HTTP and WebSocket halves of one provider share. */
export interface ProviderContext {
  readonly upstream: Upstream;
  readonly faults: FaultStore;
  readonly stats: StatsRecorder;
  readonly head: HeadTracker;
  /** The provider's seeded RNG, for latency samples and fault probabilities alike. */
  readonly rng: Rng;
  latency(): ProviderLatency;
}
