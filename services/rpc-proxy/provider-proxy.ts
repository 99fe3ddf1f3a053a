import http from "node:http";
import type { AddressInfo } from "node:net";
import { FaultStore, type ActiveFault } from "./fault-store";
import type { FaultInput, FaultKind } from "./faults";
import { HeadTracker } from "./head-tracker";
import { HttpProxy } from "./http-proxy";
import {
  createRng,
  latencyProfileSchema,
  latencyUpdateSchema,
  type LatencyProfileInput,
  type LatencyUpdate,
  type ProviderLatency,
  type Rng,
} from "./latency";
import type { ProviderContext, Upstream } from "./provider-context";
import { StatsRecorder, type ProviderStats } from "./stats";
import { WsProxy } from "./ws-proxy";

export interface ProviderProxyOptions {
  name: string;
  upstream: Upstream;
  /** Missing transports get zero latency. */
  latency?: { http?: LatencyProfileInput; ws?: LatencyProfileInput };
  /** RNG seed for latency samples and fault probabilities; defaults to one derived from the name, so runs repeat. */
  seed?: number;
  /** 0 (the default) picks a free port. */
  port?: number;
}

/** What `GET /providers` reports per provider. */
export interface ProviderInfo {
  name: string;
  httpUrl: string;
  wsUrl: string;
  port: number;
  latency: ProviderLatency;
  faults: ActiveFault[];
  stats: ProviderStats;
}

/** One local "RPC provider": JSON-RPC over HTTP POST and WebSocket on one 127.0.0.1 port, in front of one upstream node. */
export class ProviderProxy {
  private readonly store = new FaultStore();
  private readonly recorder = new StatsRecorder();
  private readonly tracker: HeadTracker;
  private readonly stopping = new AbortController();
  private readonly httpProxy: HttpProxy;
  private readonly wsProxy: WsProxy;
  private readonly server: http.Server;
  private profile: ProviderLatency;
  private random: Rng;
  private listeningPort = 0;

  private constructor(
    readonly name: string,
    upstream: Upstream,
    options: ProviderProxyOptions,
  ) {
    this.profile = {
      http: latencyProfileSchema.parse(options.latency?.http ?? {}),
      ws: latencyProfileSchema.parse(options.latency?.ws ?? {}),
    };
    this.random = createRng(options.seed ?? seedFromName(name));
    this.tracker = new HeadTracker(upstream.wsUrl);
    const ctx: ProviderContext = {
      upstream,
      faults: this.store,
      stats: this.recorder,
      head: this.tracker,
      rng: () => this.random(),
      latency: () => this.profile,
    };
    this.httpProxy = new HttpProxy(ctx, this.stopping.signal);
    this.wsProxy = new WsProxy(ctx);
    this.server = http.createServer((req, res) => this.httpProxy.handle(req, res));
    this.server.on("upgrade", (req, socket, head) => this.wsProxy.handleUpgrade(req, socket, head));
  }

  static async start(options: ProviderProxyOptions): Promise<ProviderProxy> {
    const proxy = new ProviderProxy(options.name, options.upstream, options);
    await proxy.listen(options.port ?? 0);
    proxy.tracker.start();
    return proxy;
  }

  get port(): number {
    return this.listeningPort;
  }

  get httpUrl(): string {
    return `http://127.0.0.1:${this.listeningPort}`;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.listeningPort}`;
  }

  /** Validates (throws a ZodError on bad input) and activates a fault, replacing an active one of the same kind. */
  setFault(fault: FaultInput): ActiveFault {
    return this.store.set(fault);
  }

  /** Returns whether the kind was active. */
  clearFault(kind: FaultKind): boolean {
    return this.store.clear(kind);
  }

  /** Returns how many faults were active. */
  clearFaults(): number {
    return this.store.clearAll();
  }

  faults(): ActiveFault[] {
    return this.store.list();
  }

  latency(): ProviderLatency {
    return this.profile;
  }

  /** Replaces the given transports' profiles (validated, throws a ZodError) and optionally reseeds the RNG. */
  setLatency(update: LatencyUpdate): ProviderLatency {
    const parsed = latencyUpdateSchema.parse(update);
    this.profile = { http: parsed.http ?? this.profile.http, ws: parsed.ws ?? this.profile.ws };
    if (parsed.seed !== undefined) this.random = createRng(parsed.seed);
    return this.profile;
  }

  stats(): ProviderStats {
    return this.recorder.snapshot();
  }

  resetStats(): void {
    this.recorder.reset();
  }

  info(): ProviderInfo {
    return {
      name: this.name,
      httpUrl: this.httpUrl,
      wsUrl: this.wsUrl,
      port: this.port,
      latency: this.latency(),
      faults: this.faults(),
      stats: this.stats(),
    };
  }

  /** Drops held and delayed requests, client and upstream sockets, and the head tracker. */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.store.close();
    this.wsProxy.close();
    this.tracker.stop();
    this.httpProxy.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, "127.0.0.1", () => {
        this.server.off("error", reject);
        this.listeningPort = (this.server.address() as AddressInfo).port;
        resolve();
      });
    });
  }
}

function seedFromName(name: string): number {
  let hash = 2166136261;
  for (const char of name) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619);
  return hash >>> 0;
}
