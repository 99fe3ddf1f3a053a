/**
 * `npm run bench -- --only fanout`: one leader fill followed by 1,000 subscribers, through the production processes
 * (listener → NATS JetStream → executor → venue), timed from the fill's first sight to the last order accepted; a naive
 * executor against the same venue for comparison; and signing throughput per core. See bench-results/executor-fanout.md.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type { Hex } from "viem";
import { startAnvil } from "../../services/devchain/anvil";
import { installStandInExchanges } from "../../services/devchain/exchanges";
import { TradeSimulator, type SubmittedMatch } from "../../services/devchain/simulator";
import { executorConfigSchema } from "../../services/executor/config";
import { createDevAccounts, type DevAccounts } from "../../services/local-stack/dev-accounts";
import { EXECUTOR_METRICS, LISTENER_METRICS, PROCESS_METRICS } from "../../services/metrics/catalogue";
import { SIGNATURE_TYPES, type SignatureType } from "../../services/polymarket/order";
import { freePort, startNatsServer } from "../support/nats-server";
import { waitFor } from "../support/wait";
import { planCpus } from "./cpu-pinning";
import { childProcesses, cpuSnapshot, cpuUse, type CpuSnapshot } from "./fanout-cpu";
import { CTF_EXCHANGE_V2, FANOUT_LEADER, FANOUT_TOKEN, subscriberIds, writeExecutorConfig, writeFanoutFiles, writeListenerConfig, type FanoutFiles } from "./fanout-fixture";
import { JournalTail } from "./fanout-journal";
import { startNaiveExecutor } from "./fanout-naive";
import { FANOUT_STAGES, renderMarkdown, type ExecutorInternals, type FanoutReport, type RoundReport } from "./fanout-report";
import { roundFigures, type OrderRecord, type RoundFigures, type RoundInput } from "./fanout-round";
import { startServiceChild, type ServiceChild, type ServiceExit } from "./fanout-services";
import { runSigningBench } from "./fanout-signing";
import { IntentTap, type TappedIntent } from "./fanout-tap";
import { startVenueChild, type VenueAccountInput, type VenueChild } from "./fanout-venue";
import { histogramDelta, histogramFigures, promCounterBy, promHistogram, summarize, type PromSample } from "./stats";
import { Cleanups } from "./cleanups";

const USAGE = `usage: tsx test/bench/executor-fanout.bench.ts [--subscribers N] [--rounds N] [--baseline-rounds N] [--shards N]
       [--signature-type 0|3] [--block-time-ms N] [--deadline-ms N] [--listener-keep-warm-ms N] [--signing-passes N]
       [--round-timeout-ms N] [--log-level LEVEL] [--journal-dir DIR (default: a temporary folder on local disk)]
       [--profile-executor DIR (V8 CPU profile of the executor, written at its exit)]`;

const REPO_ROOT = path.resolve(__dirname, "../..");
const OUT_DIR = path.join(REPO_ROOT, "bench-results");
const TARGET_MS = 1000;
const PRODUCTION_DEADLINE_MS: number = executorConfigSchema.shape.deadlineMs.parse(undefined);
/** The listener warms its hot path before it is ready (70–85 s at 1,000 followers before warm-up was capped at four). */
const LISTENER_READY_TIMEOUT_MS = 300_000;
const SETTLEMENT_TIMEOUT_MS = 90_000;
/** How often the bench looks whether a round is done; the figures come from timestamps, not from this poll. */
const POLL_MS = 50;

interface Options {
  subscribers: number;
  rounds: number;
  baselineRounds: number;
  shards: number;
  signatureType: SignatureType;
  blockTimeMs: number;
  deadlineMs: number;
  listenerKeepWarmMs: number;
  signingPasses: number;
  roundTimeoutMs: number;
  logLevel: string;
  profileExecutor: string | undefined;
  journalDir: string | undefined;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      subscribers: { type: "string", default: "1000" },
      rounds: { type: "string", default: "3" },
      "baseline-rounds": { type: "string", default: "2" },
      shards: { type: "string", default: "4" },
      "signature-type": { type: "string", default: "0" },
      "block-time-ms": { type: "string", default: "1000" },
      // Far above the production 750 ms, so a slow fan-out is measured to its last order instead of cut off as stale.
      "deadline-ms": { type: "string", default: "10000" },
      // Production's 2 ms: keep-warm builds intents for at most four followers since the warm-up fix (before it, a tick
      // built one per follower and kept 1.1 cores busy at 1,000 followers, so the README's run had it at 0).
      "listener-keep-warm-ms": { type: "string", default: "2" },
      "signing-passes": { type: "string", default: "3" },
      "round-timeout-ms": { type: "string", default: "30000" },
      "log-level": { type: "string", default: "warn" },
      "profile-executor": { type: "string" },
      "journal-dir": { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const int = (name: keyof typeof values, min: number, max = Number.MAX_SAFE_INTEGER) => {
    const raw = String(values[name]);
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer in [${min}, ${max}], got ${raw}\n${USAGE}`);
    return n;
  };
  const signatureType = int("signature-type", 0, 3);
  if (signatureType !== SIGNATURE_TYPES.EOA && signatureType !== SIGNATURE_TYPES.POLY_1271) throw new Error(`--signature-type must be 0 or 3\n${USAGE}`);
  return {
    subscribers: int("subscribers", 1),
    rounds: int("rounds", 1),
    baselineRounds: int("baseline-rounds", 0),
    shards: int("shards", 1, 1024),
    signatureType,
    // The listener config takes block times from 50 ms; the executor's deadline from 50 ms to 60 s.
    blockTimeMs: int("block-time-ms", 50),
    deadlineMs: int("deadline-ms", 50, 60_000),
    listenerKeepWarmMs: int("listener-keep-warm-ms", 0, 1000),
    signingPasses: int("signing-passes", 1),
    roundTimeoutMs: int("round-timeout-ms", 1000),
    logLevel: String(values["log-level"]),
    profileExecutor: values["profile-executor"] === undefined ? undefined : path.resolve(values["profile-executor"]),
    journalDir: values["journal-dir"] === undefined ? undefined : path.resolve(values["journal-dir"]),
  };
}

interface Stack {
  options: Options;
  files: FanoutFiles;
  dev: DevAccounts;
  sim: TradeSimulator;
  venue: VenueChild;
  listener: ServiceChild;
  tap: IntentTap;
  natsUrl: string;
  cpuPrefix: readonly string[];
  /** Processes whose CPU the rounds report, by name. */
  processes: Record<string, number>;
}

/** The venue's API accounts as the dev stack makes them, secrets as plain strings (from the executor's env). */
function venueAccounts(dev: DevAccounts): VenueAccountInput[] {
  return dev.accounts.map((account, i) => {
    const { address, publicKey } = dev.bookAccounts[i]!;
    return {
      address,
      key: dev.env[account.api.keyEnv]!,
      secret: dev.env[account.api.secretEnv]!,
      passphrase: dev.env[account.api.passphraseEnv]!,
      ...(publicKey ? { publicKey } : {}),
    };
  });
}

async function leaderFill(sim: TradeSimulator): Promise<SubmittedMatch["leaderFills"][number]> {
  const submitted = await sim.leaderAsMaker({ leader: FANOUT_LEADER, side: "BUY" });
  const fill = submitted.leaderFills[0];
  if (!fill) throw new Error(`the leader's settlement ${submitted.txHash} has no leader fill`);
  return fill;
}

/** Starts the CPU window at the round's first intent on NATS: the wait for the fill's block is not the fan-out's. */
function cpuWindowStart(tap: IntentTap, processes: Record<string, number>): { snapshot: () => CpuSnapshot } {
  let snapshot: CpuSnapshot | undefined;
  tap.onNextMessage(() => (snapshot = cpuSnapshot(processes)));
  return { snapshot: () => snapshot ?? cpuSnapshot(processes) };
}

/** Resumes the venue's settlement and waits (bounded) until every order of the round is mined or failed. */
async function settle(venue: VenueChild, hashes: readonly Hex[]): Promise<Record<string, number>> {
  await venue.resumeSettlement();
  const deadline = Date.now() + SETTLEMENT_TIMEOUT_MS;
  for (;;) {
    const states = await venue.trades(hashes);
    const counts: Record<string, number> = {};
    for (const trade of states) {
      // Failures by reason, hashes and numbers masked so equal reasons add up.
      const reason = trade?.failure?.replace(/0x[0-9a-fA-F]+/g, "0x…").replace(/\d+/g, "N").slice(0, 120);
      const key = trade === null ? "not held" : reason ? `FAILED (${reason})` : trade.status;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    const open = states.filter((trade) => trade?.status === "MATCHED" || trade?.status === "MINED").length;
    if (open === 0 || Date.now() > deadline) return counts;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The listener's detect and publish stages over a round: one fill, so the mean is that fill's value. */
function listenerStages(before: PromSample[], after: PromSample[]): RoundReport["listener"] {
  const name = LISTENER_METRICS.stageDuration.name;
  const mean = (stage: string) => histogramFigures(histogramDelta(promHistogram(before, name, { stage }), promHistogram(after, name, { stage }))).meanMs;
  return { detectMs: mean("detect"), publishMs: mean("publish") };
}

function executorInternals(before: PromSample[], after: PromSample[]): ExecutorInternals {
  const delta = (name: string, filter: Record<string, string> = {}) => histogramDelta(promHistogram(before, name, filter), promHistogram(after, name, filter));
  const increase = (name: string, by: string) => {
    const earlier = promCounterBy(before, name, {}, [by]);
    return Object.fromEntries(Object.entries(promCounterBy(after, name, {}, [by])).map(([k, v]) => [k, v - (earlier[k] ?? 0)]).filter(([, v]) => v !== 0));
  };
  return {
    stages: Object.fromEntries(FANOUT_STAGES.map((stage) => [stage, delta(EXECUTOR_METRICS.stageDuration.name, { stage })])) as ExecutorInternals["stages"],
    outcomes: increase(EXECUTOR_METRICS.outcomes.name, "outcome"),
    venueRequests: increase(EXECUTOR_METRICS.venueRequests.name, "result"),
    eventLoopDelay: delta(PROCESS_METRICS.eventLoopDelay.name),
    gcMs: delta("nodejs_gc_duration_seconds").sum * 1000,
  };
}

async function venueAcceptedAt(venue: VenueChild, records: readonly OrderRecord[]): Promise<Map<Hex, number | null>> {
  const hashes = records.flatMap((r) => (r.orderHash ? [r.orderHash] : []));
  const at = await venue.acceptedAt(hashes);
  return new Map(hashes.map((hash, i) => [hash, at[i] ?? null]));
}

/** What both runners do once a round is over: ask the venue when it accepted each order, settle them, count. */
async function judgeRound(
  venue: VenueChild,
  input: Omit<RoundInput, "venueAcceptedAt" | "productionDeadlineMs">,
): Promise<{ figures: RoundFigures; settlement: Record<string, number> }> {
  const accepted = await venueAcceptedAt(venue, input.records);
  const settlement = await settle(venue, [...accepted.keys()]);
  return { figures: roundFigures({ ...input, venueAcceptedAt: accepted, productionDeadlineMs: PRODUCTION_DEADLINE_MS }), settlement };
}

interface RoundSpec {
  name: string;
  judged: boolean;
}

/** One leader fill through the production executor; `executor` and `journal` belong to the running executor. */
async function executorRound(stack: Stack, executor: ServiceChild, journal: JournalTail, spec: RoundSpec): Promise<{ report: RoundReport; tapped: TappedIntent[] }> {
  const { options, venue, listener, tap } = stack;
  const n = options.subscribers;
  journal.poll();
  const outcomesBefore = journal.outcomes.size;
  const [executorBefore, listenerBefore, venueBefore] = await Promise.all([executor.scrape(), listener.scrape(), venue.orderCount()]);
  await venue.pauseSettlement();
  tap.drain();
  const window = cpuWindowStart(tap, stack.processes);
  const started = Date.now();
  const fill = await leaderFill(stack.sim);
  const complete = await waitFor(
    "every intent settled",
    () => {
      journal.poll();
      // Every intent has an outcome only once all of them crossed the bus, which the tap sees as the executor does.
      return journal.outcomes.size - outcomesBefore >= n;
    },
    options.roundTimeoutMs,
    POLL_MS,
  ).then(
    () => true,
    () => false,
  );
  const cpu = cpuUse(window.snapshot(), cpuSnapshot(stack.processes));
  const waitedMs = Date.now() - started;
  const [executorAfter, listenerAfter, venueAfter] = await Promise.all([executor.scrape(), listener.scrape(), venue.orderCount()]);
  const { intents: tapped, undecodable } = tap.drain();
  const records: OrderRecord[] = tapped.flatMap((t) => {
    const outcome = journal.outcomes.get(t.id);
    if (!outcome) return [];
    return [{ intentId: t.id, orderHash: journal.claims.get(t.id)?.orderHash, outcome: outcome.outcome, answeredAtMs: outcome.at }];
  });
  const { figures, settlement } = await judgeRound(venue, { subscribers: n, tapped, undecodable, fill, records, venueOrdersAdded: venueAfter - venueBefore });
  return {
    report: {
      name: spec.name,
      runner: "executor",
      judged: spec.judged,
      fill: { txHash: fill.txHash, blockNumber: fill.blockNumber.toString() },
      complete,
      waitedMs,
      figures,
      listener: listenerStages(listenerBefore, listenerAfter),
      executor: executorInternals(executorBefore, executorAfter),
      cpu,
      settlement,
    },
    tapped: tapped.filter((t) => t.txHash.toLowerCase() === fill.txHash.toLowerCase()),
  };
}

/** One leader fill through the naive executor, which runs on the executor's core while the executor is stopped. */
async function naiveRound(stack: Stack, name: string): Promise<RoundReport> {
  const { options, venue, listener, tap } = stack;
  const naive = startNaiveExecutor(
    { natsUrl: stack.natsUrl, venueUrl: venue.url, accountsFile: stack.files.accountsFile, expect: options.subscribers, waitMs: options.roundTimeoutMs * 4 },
    stack.cpuPrefix,
    { ...process.env, ...stack.dev.env },
  );
  try {
    await naive.ready;
    const processes = { ...stack.processes, naive: naive.pid };
    const [listenerBefore, venueBefore] = await Promise.all([listener.scrape(), venue.orderCount()]);
    await venue.pauseSettlement();
    tap.drain();
    const window = cpuWindowStart(tap, processes);
    const started = Date.now();
    const fill = await leaderFill(stack.sim);
    const result = await naive.result;
    const cpu = cpuUse(window.snapshot(), cpuSnapshot(processes));
    const waitedMs = Date.now() - started;
    naive.release();
    const [listenerAfter, venueAfter] = await Promise.all([listener.scrape(), venue.orderCount()]);
    const { intents: tapped, undecodable } = tap.drain();
    const records: OrderRecord[] = result.orders.map((o) => ({
      intentId: o.intentId,
      orderHash: o.orderHash,
      outcome: o.status === 200 && o.error === "" ? "accepted" : `rejected (${o.status}: ${o.error.slice(0, 80)})`,
      answeredAtMs: o.answeredAtMs,
    }));
    const { figures, settlement } = await judgeRound(venue, {
      subscribers: options.subscribers,
      tapped,
      undecodable,
      fill,
      records,
      venueOrdersAdded: venueAfter - venueBefore,
    });
    return {
      name,
      runner: "naive",
      judged: false,
      fill: { txHash: fill.txHash, blockNumber: fill.blockNumber.toString() },
      complete: result.orders.length >= options.subscribers,
      waitedMs,
      figures,
      listener: listenerStages(listenerBefore, listenerAfter),
      naive: { signMs: summarize(result.orders.map((o) => o.signMs)), postMs: summarize(result.orders.map((o) => o.postMs)) },
      cpu,
      settlement,
    };
  } finally {
    naive.release();
  }
}

function describePinning(prefix: readonly string[]): string {
  if (prefix.length === 0) return "unpinned (taskset unavailable or one core)";
  const core = prefix.at(-1);
  return `executor (and the naive baseline, the signing microbenchmark) pinned to core ${core}; bench, anvil, NATS, venue, listener on the other core(s)`;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const startedAt = new Date();
  const loadBefore = os.loadavg();
  const cleanups = new Cleanups();
  const budgetMs = LISTENER_READY_TIMEOUT_MS + (options.rounds + 1 + options.baselineRounds) * (options.roundTimeoutMs * 4 + SETTLEMENT_TIMEOUT_MS) + 600_000;
  // A hung child must fail the run, not hang it: stop what was started (bounded), then exit. Unref'd so a clean run
  // exits without waiting for it.
  setTimeout(() => {
    console.error(`bench exceeded its ${Math.round(budgetMs / 1000)} s budget; stopping its processes and exiting`);
    setTimeout(() => process.exit(2), 30_000).unref();
    void cleanups.runAll().finally(() => process.exit(2));
  }, budgetMs).unref();

  const cpuPrefix = planCpus().lastCorePrefix;
  try {
    const anvil = await startAnvil({ blockTimeMs: options.blockTimeMs });
    cleanups.add("anvil", () => anvil.stop());
    await installStandInExchanges(anvil.httpUrl);
    const ids = subscriberIds(options.subscribers);
    const dev = await createDevAccounts(anvil.httpUrl, ids, options.signatureType);
    const dir = mkdtempSync(path.join(os.tmpdir(), "fanout-bench-"));
    cleanups.add("bench folder", () => rmSync(dir, { recursive: true, force: true }));
    // Another disk (or tmpfs) for the journal shows what its fdatasync costs; the default is local disk, as in production.
    const journalDir = options.journalDir && mkdtempSync(path.join(options.journalDir, "fanout-journal-"));
    if (journalDir) cleanups.add("journal folder", () => rmSync(journalDir, { recursive: true, force: true }));
    const files = writeFanoutFiles(dir, ids, dev, journalDir);
    const nats = await startNatsServer();
    cleanups.add("nats-server", () => nats.stop());

    const venue = await startVenueChild({
      rpcUrl: anvil.httpUrl,
      accounts: venueAccounts(dev),
      markets: [{ tokenId: FANOUT_TOKEN.toString(), exchange: CTF_EXCHANGE_V2 }],
      defaultExchange: CTF_EXCHANGE_V2,
      // The trade simulator sends the leader's settlements from dev account 0.
      operatorIndex: 1,
    });
    cleanups.add("venue", () => venue.stop());

    const [listenerPort, executorPort] = [await freePort(), await freePort()];
    const listenerConfig = writeListenerConfig(files, {
      natsUrl: nats.url,
      shardCount: options.shards,
      anvil,
      blockTimeMs: options.blockTimeMs,
      keepWarmMs: options.listenerKeepWarmMs,
      port: listenerPort,
      logLevel: options.logLevel,
    });
    const executorConfig = writeExecutorConfig(files, {
      natsUrl: nats.url,
      shardCount: options.shards,
      venueUrl: venue.url,
      chainRpcUrl: anvil.httpUrl,
      deadlineMs: options.deadlineMs,
      port: executorPort,
      logLevel: options.logLevel,
    });
    console.error(`starting the listener (its warm-up builds ${options.subscribers} intents per synthetic fill, a minute or two) and the executor…`);
    // Both at once: the listener's long warm-up runs on this core while the executor starts on its own.
    const started = await Promise.allSettled([
      startServiceChild({ name: "listener", configFile: listenerConfig, port: listenerPort, prefix: [], nodeFlags: ["--expose-gc"], readyTimeoutMs: LISTENER_READY_TIMEOUT_MS }),
      startServiceChild({
        name: "executor",
        configFile: executorConfig,
        port: executorPort,
        prefix: cpuPrefix,
        nodeFlags: options.profileExecutor ? ["--cpu-prof", `--cpu-prof-dir=${options.profileExecutor}`] : [],
        env: { ...process.env, ...dev.env },
        readyTimeoutMs: 60_000,
      }),
    ]);
    for (const s of started) if (s.status === "fulfilled") cleanups.add(s.value.name, () => s.value.stop());
    for (const s of started) if (s.status === "rejected") throw s.reason;
    const [listener, executor] = started.map((s) => (s as PromiseFulfilledResult<ServiceChild>).value) as [ServiceChild, ServiceChild];
    const tap = await IntentTap.open(nats.url);
    cleanups.add("NATS tap", () => tap.close());
    const sim = await TradeSimulator.create({ rpcUrl: anvil.httpUrl, seed: "executor-fanout-bench" });
    const others = childProcesses(process.pid);
    const pidOf = (comm: string) => others.find((p) => p.comm === comm)?.pid;
    const processes: Record<string, number> = { executor: executor.pid, venue: venue.pid, listener: listener.pid, bench: process.pid };
    for (const comm of ["nats-server", "anvil"]) {
      const pid = pidOf(comm);
      if (pid !== undefined) processes[comm] = pid;
    }
    const stack: Stack = { options, files, dev, sim, venue, listener, tap, natsUrl: nats.url, cpuPrefix, processes };

    const journal = new JournalTail(files.journalFile);
    const rounds: RoundReport[] = [];
    let lastIntents: TappedIntent[] = [];
    for (let i = 0; i <= options.rounds; i++) {
      const spec = i === 0 ? { name: "warm-up", judged: false } : { name: `round ${i}`, judged: true };
      console.error(`${spec.name}…`);
      const { report, tapped } = await executorRound(stack, executor, journal, spec);
      rounds.push(report);
      lastIntents = tapped;
    }
    const executorExit: ServiceExit = await executor.stop();
    delete processes.executor;

    console.error("signing microbenchmark…");
    const intentsFile = path.join(dir, "intents.jsonl");
    writeFileSync(intentsFile, lastIntents.map((t) => `${t.raw}\n`).join(""));
    const signing = lastIntents.length === 0 ? undefined : await runSigningBench(files.accountsFile, intentsFile, options.signingPasses, cpuPrefix, { ...process.env, ...dev.env });

    const baseline: RoundReport[] = [];
    for (let i = 1; i <= options.baselineRounds; i++) {
      console.error(`naive baseline ${i}…`);
      baseline.push(await naiveRound(stack, `round ${i}`));
    }

    const report: FanoutReport = {
      startedAt: startedAt.toISOString(),
      runtimeMs: Date.now() - startedAt.getTime(),
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model.trim() ?? "unknown",
        node: process.version,
        platform: `${os.platform()} ${os.release()}`,
        pinning: describePinning(cpuPrefix),
        loadAverage: { before: loadBefore, after: os.loadavg() },
      },
      setup: {
        subscribers: options.subscribers,
        signatureType: options.signatureType,
        shardCount: options.shards,
        blockTimeMs: options.blockTimeMs,
        deadlineMs: options.deadlineMs,
        productionDeadlineMs: PRODUCTION_DEADLINE_MS,
        listenerKeepWarmMs: options.listenerKeepWarmMs,
        journalDir: options.journalDir ?? os.tmpdir(),
        listenerCommand: listener.command,
        executorCommand: executor.command,
      },
      targetMs: TARGET_MS,
      rounds,
      baseline,
      signing,
      executorExit,
    };
    const markdown = renderMarkdown(report);
    console.log(markdown);
    mkdirSync(OUT_DIR, { recursive: true });
    writeFileSync(path.join(OUT_DIR, "executor-fanout.md"), markdown);
    writeFileSync(path.join(OUT_DIR, "executor-fanout.json"), `${JSON.stringify(report, null, 2)}\n`);
    console.log(`wrote ${path.relative(process.cwd(), path.join(OUT_DIR, "executor-fanout.md"))} and .json`);
    if (executorExit.code !== 0) {
      console.error(`executor exited with ${executorExit.code ?? executorExit.signal} on SIGTERM (expected 0); its last lines:\n${executor.tail.text()}`);
      process.exitCode = 1;
    }
  } finally {
    await cleanups.runAll();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
