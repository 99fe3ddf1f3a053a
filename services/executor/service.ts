import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { BusSubscription, IntentBus } from "../bus/bus";
import { createBus } from "../bus/from-config";
import { ExposureLedger } from "../listener/sizing/exposure";
import { copyRulesByLeader, loadSubscribers, reloadSubscribersOrKeep } from "../listener/subscribers/load";
import type { CopyRule } from "../listener/subscribers/schema";
import { EXECUTOR_METRICS, PROCESS_METRICS } from "../metrics/catalogue";
import { monitorEventLoopDelay } from "../metrics/event-loop";
import { createInstruments, createServiceRegistry } from "../metrics/registry";
import { POLYGON_EXCHANGES } from "../polymarket/exchanges";
import { ORDER_ROUTES } from "../polymarket/order";
import { startServiceHttp, type ServiceHttpServer } from "../shared/http-server";
import { keccakEngine, loadKeccak } from "../shared/keccak";
import type { OrderVenue } from "../venue/venue";
import { loadAccountsFile, resolveAccounts, type SignerFactory } from "./accounts";
import type { ExecutorConfig } from "./config";
import { Executor, type ExecutionReport, type ExecutorInstruments } from "./executor";
import { FillTracker } from "./fill-tracker";
import { IntentJournal } from "./journal";
import { loadEcdsaEngine, type EcdsaEngine } from "./signer/ecdsa-engine";
import { signerFromRef } from "./signer/from-ref";
import { venueFromConfig } from "./venue-from-config";

export interface ExecutorServiceOptions {
  config: ExecutorConfig;
  log: Logger;
  /** The local stack shares one in-process bus between listener and executor. */
  bus?: IntentBus;
  /** Injected by tests and the local stack; production builds the order-book client from config. */
  venue?: OrderVenue;
  signerFor?: SignerFactory;
  env?: NodeJS.ProcessEnv;
  onReport?: (report: ExecutionReport) => void;
}

/** The exchanges copy orders can land on, and so where the tracker looks for the subscribers' fills. */
const ORDER_EXCHANGES = POLYGON_EXCHANGES.filter((e) => Object.values(ORDER_ROUTES).some((route) => route.exchange === e.name)).map((e) => e.address);

/** The executor process: bus shards → Executor → venue, with /metrics, /healthz, /readyz and a bounded drain. */
export class ExecutorService {
  private rules: Map<string, CopyRule>;
  private killSwitch: boolean;
  private subscription: BusSubscription | undefined;
  private http: ServiceHttpServer | undefined;
  private stopEventLoop: () => void = () => {};
  private stopping = false;

  private constructor(
    private readonly options: ExecutorServiceOptions,
    readonly registry: Registry,
    readonly metrics: ExecutorInstruments,
    readonly executor: Executor,
    private readonly journal: IntentJournal,
    private readonly tracker: FillTracker | undefined,
    readonly bus: IntentBus,
    private readonly ownsBus: boolean,
  ) {
    this.rules = rulesBySubscriber(options.config.subscribersFile);
    this.killSwitch = options.config.killSwitch;
  }

  static async start(options: ExecutorServiceOptions): Promise<ExecutorService> {
    const { config, log } = options;
    const env = options.env ?? process.env;
    await loadKeccak();
    const registry = createServiceRegistry("executor");
    const metrics = createInstruments(registry, EXECUTOR_METRICS);
    // Loaded by the first local key: a KMS-only executor does not depend on an engine it never uses.
    let engine: EcdsaEngine | undefined;
    const localEngine = () => (engine ??= loadEcdsaEngine(config.signingEngine));
    const accounts = await resolveAccounts(loadAccountsFile(config.accountsFile), options.signerFor ?? ((ref) => signerFromRef(ref, localEngine, env)), env);
    const signingEngine = engine?.name ?? "unused";
    const journal = await IntentJournal.open(config.journalFile, { retentionMs: config.journalRetentionHours * 3_600_000 });
    const tracker = config.chainRpcUrl
      ? new FillTracker({
          rpcUrl: config.chainRpcUrl,
          exchanges: ORDER_EXCHANGES,
          pollMs: 250,
          giveUpAfterMs: 60_000,
          onError: (err) => log.warn({ err: err.message }, "fill tracking poll failed"),
        })
      : undefined;
    const venue = options.venue ?? venueFromConfig(config.venue, accounts, (attempt) => metrics.venueRequests.inc({ result: attempt.result }));
    let service: ExecutorService | undefined;
    const executor = new Executor({
      accounts,
      rule: (subscriberId, leader) => service?.rules.get(ruleKey(subscriberId, leader)),
      globalKillSwitch: () => service?.killSwitch ?? true,
      venue,
      journal,
      ledger: new ExposureLedger(),
      ...(tracker ? { tracker } : {}),
      deadlineMs: config.deadlineMs,
      submitTimeoutMs: config.submitTimeoutMs,
      maxInFlight: config.venue.maxInFlight,
      orderType: config.venue.orderType,
      ...(config.builderCode ? { builderCode: config.builderCode as `0x${string}` } : {}),
      metrics,
      log,
      ...(options.onReport ? { onReport: options.onReport } : {}),
    });
    const bus = options.bus ?? (await createBus(config.bus, `executor-${config.region}`, env));
    service = new ExecutorService(options, registry, metrics, executor, journal, tracker, bus, !options.bus);
    service.stopEventLoop = monitorEventLoopDelay(createInstruments(registry, PROCESS_METRICS).eventLoopDelay);
    try {
      await executor.recover();
      const shards = config.shards ?? [...Array(bus.shardCount).keys()];
      service.subscription = await bus.subscribeBatches(shards, (messages) => executor.handleBatch(messages), {
        onError: (failure) => {
          // An undecodable payload never reaches the executor: nothing is signed or sent for it.
          if (!failure.messages) metrics.outcomes.inc({ outcome: "invalid", reason: "bad_payload" });
          log.error({ shard: failure.shard, final: failure.final, err: failure.error.message }, "intent delivery failed");
        },
      });
      service.http = await startServiceHttp({
        host: config.http.host,
        port: config.http.port,
        registry,
        health: () => ({ ok: true, detail: { journalEntries: journal.size, signingEngine } }),
        readiness: () => ({ ok: service!.ready, detail: { subscribed: service!.subscription?.shards ?? [], stopping: service!.stopping } }),
      });
      metrics.ready.set(1);
    } catch (err) {
      await service.stop();
      throw err;
    }
    log.info({ region: config.region, shards: service.subscription.shards, accounts: accounts.size, signingEngine, keccakEngine: keccakEngine(), http: service.http.url }, "executor started");
    return service;
  }

  get config(): ExecutorConfig {
    return this.options.config;
  }

  get ready(): boolean {
    return !this.stopping && this.subscription !== undefined;
  }

  get httpUrl(): string | undefined {
    return this.http?.url;
  }

  /** Re-reads the subscribers file (SIGHUP): lowered caps and kill switches apply to the next intent. */
  reloadSubscribers(): void {
    reloadSubscribersOrKeep(this.options.log, () => {
      this.rules = rulesBySubscriber(this.options.config.subscribersFile);
      return { rules: this.rules.size };
    });
  }

  setKillSwitch(on: boolean): void {
    this.killSwitch = on;
    this.options.log.warn({ killSwitch: on }, "global kill switch changed");
  }

  /**
   * Graceful stop: take no new intents, let the one in hand per shard finish (its order may be on the wire), wait for
   * outstanding work up to drainTimeoutMs, then close the journal. Anything cut off is in the journal as a claim
   * without an outcome, which the next start resends or writes off.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.metrics.ready.set(0);
    const { drainTimeoutMs } = this.options.config;
    const drained = (async () => {
      await this.subscription?.drain();
      this.tracker?.stop();
      await this.executor.settled();
    })();
    const timedOut = await Promise.race([drained.then(() => false), new Promise<boolean>((resolve) => setTimeout(resolve, drainTimeoutMs, true).unref())]);
    if (timedOut) this.options.log.warn({ drainTimeoutMs }, "drain timed out; unfinished intents stay claimed in the journal");
    this.tracker?.stop();
    this.stopEventLoop();
    await this.journal.close();
    await this.http?.close();
    if (this.ownsBus) await this.bus.close();
  }
}

function ruleKey(subscriberId: string, leader: string): string {
  return `${subscriberId}\u0000${leader.toLowerCase()}`;
}

function rulesBySubscriber(file: string): Map<string, CopyRule> {
  const rules = new Map<string, CopyRule>();
  for (const list of copyRulesByLeader(loadSubscribers(file)).values()) {
    for (const rule of list) rules.set(ruleKey(rule.subscriberId, rule.leader), rule);
  }
  return rules;
}
