import type { Hex } from "viem";
import type { Logger } from "pino";
import { ORDER_FILLED_V1_TOPIC, ORDER_FILLED_V2_TOPIC } from "../polymarket/abi";
import type { ExchangeContract } from "../polymarket/exchanges";
import { LISTENER_METRICS, PROVIDER_STATES, type RpcErrorKind } from "../metrics/catalogue";
import { boundByKey, recordLater, type Instruments } from "../metrics/registry";
import type { BlockHeader } from "../rpc/block-header";
import { preciseNowMs } from "../rpc/clock";
import { RpcError } from "../rpc/errors";
import { bestHead, headLagBlocks, isReady, providerState, type HeadPolicy } from "../rpc/head-state";
import { HeadPoller } from "../rpc/head-poller";
import { HttpRouter, type RpcObserver } from "../rpc/http-router";
import { postJsonRpc } from "../rpc/http-json-rpc";
import { ProviderStatus, type ProviderEndpoint } from "../rpc/provider";
import { DEFAULT_WS_SESSION, WsSession, type ReconnectReason } from "../rpc/ws-session";
import { ArrivalRecorder } from "./arrivals";
import { BlockConfirmer, type BackfillReason } from "./block-confirmer";
import {
  decodeLeaderFill,
  ExchangeIndex,
  fillKeyInFrame,
  glanceAtLog,
  makerInFrame,
  MalformedLogError,
  readLogPosition,
  type LogPosition,
  type RawLog,
} from "./decode";
import { fillKey, type Fill } from "./fill";

export interface DetectorOptions {
  chainId: number;
  exchanges: readonly ExchangeContract[];
  providers: readonly ProviderEndpoint[];
  /** Expected block time; stall detection, polling and the reconcile grace derive from it. */
  blockTimeMs: number;
  /** Lower-case leader addresses; read on every log so a config reload takes effect at once. */
  isLeader: (makerLowerCase: string) => boolean;
  /** First block to confirm; default: the best head when the detector starts. */
  startBlock?: bigint;
}

export interface DetectorEvents {
  /** A leader fill, once per (tx hash, log index), with the time its log first arrived from any source. */
  fill(fill: Fill, firstSeenAtMs: number): void;
  /** A fill whose block left the canonical chain. */
  fillRemoved(fill: Fill, source: "removed_log" | "head"): void;
  /** A block's logs are confirmed complete: the quiet moment between blocks. */
  blockConfirmed(block: BlockHeader): void;
  /** Fills below this block can no longer be reorged: whatever is kept per fill can go. */
  forgetBefore(block: bigint): void;
}

export type ListenerInstruments = Instruments<typeof LISTENER_METRICS>;

/** Fills are remembered this many blocks for dedupe and reorg cancellation. */
const REMEMBER_BLOCKS = 256n;

/** fillKey read straight off an RPC log, for the duplicate check; undefined when the fields are not strings. */
function rawFillKey(raw: RawLog): string | undefined {
  if (typeof raw.transactionHash !== "string" || typeof raw.logIndex !== "string") return undefined;
  return fillKey({ txHash: raw.transactionHash as Hex, logIndex: Number.parseInt(raw.logIndex, 16) });
}
const BACKFILL_SOURCE = "backfill";

/**
 * Leader-fill detection over several providers at once. Every provider's WebSocket delivers heads and exchange logs;
 * the first arrival of a log wins and later ones only feed the arrival-lag metrics. The block confirmer walks the
 * canonical chain behind them and fetches by block hash whatever a stalled, lagging or dropped subscription missed,
 * and turns parent-hash breaks into reorgs. HTTP head polling takes over when no socket delivers.
 */
export class Detector {
  readonly providers: ProviderStatus[];
  readonly router: HttpRouter;
  private readonly sessions = new Map<string, WsSession>();
  private readonly confirmer: BlockConfirmer;
  private readonly poller: HeadPoller;
  private readonly exchanges: ExchangeIndex;
  private readonly headArrivals: ArrivalRecorder;
  private readonly logArrivals: ArrivalRecorder;
  private readonly fills = new Map<string, Fill>();
  private readonly orphanedBlocks = new Set<string>();
  /** Block hash → its header's number and timestamp, for providers whose logs do not carry `blockTimestamp`. */
  private readonly blockTimes = new Map<string, { number: bigint; timestamp: number }>();
  /** Leader logs whose block timestamp is not known yet: decoded once a header for their block arrives. */
  private readonly awaitingBlockTime = new Map<string, Array<{ source: string; position: LogPosition; atMs: number }>>();
  private readonly headPolicy: HeadPolicy;
  private watchdog: NodeJS.Timeout | undefined;
  private confirmTimer: NodeJS.Timeout | undefined;
  private confirmedBest: bigint | undefined;
  private stopped = false;
  private readonly logsReceived: (source: string) => ReturnType<ListenerInstruments["logsReceived"]["labels"]>;
  private readonly fillsDecoded: (layout: string) => ReturnType<ListenerInstruments["fills"]["labels"]>;
  private readonly decodeStage: ReturnType<ListenerInstruments["stageDuration"]["labels"]>;

  constructor(
    private readonly options: DetectorOptions,
    private readonly events: DetectorEvents,
    private readonly metrics: ListenerInstruments,
    private readonly log: Logger,
  ) {
    this.providers = options.providers.map((endpoint) => new ProviderStatus(endpoint));
    this.decodeStage = metrics.stageDuration.labels({ stage: "decode" });
    this.logsReceived = boundByKey((source) => metrics.logsReceived.labels({ source }));
    this.fillsDecoded = boundByKey((layout) => metrics.fills.labels({ layout }));
    const observer: RpcObserver = {
      requestSucceeded: (provider, method, seconds) => metrics.requestDuration.observe({ provider, method }, seconds),
      requestFailed: (provider, kind) => metrics.rpcErrors.inc({ provider, kind }),
      hedged: (winner) => metrics.hedges.inc({ winner }),
    };
    this.router = new HttpRouter(this.providers, observer);
    this.exchanges = new ExchangeIndex(options.exchanges);
    this.headPolicy = { laggingBlocks: 2, stallAfterMs: Math.max(1000, options.blockTimeMs * 2.5) };
    const topics0 = [ORDER_FILLED_V1_TOPIC, ORDER_FILLED_V2_TOPIC];
    this.confirmer = new BlockConfirmer(
      this.router,
      { address: this.exchanges.addresses, topics0 },
      {
        logs: (block, logs, reason) => this.onBackfillLogs(block, logs, reason),
        orphaned: (blocks) => this.onOrphaned(blocks),
        confirmed: (block) => this.onConfirmed(block),
        error: (err) => log.warn({ err: err.message }, "block confirmation failed; retrying on the next head"),
      },
    );
    this.poller = new HeadPoller(
      this.providers,
      {
        fastIntervalMs: Math.max(50, options.blockTimeMs / 4),
        slowIntervalMs: options.blockTimeMs * 5,
        quietAfterMs: options.blockTimeMs * 1.5,
        timeoutMs: Math.max(500, options.blockTimeMs),
      },
      (provider, header, atMs) => this.onHead(provider, header, atMs, "http"),
      (provider, err) => log.debug({ provider, err: err.message }, "head poll failed"),
      observer,
    );
    const arrivals = (kind: "head" | "log") => {
      const lag = boundByKey((provider) => metrics.providerArrivalLag.labels({ provider, kind }));
      const firsts = boundByKey((provider) => metrics.firstArrivals.labels({ provider, kind }));
      return new ArrivalRecorder((provider, lagMs, first) => {
        recordLater(() => {
          lag(provider).observe(lagMs / 1000);
          if (first) firsts(provider).inc();
        });
      });
    };
    this.headArrivals = arrivals("head");
    this.logArrivals = arrivals("log");
    for (const p of this.providers) {
      this.sessions.set(
        p.name,
        new WsSession(
          p,
          {
            ...DEFAULT_WS_SESSION,
            chainId: options.chainId,
            logFilter: { address: this.exchanges.addresses, topics: [topics0] },
            urgent: (text) => this.urgentFrame(text),
          },
          {
            head: (provider, header, atMs) => this.onHead(provider, header, atMs, "ws"),
            log: (provider, raw, atMs) => this.onLog(provider, raw, atMs),
            malformed: (provider, what, message) => this.onMalformed(provider, what, message),
            connected: (provider) => this.onConnected(provider),
            disconnected: (provider, reason, detail) => this.onDisconnected(provider, reason, detail),
            wrongChain: (provider, reported) => this.onWrongChain(provider, reported),
          },
        ),
      );
    }
  }

  /** Checks every provider's chain id over HTTP, finds the head, then opens all sockets and starts the timers. */
  async start(): Promise<void> {
    await Promise.all(this.providers.map((p) => this.checkHttpChain(p)));
    const healthy = this.providers.filter((p) => p.chain === "ok");
    if (healthy.length === 0) {
      throw new Error(`no provider is usable on chain ${this.options.chainId}: ${this.providers.map((p) => `${p.name}=${p.chain}`).join(", ")}`);
    }
    if (this.options.startBlock !== undefined) this.confirmer.startAt(this.options.startBlock);
    else {
      const { result } = await this.router.request<string>("eth_blockNumber", []);
      this.confirmer.startAt(BigInt(result));
    }
    for (const session of this.sessions.values()) session.start();
    this.poller.start();
    this.watchdog = setInterval(() => this.checkProviders(), Math.max(50, Math.min(250, this.options.blockTimeMs / 4)));
    this.watchdog.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.watchdog) clearInterval(this.watchdog);
    if (this.confirmTimer) clearTimeout(this.confirmTimer);
    this.poller.stop();
    for (const session of this.sessions.values()) session.stop();
  }

  get lastConfirmedBlock(): bigint | undefined {
    return this.confirmer.lastConfirmed;
  }

  ready(): boolean {
    return isReady(this.providers, preciseNowMs(), this.headPolicy);
  }

  /** Per-provider view for /readyz and the terminal view. */
  snapshot() {
    const best = bestHead(this.providers);
    const now = preciseNowMs();
    return {
      bestHead: best,
      lastConfirmed: this.confirmer.lastConfirmed,
      providers: this.providers.map((p) => ({
        name: p.name,
        state: providerState(p, best, now, this.headPolicy),
        head: p.head,
        lagBlocks: headLagBlocks(p, best),
        wsConnected: p.wsConnected,
        chain: p.chain,
      })),
    };
  }

  private async checkHttpChain(p: ProviderStatus): Promise<void> {
    try {
      const id = await postJsonRpc(p.name, p.endpoint.httpUrl, "eth_chainId", [], 3000);
      if (typeof id === "string" && Number(id) === this.options.chainId) {
        p.chain = "ok";
        return;
      }
      this.onWrongChain(p.name, String(id));
    } catch (err) {
      // Unreachable now is not wrong: the socket's own chain check decides when it connects.
      this.log.warn({ provider: p.name, err: (err as Error).message }, "chain id check over HTTP failed");
      if (err instanceof RpcError) this.metrics.rpcErrors.inc({ provider: p.name, kind: err.kind });
    }
  }

  private onWrongChain(provider: string, reported: string): void {
    const status = this.status(provider);
    status.chain = "wrong";
    this.metrics.rpcErrors.inc({ provider, kind: "wrong_chain" });
    this.log.error(
      { provider, reportedChainId: reported, expectedChainId: this.options.chainId },
      "provider is on the wrong chain: excluded until it reports the right chain id",
    );
  }

  private onConnected(provider: string): void {
    const status = this.status(provider);
    status.connectedAtMs = preciseNowMs();
    this.log.info({ provider }, "subscriptions open");
    // Whatever the socket missed while down is fetched by the confirmer from the last confirmed block on.
    const best = bestHead(this.providers);
    if (best !== undefined) this.scheduleConfirm(0);
  }

  private onDisconnected(provider: string, reason: ReconnectReason, detail: string): void {
    this.metrics.reconnects.inc({ provider, reason });
    this.log.warn({ provider, reason, detail }, "subscription lost; reconnecting");
  }

  private onMalformed(source: string, what: string, message: string): void {
    this.metrics.malformed.inc({ source, what });
    this.log.warn({ source, what, detail: message }, "malformed payload skipped");
  }

  private onHead(provider: string, header: BlockHeader, atMs: number, via: "ws" | "http"): void {
    if (this.stopped) return;
    const status = this.status(provider);
    if (status.chain === "wrong") return;
    if (status.head === undefined || header.number > status.head) {
      status.head = header.number;
      status.lastHeadAtMs = atMs;
    }
    if (via === "ws") {
      this.poller.noteWsHead(provider, atMs);
      this.headArrivals.record(header.hash, provider, atMs);
    }
    this.noteBlockTime(header);
    this.confirmer.offerHeader(header);
    const best = bestHead(this.providers);
    if (best !== undefined && (this.confirmedBest === undefined || best > this.confirmedBest)) {
      this.confirmedBest = best;
      this.metrics.bestHead.set(Number(best));
      // Give the subscriptions a moment to deliver the block's logs before the confirmer asks for them.
      this.scheduleConfirm(Math.min(250, this.options.blockTimeMs / 4));
    } else if (this.confirmer.lastConfirmed !== undefined && header.number <= this.confirmer.lastConfirmed) {
      this.scheduleConfirm(0);
    }
  }

  private scheduleConfirm(delayMs: number): void {
    if (this.confirmTimer) return;
    this.confirmTimer = setTimeout(() => {
      this.confirmTimer = undefined;
      const best = bestHead(this.providers);
      if (best !== undefined && !this.stopped) void this.confirmer.advanceTo(best);
    }, delayMs);
  }

  /**
   * Other traders' fills, and leaders' fills already handled (another provider was first), wait until the read they
   * came in is handled; heads, removals, new leader fills and anything the text does not tell apart are handled at once.
   */
  private urgentFrame(text: string): boolean {
    if (text.includes('"removed":true')) return true;
    const maker = makerInFrame(text);
    if (maker === undefined) return true;
    if (!this.options.isLeader(maker)) return false;
    const key = fillKeyInFrame(text);
    return key === undefined || !this.fills.has(key);
  }

  private onLog(source: string, raw: unknown, atMs: number): void {
    if (this.stopped) return;
    recordLater(() => this.logsReceived(source).inc());
    const glance = this.orMalformed(source, () => glanceAtLog(raw as RawLog));
    if (!glance) return;
    if (source !== BACKFILL_SOURCE) this.logArrivals.record(glance.blockHash, source, atMs);
    if (!glance.removed && (this.orphanedBlocks.has(glance.blockHash) || !glance.maker || !this.options.isLeader(glance.maker))) {
      return;
    }
    // The other providers' copies of a fill already handled stop here, before the full validation.
    if (!glance.removed && this.fills.get(rawFillKey(raw as RawLog) ?? "")?.blockHash === glance.blockHash) return;
    const position = this.orMalformed(source, () => readLogPosition(raw as RawLog));
    if (!position) return;
    if (position.removed) {
      this.onRemovedLog(position);
      return;
    }
    const key = fillKey(position);
    const known = this.fills.get(key);
    if (known) {
      if (known.blockHash !== position.blockHash) {
        // Re-included at the same position after a reorg: the same fill, the same intents.
        this.fills.set(key, { ...known, blockHash: position.blockHash, blockNumber: position.blockNumber });
      }
      return;
    }
    const blockTimestamp = position.blockTimestamp ?? this.blockTimes.get(position.blockHash)?.timestamp;
    if (blockTimestamp === undefined) {
      const waiting = this.awaitingBlockTime.get(position.blockHash) ?? [];
      waiting.push({ source, position, atMs });
      this.awaitingBlockTime.set(position.blockHash, waiting);
      return;
    }
    this.decodeFill(source, position, blockTimestamp, atMs);
  }

  private decodeFill(source: string, position: LogPosition, blockTimestamp: number, atMs: number): void {
    const key = fillKey(position);
    if (this.fills.has(key)) return;
    const started = performance.now();
    const fill = this.orMalformed(source, () =>
      decodeLeaderFill(position, blockTimestamp, this.options.chainId, this.exchanges, this.options.isLeader),
    );
    const decodeSeconds = (performance.now() - started) / 1000;
    recordLater(() => this.decodeStage.observe(decodeSeconds));
    if (!fill) return;
    this.fills.set(key, fill);
    recordLater(() => this.fillsDecoded(fill.layout).inc());
    this.events.fill(fill, atMs);
  }

  /** Learns a block's timestamp from its header and decodes the leader logs that were waiting for it. */
  private noteBlockTime(header: BlockHeader): void {
    if (this.blockTimes.has(header.hash)) return;
    const timestamp = Number(header.timestamp);
    this.blockTimes.set(header.hash, { number: header.number, timestamp });
    const waiting = this.awaitingBlockTime.get(header.hash);
    if (!waiting) return;
    this.awaitingBlockTime.delete(header.hash);
    for (const entry of waiting) this.decodeFill(entry.source, entry.position, timestamp, entry.atMs);
  }

  /** Runs a read of untrusted log data; a malformed one is counted, logged and skipped (undefined). */
  private orMalformed<T>(source: string, read: () => T): T | undefined {
    try {
      return read();
    } catch (err) {
      this.onMalformed(source, err instanceof MalformedLogError ? err.what : "log", (err as Error).message);
      return undefined;
    }
  }

  private onRemovedLog(position: LogPosition): void {
    const key = fillKey(position);
    const known = this.fills.get(key);
    if (!this.orphanedBlocks.has(position.blockHash)) {
      this.orphanedBlocks.add(position.blockHash);
      this.metrics.reorgs.inc({ source: "removed_log" });
    }
    if (!known || known.blockHash !== position.blockHash) return;
    this.fills.delete(key);
    this.events.fillRemoved(known, "removed_log");
  }

  private onBackfillLogs(block: BlockHeader, logs: unknown[], reason: BackfillReason): void {
    this.metrics.backfills.inc({ reason });
    this.noteBlockTime(block);
    const atMs = preciseNowMs();
    for (const raw of logs) this.onLog(BACKFILL_SOURCE, raw, atMs);
    if (logs.length === 0) this.log.debug({ block: block.number }, "bloom hit without exchange logs");
  }

  private onOrphaned(blocks: BlockHeader[]): void {
    const hashes = new Set(blocks.map((b) => b.hash));
    const fresh = blocks.filter((b) => !this.orphanedBlocks.has(b.hash));
    for (const hash of hashes) this.orphanedBlocks.add(hash);
    if (fresh.length > 0) this.metrics.reorgs.inc({ source: "head" });
    this.log.warn({ blocks: blocks.map((b) => `${b.number}:${b.hash}`) }, "blocks left the canonical chain");
    for (const [key, fill] of this.fills) {
      if (!hashes.has(fill.blockHash)) continue;
      this.fills.delete(key);
      this.events.fillRemoved(fill, "head");
    }
  }

  private onConfirmed(block: BlockHeader): void {
    this.metrics.blocksProcessed.inc();
    this.metrics.lastProcessedBlock.set(Number(block.number));
    if (block.number % 64n === 0n) {
      const horizon = block.number - REMEMBER_BLOCKS;
      for (const [key, fill] of this.fills) if (fill.blockNumber < horizon) this.fills.delete(key);
      for (const [hash, block] of this.blockTimes) if (block.number < horizon) this.blockTimes.delete(hash);
      for (const [hash, waiting] of this.awaitingBlockTime) if (waiting[0].position.blockNumber < horizon) this.awaitingBlockTime.delete(hash);
      if (this.orphanedBlocks.size > 1024) this.orphanedBlocks.clear();
      this.events.forgetBefore(horizon);
    }
    this.events.blockConfirmed(block);
  }

  /** Publishes provider gauges and reconnects silently stalled sockets. */
  private checkProviders(): void {
    const now = preciseNowMs();
    const best = bestHead(this.providers);
    for (const p of this.providers) {
      const state = providerState(p, best, now, this.headPolicy);
      for (const s of PROVIDER_STATES) this.metrics.providerState.set({ provider: p.name, state: s }, s === state ? 1 : 0);
      const lag = headLagBlocks(p, best);
      if (lag !== undefined) this.metrics.headLagBlocks.set({ provider: p.name }, lag);
      if (state === "stalled" && p.wsConnected) {
        this.log.warn({ provider: p.name, head: String(p.head), best: String(best) }, "provider stalled: no new head while others advance");
        this.sessions.get(p.name)?.forceReconnect("stalled", "no head while others advanced");
      }
    }
    this.metrics.ready.set(isReady(this.providers, now, this.headPolicy) ? 1 : 0);
  }

  private status(provider: string): ProviderStatus {
    const status = this.providers.find((p) => p.name === provider);
    if (!status) throw new Error(`unknown provider ${provider}`);
    return status;
  }
}

export type { RpcErrorKind };
