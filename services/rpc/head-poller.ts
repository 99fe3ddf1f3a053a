import { readBlockHeader, type BlockHeader } from "./block-header";
import { preciseNowMs } from "./clock";
import { RpcError } from "./errors";
import { postJsonRpc } from "./http-json-rpc";
import type { ProviderStatus } from "./provider";
import type { RpcObserver } from "./http-router";

export interface HeadPollerOptions {
  /** How often a provider whose WebSocket is not delivering heads is polled over HTTP. */
  fastIntervalMs: number;
  /** How often a provider with a live WebSocket is polled anyway, as a cross-check of its HTTP side. */
  slowIntervalMs: number;
  /** A WebSocket with no head for this long counts as not delivering. */
  quietAfterMs: number;
  timeoutMs: number;
}

/**
 * HTTP head polling per provider. It keeps detection going when every WebSocket is down (the confirmer backfills from
 * the heads it finds) and measures each provider's HTTP head, so a stale HTTP side is seen even with a live socket.
 */
export class HeadPoller {
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<string>();
  private readonly lastPollMs = new Map<string, number>();
  private readonly lastWsHeadMs = new Map<string, number>();

  constructor(
    private readonly providers: readonly ProviderStatus[],
    private readonly options: HeadPollerOptions,
    private readonly onHead: (provider: string, header: BlockHeader, arrivalMs: number) => void,
    private readonly onError: (provider: string, err: Error) => void,
    private readonly observer: RpcObserver,
  ) {}

  noteWsHead(provider: string, atMs: number): void {
    this.lastWsHeadMs.set(provider, atMs);
  }

  start(): void {
    const tick = Math.max(10, Math.min(this.options.fastIntervalMs, 250));
    this.timer = setInterval(() => this.tick(), tick);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    const now = preciseNowMs();
    for (const p of this.providers) {
      if (p.chain === "wrong" || this.inFlight.has(p.name)) continue;
      const wsLive = p.wsConnected && now - (this.lastWsHeadMs.get(p.name) ?? 0) < this.options.quietAfterMs;
      const interval = wsLive ? this.options.slowIntervalMs : this.options.fastIntervalMs;
      if (now - (this.lastPollMs.get(p.name) ?? 0) < interval) continue;
      if (p.throttledUntilMs > Date.now()) continue;
      this.lastPollMs.set(p.name, now);
      void this.poll(p);
    }
  }

  private async poll(p: ProviderStatus): Promise<void> {
    this.inFlight.add(p.name);
    const started = performance.now();
    try {
      const result = await postJsonRpc(p.name, p.endpoint.httpUrl, "eth_getBlockByNumber", ["latest", false], this.options.timeoutMs);
      this.observer.requestSucceeded(p.name, "eth_getBlockByNumber", (performance.now() - started) / 1000);
      this.onHead(p.name, readBlockHeader(result), preciseNowMs());
    } catch (err) {
      if (err instanceof RpcError) {
        this.observer.requestFailed(p.name, err.kind);
        if (err.kind === "http_429") p.throttle(Date.now(), err.retryAfterMs);
      } else {
        this.observer.requestFailed(p.name, "malformed");
      }
      this.onError(p.name, err as Error);
    } finally {
      this.inFlight.delete(p.name);
    }
  }
}
