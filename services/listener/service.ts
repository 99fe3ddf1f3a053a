import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { Address } from "viem";
import type { IntentBus } from "../bus/bus";
import { createBus } from "../bus/from-config";
import { LISTENER_METRICS, PROCESS_METRICS } from "../metrics/catalogue";
import { monitorEventLoopDelay } from "../metrics/event-loop";
import { createInstruments, createServiceRegistry } from "../metrics/registry";
import { startServiceHttp, type ServiceHttpServer } from "../shared/http-server";
import { resolveProviderUrls, type ListenerConfig } from "./config";
import { CopyPipeline } from "./copy-pipeline";
import { Detector, type ListenerInstruments } from "./detector";
import { ExposureLedger, utcDay } from "./sizing/exposure";
import { startBusyPoll } from "../shared/busy-poll";
import { isolateEventLoopCpu, type EventLoopCpuPlacement } from "../shared/event-loop-cpu";
import { keccakEngine, loadKeccak } from "../shared/keccak";
import { HotPathExerciser } from "./warm-up";
import { copyRulesByLeader, loadSubscribers, reloadSubscribersOrKeep } from "./subscribers/load";
import type { CopyRule } from "./subscribers/schema";

type MinorGc = () => void;
/** Present only when node runs with --expose-gc (the systemd unit and the bench pass it). */
const idleMinorGc: MinorGc | undefined =
  typeof (globalThis as { gc?: unknown }).gc === "function"
    ? () => (globalThis as unknown as { gc(options: { type: "minor" }): void }).gc({ type: "minor" })
    : undefined;

export interface ListenerServiceOptions {
  config: ListenerConfig;
  log: Logger;
  /** The local stack shares one in-process bus between listener and executor. */
  bus?: IntentBus;
  env?: NodeJS.ProcessEnv;
}

/** The listener process: detector → copy pipeline → bus, with /metrics, /healthz, /readyz. */
export class ListenerService {
  private killSwitch: boolean;
  private rules: ReadonlyMap<Address, readonly CopyRule[]>;
  private leaders: Set<string>;
  private stopEventLoop: () => void = () => {};
  private stopKeepWarm: () => void = () => {};
  private stopBusyPoll: () => void = () => {};
  private http: ServiceHttpServer | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly ledger = new ExposureLedger();

  readonly detector: Detector;
  readonly pipeline: CopyPipeline;
  readonly metrics: ListenerInstruments;

  private constructor(
    private readonly options: ListenerServiceOptions,
    readonly registry: Registry,
    readonly bus: IntentBus,
    private readonly ownsBus: boolean,
  ) {
    const { config, log } = options;
    this.killSwitch = config.killSwitch;
    const subscribers = loadSubscribers(config.subscribersFile);
    this.rules = copyRulesByLeader(subscribers);
    this.leaders = new Set([...this.rules.keys()].map((a) => a.toLowerCase()));
    this.metrics = createInstruments(registry, LISTENER_METRICS);
    const processMetrics = createInstruments(registry, PROCESS_METRICS);
    this.stopEventLoop = monitorEventLoopDelay(processMetrics.eventLoopDelay);
    this.pipeline = new CopyPipeline({
      rules: () => this.rules,
      globalKillSwitch: () => this.killSwitch,
      ledger: this.ledger,
      bus,
      metrics: this.metrics,
      log,
    });
    this.detector = new Detector(
      {
        chainId: config.chain.chainId,
        exchanges: config.exchanges,
        providers: resolveProviderUrls(config.providers, options.env),
        blockTimeMs: config.chain.blockTimeMs,
        isLeader: (maker) => this.leaders.has(maker),
        ...(config.chain.startBlock !== undefined ? { startBlock: BigInt(config.chain.startBlock) } : {}),
      },
      {
        fill: (fill, firstSeenAtMs) => this.track(this.pipeline.onFill(fill, firstSeenAtMs)),
        fillRemoved: (fill, source) => this.track(this.pipeline.onFillRemoved(fill, source)),
        // Between blocks, with --expose-gc: empty the young generation now, so the next block's burst does not fill it
        // and pay a 2–9 ms scavenge in the middle of detect → intent (measured: scavenges every ~1 s at 500 ms blocks).
        blockConfirmed: () => idleMinorGc?.(),
        forgetBefore: (block) => {
          this.pipeline.forgetBefore(block);
          this.ledger.forgetBefore(utcDay(Date.now()));
        },
      },
      this.metrics,
      log,
    );
  }

  static async start(options: ListenerServiceOptions): Promise<ListenerService> {
    const { config } = options;
    await loadKeccak();
    const registry = createServiceRegistry("listener");
    const bus = options.bus ?? (await createBus(config.bus, `listener-${config.region}`, options.env));
    const service = new ListenerService(options, registry, bus, !options.bus);
    const exerciser = new HotPathExerciser(config.chain.chainId, config.exchanges, service.rules);
    const warmUpMs = exerciser.run(3000);
    service.stopKeepWarm = exerciser.keepWarm(config.keepWarmMs);
    options.log.info({ warmUpMs: Math.round(warmUpMs), keepWarmMs: config.keepWarmMs, keccakEngine: keccakEngine() }, "detect → intent path warmed up");
    const eventLoopCpu = config.isolateEventLoopCpu ? await placeEventLoop(options.log) : undefined;
    // Only once placement worked: polling on CPUs the helpers share would take their time (the config requires both).
    const busyPoll = config.busyPollEventLoop && eventLoopCpu !== undefined;
    if (busyPoll) {
      service.stopBusyPoll = startBusyPoll();
      options.log.info("event loop busy-polling its sockets: its CPU reads 100 %");
    } else if (config.busyPollEventLoop) options.log.error("event loop not busy-polling: its CPU is not isolated");
    try {
      await service.detector.start();
      service.http = await startServiceHttp({
        host: config.http.host,
        port: config.http.port,
        registry,
        health: () => ({ ok: true, detail: { lastConfirmedBlock: service.detector.lastConfirmedBlock, eventLoopCpu: eventLoopCpu?.eventLoopCpu ?? "shared", busyPoll } }),
        readiness: () => ({ ok: service.detector.ready(), detail: service.detector.snapshot() }),
      });
    } catch (err) {
      await service.stop();
      throw err;
    }
    options.log.info({ region: config.region, providers: config.providers.map((p) => p.name), http: service.http.url }, "listener started");
    return service;
  }

  get httpUrl(): string | undefined {
    return this.http?.url;
  }

  /** Re-reads the subscribers file (SIGHUP); a bad file keeps the old rules and says why. */
  reloadSubscribers(): void {
    reloadSubscribersOrKeep(this.options.log, () => {
      const rules = copyRulesByLeader(loadSubscribers(this.options.config.subscribersFile));
      this.rules = rules;
      this.leaders = new Set([...rules.keys()].map((a) => a.toLowerCase()));
      return { leaders: this.leaders.size };
    });
  }

  setKillSwitch(on: boolean): void {
    this.killSwitch = on;
    this.options.log.warn({ killSwitch: on }, "global kill switch changed");
  }

  /** Stops detection, lets in-flight publishes finish, then closes the bus it owns and the HTTP server. */
  async stop(): Promise<void> {
    await this.detector.stop();
    await Promise.allSettled([...this.inFlight]);
    this.stopEventLoop();
    this.stopKeepWarm();
    this.stopBusyPoll();
    await this.http?.close();
    if (this.ownsBus) await this.bus.close();
  }

  /** Keeps in-flight work for a clean stop; a failure is logged, never an unhandled rejection that ends the process. */
  private track(work: Promise<unknown>): void {
    const settled = work.then(
      () => undefined,
      (err: Error) => this.options.log.error({ err: err.message }, "fill handling failed"),
    );
    this.inFlight.add(settled);
    void settled.finally(() => this.inFlight.delete(settled));
  }
}

/**
 * Isolates the event loop's CPU; a failure is logged and the listener runs on shared CPUs: slower in the tail, but a
 * host without taskset must not stop detection.
 */
async function placeEventLoop(log: Logger): Promise<EventLoopCpuPlacement | undefined> {
  try {
    const placement = await isolateEventLoopCpu();
    log.info(placement, "event loop alone on its CPU; helper threads on the others");
    return placement;
  } catch (err) {
    log.error({ err: (err as Error).message }, "event loop not isolated: it shares its CPUs with V8's and libuv's threads");
    return undefined;
  }
}
