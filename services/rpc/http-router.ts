import type { RpcErrorKind } from "../metrics/catalogue";
import { AllProvidersFailedError, RpcError } from "./errors";
import { DEFAULT_HEDGE, hedgeDelayMs, type HedgePolicy } from "./hedge";
import { postJsonRpc } from "./http-json-rpc";
import type { ProviderStatus } from "./provider";
import { selectProviders } from "./select";

export interface RpcObserver {
  requestSucceeded(provider: string, method: string, seconds: number): void;
  requestFailed(provider: string, kind: RpcErrorKind): void;
  hedged(winner: "primary" | "hedge" | "none"): void;
}

export interface RequestOptions {
  minHead?: bigint;
  /** Whole-request deadline across all legs. */
  timeoutMs?: number;
  /** Per-leg timeout. */
  legTimeoutMs?: number;
  /**
   * Whether an answer is good enough to win. An unacceptable answer (a null block, an empty log list that the block's
   * bloom says cannot be empty) sends the request on to the next provider instead of winning.
   */
  accept?: (result: unknown, provider: string) => boolean;
}

export interface RoutedResult<T = unknown> {
  result: T;
  provider: string;
  accepted: boolean;
}

const FAILURE_PENALTY_MS = 250;

const NOOP_OBSERVER: RpcObserver = { requestSucceeded() {}, requestFailed() {}, hedged() {} };

/**
 * Hedged, failover JSON-RPC over HTTP: ask the best provider; if it has not answered by its recent p95, ask the next one
 * too; on an error or an unacceptable answer move on at once. The first acceptable answer wins and the other legs are
 * aborted. Every leg has its own timeout and the whole request a deadline.
 */
export class HttpRouter {
  constructor(
    private readonly providers: readonly ProviderStatus[],
    private readonly observer: RpcObserver = NOOP_OBSERVER,
    private readonly hedge: HedgePolicy = DEFAULT_HEDGE,
    private readonly now: () => number = Date.now,
  ) {}

  async request<T = unknown>(method: string, params: readonly unknown[], options: RequestOptions = {}): Promise<RoutedResult<T>> {
    const candidates = selectProviders(this.providers, { nowMs: this.now(), minHead: options.minHead });
    const deadline = options.timeoutMs ?? 3000;
    const legTimeout = options.legTimeoutMs ?? Math.min(deadline, 1500);
    const failures: RpcError[] = [];
    if (candidates.length === 0) throw new AllProvidersFailedError(method, failures);

    const legs: { provider: ProviderStatus; started: number; controller: AbortController; settled: boolean }[] = [];
    let lastUnaccepted: RoutedResult<T> | undefined;
    let launched = 0;
    let settled = 0;

    return new Promise<RoutedResult<T>>((resolve, reject) => {
      let done = false;
      let hedgeTimer: NodeJS.Timeout | undefined;
      const deadlineTimer = setTimeout(() => finishWithFailure(), deadline);

      const finish = (outcome: RoutedResult<T>, leg: number) => {
        if (done) return;
        done = true;
        cleanup(legs[leg]?.started);
        if (launched > 1) this.observer.hedged(leg === 0 ? "primary" : "hedge");
        resolve(outcome);
      };
      const finishWithFailure = () => {
        if (done) return;
        done = true;
        cleanup();
        if (launched > 1) this.observer.hedged("none");
        if (lastUnaccepted) resolve(lastUnaccepted);
        else reject(new AllProvidersFailedError(method, failures));
      };
      const cleanup = (winnerStarted?: number) => {
        clearTimeout(deadlineTimer);
        if (hedgeTimer) clearTimeout(hedgeTimer);
        const now = performance.now();
        for (const leg of legs) {
          if (leg.settled) continue;
          // A leg outrun by one started after it is at least this slow: without the sample, a provider that hangs but
          // is always rescued by a hedge would keep its old fast ranking and be asked first forever. A hedge leg
          // started after the winner proves only that it was not faster than the rest of the winner's time, which can
          // be short; recording that would rank a hung provider back above a slow but answering one.
          if (winnerStarted === undefined || leg.started <= winnerStarted) leg.provider.latency.record(now - leg.started);
          leg.controller.abort();
        }
      };
      const launchNext = () => {
        if (done || launched >= candidates.length) return;
        const leg = launched++;
        const provider = candidates[leg];
        if (!provider.breaker.allows(this.now())) {
          settled++;
          afterLegEnded();
          return;
        }
        const controller = new AbortController();
        const started = performance.now();
        const entry = { provider, started, controller, settled: false };
        legs.push(entry);
        postJsonRpc(provider.name, provider.endpoint.httpUrl, method, params, legTimeout, controller.signal).then(
          (result) => {
            entry.settled = true;
            settled++;
            if (done) return;
            const ms = performance.now() - started;
            provider.latency.record(ms);
            provider.breaker.success();
            this.observer.requestSucceeded(provider.name, method, ms / 1000);
            const accepted = options.accept ? options.accept(result, provider.name) : true;
            if (accepted) return finish({ result: result as T, provider: provider.name, accepted }, leg);
            lastUnaccepted = { result: result as T, provider: provider.name, accepted: false };
            afterLegEnded();
          },
          (err: unknown) => {
            entry.settled = true;
            settled++;
            if (done) return;
            const error = err instanceof RpcError ? err : new RpcError(provider.name, "network", String(err));
            failures.push(error);
            this.recordFailure(provider, error, performance.now() - started);
            afterLegEnded();
          },
        );
        if (leg === 0 && candidates.length > 1) {
          const delay = hedgeDelayMs(provider.latency.quantile(this.hedge.quantile), provider.latency.size, this.hedge);
          hedgeTimer = setTimeout(launchNext, delay);
        }
      };
      const afterLegEnded = () => {
        if (launched < candidates.length) launchNext();
        else if (settled >= launched) finishWithFailure();
      };
      launchNext();
    });
  }

  private recordFailure(provider: ProviderStatus, error: RpcError, elapsedMs: number): void {
    this.observer.requestFailed(provider.name, error.kind);
    // A failure ranks like a slow answer, so the next request starts with a provider that answered.
    if (error.kind !== "rpc_error") provider.latency.record(Math.max(elapsedMs, FAILURE_PENALTY_MS));
    if (error.kind === "http_429") {
      provider.throttle(this.now(), error.retryAfterMs);
      return;
    }
    // A JSON-RPC error is an answer (an unknown block, a bad range), not a sick provider.
    if (error.kind !== "rpc_error") provider.breaker.failure(this.now());
  }
}
