import type { Logger } from "pino";
import type { Address } from "viem";
import { LATENCY_EXPORTER_METRICS, PROBE_METHODS, RPC_ERROR_KINDS, type RpcErrorKind } from "../metrics/catalogue";
import type { Instruments } from "../metrics/registry";
import type { BlockHeader } from "../rpc/block-header";
import { preciseNowMs } from "../rpc/clock";
import type { RpcError } from "../rpc/errors";
import { bestHead, headLagBlocks } from "../rpc/head-state";
import { ProviderStatus, type ChainCheck, type ProviderEndpoint } from "../rpc/provider";
import { DEFAULT_WS_SESSION, WsSession, type ReconnectReason } from "../rpc/ws-session";
import type { ProbedMethod } from "./answers";
import { HeadArrivals } from "./head-arrivals";
import { isSilent } from "./liveness";
import { ALL_PROBED, probeRound, type ProbeObserver } from "./probes";

export interface LatencyExporterOptions {
  chainId: number;
  blockTimeMs: number;
  exchanges: readonly Address[];
  /** URLs with their API keys filled in: never logged, never a label. */
  providers: readonly ProviderEndpoint[];
  probeIntervalMs: number;
  timeoutMs: number;
}

export type ExporterInstruments = Instruments<typeof LATENCY_EXPORTER_METRICS>;

/** The `method` label of failures of the newHeads subscription (connect, chain check, silence, bad headers). */
const SUBSCRIPTION = "newHeads";

interface Watched {
  status: ProviderStatus;
  session: WsSession;
  /** The HTTP endpoint's last eth_chainId verdict; the socket's own (checked on every connect) is status.chain. */
  httpChain: ChainCheck;
  probing: boolean;
  /** Whether the wrong chain has been reported, so it is logged once per episode and its end is logged too. */
  reportedWrongChain: boolean;
  /** Methods whose last probe failed: a failure streak is logged once at its start and once at its end. */
  failing: Set<ProbedMethod>;
  /** Whether the socket is between a drop and its next successful handshake (retries are logged at debug level). */
  reconnecting: boolean;
  /** Whether the subscription was rebuilt for silence and has not delivered a head since (later rebuilds: debug). */
  silent: boolean;
}

/**
 * An independent view of every RPC provider: newHeads over each WebSocket (arrival lag behind the first provider to
 * deliver each block, head lag in blocks, connection state, subscription liveness) and periodic HTTP probes (round
 * trip per method, errors by kind). A provider on the wrong chain, by its socket's or its HTTP endpoint's word, is
 * reported and its heads are ignored: they never set the pace the others are measured against.
 */
export class LatencyExporter {
  private readonly watched: Watched[];
  private readonly arrivals = new HeadArrivals();
  private readonly abort = new AbortController();
  private readonly rounds = new Set<Promise<void>>();
  private readonly silentAfterMs: number;
  private readonly observer: ProbeObserver;
  private probeTimer: NodeJS.Timeout | undefined;
  private tickTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: LatencyExporterOptions,
    private readonly metrics: ExporterInstruments,
    private readonly log: Logger,
  ) {
    this.silentAfterMs = Math.max(1000, options.blockTimeMs * 2.5);
    this.watched = options.providers.map((endpoint) => {
      const status = new ProviderStatus(endpoint);
      const session = new WsSession(
        status,
        {
          ...DEFAULT_WS_SESSION,
          chainId: options.chainId,
          handshakeTimeoutMs: options.timeoutMs,
          // A socket on the wrong chain is asked again (and counted again if still wrong) once per probe interval.
          wrongChainRetryMs: options.probeIntervalMs,
        },
        {
          head: (provider, header, atMs) => this.onHead(provider, header, atMs),
          // Sessions without a log filter subscribe to newHeads only, so no log ever arrives.
          log: () => {},
          malformed: (provider, what, message) => this.onMalformed(provider, what, message),
          connected: (provider) => this.onConnected(provider),
          disconnected: (provider, reason, detail, kind) => this.onDisconnected(provider, reason, detail, kind),
          wrongChain: (provider, reported) => this.onWrongChain(this.watch(provider), `socket reported chain id ${reported}`),
        },
      );
      return {
        status,
        session,
        httpChain: "unknown" as ChainCheck,
        probing: false,
        reportedWrongChain: false,
        failing: new Set<ProbedMethod>(),
        reconnecting: false,
        silent: false,
      };
    });
    this.observer = {
      sent: (provider, method) => metrics.requests.inc({ provider, method }),
      succeeded: (provider, method, seconds) => this.onProbeSucceeded(this.watch(provider), method, seconds),
      failed: (provider, method, error) => this.onProbeFailed(this.watch(provider), method, error),
    };
    this.zeroSeries();
  }

  /**
   * Asks every HTTP endpoint for its chain id first, so a provider already known to be on the wrong chain never gets
   * a head counted, then opens the sockets and starts probing. Starts even if no provider answers: that is when the
   * exporter's view is needed most.
   */
  async start(): Promise<void> {
    await Promise.all(this.watched.map((w) => this.probe(w, ["eth_chainId"])));
    for (const w of this.watched) w.session.start();
    this.probeTimer = setInterval(() => this.probeAll(), this.options.probeIntervalMs);
    this.probeTimer.unref();
    this.tickTimer = setInterval(() => this.tick(), Math.max(50, Math.min(250, this.options.blockTimeMs / 4)));
    this.tickTimer.unref();
    this.probeAll();
  }

  /** Cancels probes in flight and closes every socket; nothing is counted after it returns. */
  async stop(): Promise<void> {
    this.abort.abort();
    clearInterval(this.probeTimer);
    clearInterval(this.tickTimer);
    for (const w of this.watched) w.session.stop();
    await Promise.allSettled([...this.rounds]);
  }

  /** Ready = at least one provider's socket is subscribed on the right chain. */
  ready(): boolean {
    return this.watched.some((w) => this.trusted(w) && w.status.wsConnected);
  }

  /** Per-provider view for /healthz and /readyz: names and numbers, never URLs. */
  snapshot() {
    const best = this.bestHead();
    const now = preciseNowMs();
    return {
      bestHead: best,
      providers: this.watched.map((w) => ({
        name: w.status.name,
        wsConnected: w.status.wsConnected,
        wrongChain: !this.trusted(w),
        head: w.status.head,
        lagBlocks: headLagBlocks(w.status, best),
        subscriptionLive: this.live(w, best, now),
        failingProbes: [...w.failing],
      })),
    };
  }

  private trusted(w: Watched): boolean {
    return w.status.chain !== "wrong" && w.httpChain !== "wrong";
  }

  private live(w: Watched, best: bigint | undefined, nowMs: number): boolean {
    return this.trusted(w) && w.status.wsConnected && !isSilent(w.status, best, nowMs, this.silentAfterMs);
  }

  private bestHead(): bigint | undefined {
    return bestHead(this.watched.filter((w) => this.trusted(w)).map((w) => w.status));
  }

  private probeAll(): void {
    for (const w of this.watched) if (!w.probing) void this.probe(w, ALL_PROBED);
  }

  private probe(w: Watched, methods: readonly ProbedMethod[]): Promise<void> {
    w.probing = true;
    const round = probeRound(
      w.status.endpoint,
      { chainId: this.options.chainId, exchanges: this.options.exchanges, timeoutMs: this.options.timeoutMs, signal: this.abort.signal },
      this.observer,
      methods,
    ).finally(() => {
      w.probing = false;
      this.rounds.delete(round);
    });
    this.rounds.add(round);
    return round;
  }

  private onHead(provider: string, header: BlockHeader, atMs: number): void {
    const w = this.watch(provider);
    if (!this.trusted(w)) return;
    const status = w.status;
    status.lastHeadAtMs = atMs;
    w.silent = false;
    if (status.head === undefined || header.number > status.head) status.head = header.number;
    this.metrics.lastHeadSeconds.set({ provider }, atMs / 1000);
    const lagMs = this.arrivals.record(provider, header.number, atMs);
    if (lagMs !== undefined) this.metrics.headArrivalLag.observe({ provider }, lagMs / 1000);
  }

  /** Publishes the per-provider gauges and reconnects subscriptions that went silent while others advanced. */
  private tick(): void {
    const best = this.bestHead();
    const now = preciseNowMs();
    for (const w of this.watched) {
      const provider = w.status.name;
      const lag = headLagBlocks(w.status, best);
      if (lag !== undefined) this.metrics.headLagBlocks.set({ provider }, lag);
      this.metrics.wsConnected.set({ provider }, w.status.wsConnected ? 1 : 0);
      this.metrics.wrongChain.set({ provider }, this.trusted(w) ? 0 : 1);
      this.metrics.subscriptionLive.set({ provider }, this.live(w, best, now) ? 1 : 0);
      if (this.trusted(w) && isSilent(w.status, best, now, this.silentAfterMs)) {
        this.metrics.errors.inc({ provider, method: SUBSCRIPTION, kind: "timeout" });
        this.log[w.silent ? "debug" : "warn"](
          { provider, head: w.status.head?.toString(), bestHead: best?.toString(), silentAfterMs: this.silentAfterMs },
          "newHeads subscription silent while other providers advance; reconnecting",
        );
        w.silent = true;
        w.session.forceReconnect("stalled", "no head while others advanced");
      }
    }
  }

  private onConnected(provider: string): void {
    const w = this.watch(provider);
    w.status.connectedAtMs = preciseNowMs();
    if (w.status.chain === "ok" && w.httpChain !== "wrong") this.onRightChain(w);
    w.reconnecting = false;
    this.log.info({ provider }, "newHeads subscription open");
  }

  private onDisconnected(provider: string, reason: ReconnectReason, detail: string, kind: RpcErrorKind | undefined): void {
    const w = this.watch(provider);
    const first = !w.reconnecting;
    w.reconnecting = true;
    // A drop we asked for (silence) was counted and logged when it was decided.
    if (!kind) return;
    this.metrics.errors.inc({ provider, method: SUBSCRIPTION, kind });
    // Retries of a provider that stays down would log every few seconds; the counter has them all.
    this.log[first ? "warn" : "debug"]({ provider, reason, kind, detail }, "newHeads subscription down; reconnecting");
  }

  private onMalformed(provider: string, what: string, message: string): void {
    this.metrics.errors.inc({ provider, method: SUBSCRIPTION, kind: "malformed" });
    this.log.warn({ provider, what, detail: message }, "malformed newHeads notification skipped");
  }

  private onProbeSucceeded(w: Watched, method: ProbedMethod, seconds: number): void {
    if (method === "eth_chainId") {
      w.httpChain = "ok";
      if (w.status.chain !== "wrong") this.onRightChain(w);
    } else {
      this.metrics.requestDuration.observe({ provider: w.status.name, method }, seconds);
    }
    if (w.failing.delete(method)) this.log.info({ provider: w.status.name, method }, "probe answers again");
  }

  private onProbeFailed(w: Watched, method: ProbedMethod, error: RpcError): void {
    this.metrics.errors.inc({ provider: w.status.name, method, kind: error.kind });
    if (error.kind === "wrong_chain") {
      w.httpChain = "wrong";
      this.onWrongChain(w, error.message);
    }
    if (w.failing.has(method)) return;
    w.failing.add(method);
    this.log.warn({ provider: w.status.name, method, kind: error.kind, err: error.message }, "probe failed");
  }

  /** Loud once per episode: its heads are ignored from now on, and every alert on it needs a human. */
  private onWrongChain(w: Watched, detail: string): void {
    if (w.reportedWrongChain) return;
    w.reportedWrongChain = true;
    this.log.error(
      { provider: w.status.name, expectedChainId: this.options.chainId, detail },
      "provider is on the wrong chain: its heads are ignored until it reports the right chain id",
    );
  }

  private onRightChain(w: Watched): void {
    if (!w.reportedWrongChain) return;
    w.reportedWrongChain = false;
    this.log.warn({ provider: w.status.name, chainId: this.options.chainId }, "provider reports the right chain again");
  }

  /**
   * Every series exists from the start: a counter that first appears at 1 loses that increment to rate(), and a
   * provider that never connects must show ws_connected 0 rather than nothing.
   */
  private zeroSeries(): void {
    for (const w of this.watched) {
      const provider = w.status.name;
      for (const gauge of [this.metrics.wsConnected, this.metrics.subscriptionLive, this.metrics.wrongChain]) gauge.set({ provider }, 0);
      this.metrics.headArrivalLag.zero({ provider });
      for (const method of PROBE_METHODS) this.metrics.requestDuration.zero({ provider, method });
      for (const method of ALL_PROBED) this.metrics.requests.inc({ provider, method }, 0);
      for (const method of [...ALL_PROBED, SUBSCRIPTION]) {
        for (const kind of RPC_ERROR_KINDS) this.metrics.errors.inc({ provider, method, kind }, 0);
      }
    }
  }

  private watch(provider: string): Watched {
    const w = this.watched.find((x) => x.status.name === provider);
    if (!w) throw new Error(`unknown provider ${provider}`);
    return w;
  }
}
