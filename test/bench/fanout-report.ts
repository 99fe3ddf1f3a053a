/** The fan-out bench's report: its JSON shape, the verdict, and the markdown written to bench-results/. */
import type { CpuUse } from "./fanout-cpu";
import { addHistograms, type RoundFigures } from "./fanout-round";
import type { ServiceExit } from "./fanout-services";
import type { SigningResult } from "./fanout-signing";
import { histogramFigures, type HistogramSnapshot, type Summary } from "./stats";

/** The executor's stages the bench reports, in pipeline order (onchain_fill comes after acceptance and is left out). */
export const FANOUT_STAGES = ["queue_wait", "risk", "sign", "journal", "submit", "venue_ack"] as const;
export type FanoutStage = (typeof FANOUT_STAGES)[number];

/** Deltas of the executor's own /metrics over one round. */
export interface ExecutorInternals {
  stages: Record<FanoutStage, HistogramSnapshot>;
  /** polysync_executor_outcomes_total increase, by outcome. */
  outcomes: Record<string, number>;
  /** polysync_executor_venue_requests_total increase, by result (every HTTP attempt, retries included). */
  venueRequests: Record<string, number>;
  eventLoopDelay: HistogramSnapshot;
  /** nodejs_gc_duration_seconds sum increase, ms. */
  gcMs: number;
}

export interface RoundReport {
  name: string;
  runner: "executor" | "naive";
  judged: boolean;
  fill: { txHash: string; blockNumber: string };
  /** Every intent settled before the round's wait ran out. */
  complete: boolean;
  waitedMs: number;
  figures: RoundFigures;
  /** The listener's own stage histogram for the round's one fill (sum = the value), ms. */
  listener: { detectMs: number | undefined; publishMs: number | undefined };
  executor?: ExecutorInternals;
  /** The naive baseline's own per-order timings. */
  naive?: { signMs: Summary; postMs: Summary };
  cpu: CpuUse;
  /** Trade states of the round's orders once the venue's settlement (paused during the round) had its go. */
  settlement: Record<string, number>;
}

export interface FanoutReport {
  startedAt: string;
  runtimeMs: number;
  machine: { cpus: number; cpuModel: string; node: string; platform: string; pinning: string; loadAverage: { before: number[]; after: number[] } };
  setup: {
    subscribers: number;
    signatureType: number;
    shardCount: number;
    blockTimeMs: number;
    deadlineMs: number;
    productionDeadlineMs: number;
    listenerKeepWarmMs: number;
    /** Folder of the executor's journal (its file system decides what fdatasync costs). */
    journalDir: string;
    listenerCommand: string;
    executorCommand: string;
  };
  targetMs: number;
  rounds: RoundReport[];
  baseline: RoundReport[];
  signing: SigningResult | undefined;
  executorExit: ServiceExit | undefined;
}

/** What keeps a judged executor round from counting as "all accepted, nothing else": empty when clean. */
export function roundProblems(round: RoundReport): string[] {
  const { counts } = round.figures;
  const n = counts.subscribers;
  const problems: string[] = [];
  if (!round.complete) problems.push(`not every intent settled within ${round.waitedMs} ms`);
  if (counts.intents !== n) problems.push(`${counts.intents} intents for ${n} subscribers`);
  if (counts.duplicateIntents > 0) problems.push(`${counts.duplicateIntents} duplicate intents on the bus`);
  if (counts.undecodable > 0) problems.push(`${counts.undecodable} undecodable payloads`);
  const others = Object.entries(counts.outcomes).filter(([outcome]) => outcome !== "accepted");
  if (others.length > 0) problems.push(`outcomes ${others.map(([o, k]) => `${o} ${k}`).join(", ")}`);
  if (counts.venueHolds !== n) problems.push(`venue holds ${counts.venueHolds} of ${n} orders`);
  if (counts.venueOrdersAdded !== n) problems.push(`venue order count grew by ${counts.venueOrdersAdded}, not ${n}`);
  if (round.executor) {
    const outcomes = Object.entries(round.executor.outcomes);
    if (outcomes.some(([o, k]) => (o === "accepted" ? k !== n : k > 0))) problems.push(`executor outcomes counter ${outcomes.map(([o, k]) => `${o} ${k}`).join(", ")}`);
    const attempts = Object.entries(round.executor.venueRequests);
    if (attempts.some(([r, k]) => (r === "accepted" ? k !== n : k > 0))) problems.push(`venue requests ${attempts.map(([r, k]) => `${r} ${k}`).join(", ")}`);
  }
  return problems;
}

export function worstRound(rounds: readonly RoundReport[]): RoundReport | undefined {
  const headline = (r: RoundReport) => r.figures.times.allAcceptedMs ?? Number.POSITIVE_INFINITY;
  return rounds.reduce<RoundReport | undefined>((w, r) => (w === undefined || headline(r) > headline(w) ? r : w), undefined);
}

export function verdict(report: FanoutReport): string {
  const judged = report.rounds.filter((r) => r.judged);
  const problems = judged.flatMap((r) => roundProblems(r).map((p) => `${r.name}: ${p}`));
  if (report.executorExit && report.executorExit.code !== 0) problems.push(`executor exited ${report.executorExit.code ?? report.executorExit.signal} on SIGTERM`);
  const worst = worstRound(judged);
  const worstMs = worst?.figures.times.allAcceptedMs;
  const met = worstMs !== undefined && worstMs < report.targetMs;
  const pass = judged.length > 0 && problems.length === 0 && met;
  const n = report.setup.subscribers.toLocaleString("en-US");
  const naive = worstRound(report.baseline)?.figures.times.allAcceptedMs;
  return (
    `${pass ? "PASS" : "FAIL"}: ` +
    (problems.length === 0 ? `all ${n} orders accepted in each of ${judged.length} judged rounds, 0 duplicates, 0 errors; ` : `${problems.join("; ")}; `) +
    `worst round: all accepted ${fmt(worstMs)} ms after the leader fill was first seen (target < ${report.targetMs} ms` +
    `${met ? "" : ", not met"}), per-order p99 ${fmt(worst?.figures.times.acceptedMs.p99)} ms.` +
    (report.baseline.length > 0 ? ` Naive baseline (viem signTypedData + fetch, sequential), worst round: ${fmt(naive)} ms.` : "")
  );
}

export function fmt(ms: number | undefined): string {
  if (ms === undefined || Number.isNaN(ms)) return "–";
  if (ms === Number.POSITIVE_INFINITY) return "> last bucket";
  if (Math.abs(ms) < 10) return ms.toFixed(2);
  if (Math.abs(ms) < 100) return ms.toFixed(1);
  return ms.toFixed(0);
}

const pct = (share: number) => `${(share * 100).toFixed(0)} %`;

export function renderMarkdown(report: FanoutReport): string {
  const { setup } = report;
  const n = setup.subscribers.toLocaleString("en-US");
  const lines = [
    "# Executor fan-out benchmark",
    "",
    `Run ${report.startedAt}, ${(report.runtimeMs / 1000).toFixed(0)} s. Machine: ${report.machine.cpus} cores (${report.machine.cpuModel}), ` +
      `Node ${report.machine.node}, ${report.machine.platform}. CPU: ${report.machine.pinning}. Load average before ` +
      `${report.machine.loadAverage.before.map((l) => l.toFixed(2)).join(" / ")}, after ${report.machine.loadAverage.after.map((l) => l.toFixed(2)).join(" / ")}.`,
    `One leader, ${n} subscribers following it (fixed 5 pUSD BUY copies), signature type ${setup.signatureType}. ` +
      `anvil with ${setup.blockTimeMs} ms blocks and the stand-in exchanges; each round is one real leader fill (a settlement on anvil).`,
    `Listener: its own process (\`${setup.listenerCommand}\`), anvil as its one provider, keepWarmMs ${setup.listenerKeepWarmMs}. ` +
      `Bus: NATS JetStream (nats-server -js), ${setup.shardCount} shards. Executor: its own process (\`${setup.executorCommand}\`), ` +
      `all shards, deadlineMs ${setup.deadlineMs} (production default ${setup.productionDeadlineMs}), journal in ${setup.journalDir} (group-commit fdatasync), on-chain fill tracking on. ` +
      "Venue: the stand-in order book (services/devchain/order-book) in its own process on the bench's core; its settlement is paused during a round and " +
      "drained after it, since the real venue settles on its own machines.",
    "Times count from the leader fill's first sight in the listener (`fillFirstSeenAtMs`) to each order's acceptance at the venue " +
      "(its `createdAtMs`, ms resolution; two processes' epoch clocks on one host). \"Answered\" is when the executor heard back " +
      "(its journal's outcome record). Intents are the listener's real output, read by the bench from a plain NATS subscription.",
    "",
    "## All orders accepted",
    "",
    "| runner | round | accepted | all accepted after | per order p50 | p99 | max | answered max | intents built | last on NATS | ≤ production deadline |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  const judged = report.rounds.filter((r) => r.judged);
  const worst = worstRound(judged);
  for (const round of [...report.rounds, ...report.baseline]) lines.push(headlineRow(round, round === worst));
  lines.push("", `**Verdict:** ${verdict(report)}`, "");
  lines.push(...stageSection(judged, report.baseline.filter((r) => r.naive)), "");
  lines.push(...cpuSection([...report.rounds, ...report.baseline]), "");
  lines.push(...signingSection(report.signing), "");
  lines.push(...checksSection([...report.rounds, ...report.baseline], report.executorExit));
  return `${lines.join("\n")}\n`;
}

function headlineRow(round: RoundReport, worst: boolean): string {
  const { counts, times } = round.figures;
  const runner = round.runner === "executor" ? "executor" : "naive baseline";
  const name = `${round.name}${round.judged ? "" : " (not judged)"}${worst ? " **worst**" : ""}`;
  const all = times.allAcceptedMs === undefined ? "not all accepted" : `**${fmt(times.allAcceptedMs)} ms**`;
  return (
    `| ${runner} | ${name} | ${counts.venueHolds}/${counts.subscribers} | ${all} | ${fmt(times.acceptedMs.p50)} | ${fmt(times.acceptedMs.p99)} | ` +
    `${fmt(times.acceptedMs.max)} | ${fmt(times.answeredMs.max)} | ${fmt(times.intentsBuiltMs)} | ${fmt(times.lastPublishedMs)} | ` +
    `${times.acceptedWithinDeadline.count}/${counts.subscribers} |`
  );
}

function stageSection(judged: readonly RoundReport[], baseline: readonly RoundReport[]): string[] {
  const rounds = judged.filter((r) => r.executor);
  const lines = [
    "## Executor stages (its /metrics, judged rounds pooled)",
    "",
    "Per intent, from `polysync_executor_stage_duration_seconds`: queue_wait = listener's intent created → executor starts on it " +
      "(bus, pull, decode and the shard's queue); sign = buildOrder + signOrder; journal = claim written and fdatasync'd; submit = " +
      "POST /order until the venue answered (its verification included); venue_ack = intent created → accepted. p50/p99 interpolate " +
      "within buckets; max is the bucket bound.",
    "",
    "| stage | count | mean | p50 | p99 | max ≤ |",
    "|---|---|---|---|---|---|",
  ];
  for (const stage of FANOUT_STAGES) {
    const f = histogramFigures(addHistograms(rounds.map((r) => r.executor!.stages[stage])));
    lines.push(`| ${stage} | ${f.count} | ${fmt(f.meanMs)} ms | ${fmt(f.p50Ms)} ms | ${fmt(f.p99Ms)} ms | ${fmt(f.maxAtMostMs)} ms |`);
  }
  const loop = histogramFigures(addHistograms(rounds.map((r) => r.executor!.eventLoopDelay)));
  const gcMs = rounds.reduce((sum, r) => sum + r.executor!.gcMs, 0);
  lines.push("", `Executor event-loop delay over the rounds: p99 ${fmt(loop.p99Ms)} ms, max ≤ ${fmt(loop.maxAtMostMs)} ms; GC ${fmt(gcMs / Math.max(1, rounds.length))} ms per round.`);
  const listener = judged.map((r) => `${r.name}: detect ${fmt(r.listener.detectMs)} ms, publish ${fmt(r.listener.publishMs)} ms`);
  lines.push(`Listener (its stage histogram, one fill per round): ${listener.join("; ")}.`);
  for (const r of baseline) {
    const { signMs, postMs } = r.naive!;
    lines.push(
      `Naive baseline ${r.name}, per order: signTypedData p50 ${fmt(signMs.p50)} / p99 ${fmt(signMs.p99)} / max ${fmt(signMs.max)} ms; ` +
        `POST round trip p50 ${fmt(postMs.p50)} / p99 ${fmt(postMs.p99)} / max ${fmt(postMs.max)} ms.`,
    );
  }
  return lines;
}

function cpuSection(rounds: readonly RoundReport[]): string[] {
  const names = [...new Set(rounds.flatMap((r) => Object.keys(r.cpu.processMs)))];
  const lines = [
    "## CPU during each round (/proc, 10 ms ticks)",
    "",
    "From the round's first intent on NATS until the bench saw the last intent settled (it looks every 50 ms). \"others\" is busy " +
      "CPU of processes that are not this bench's: other users of the machine.",
    "",
    `| round | window | ${names.join(" | ")} | others | ${rounds[0]?.cpu.coreBusy.map((_, i) => `core ${i} busy`).join(" | ") ?? ""} |`,
    `|---|---|${names.map(() => "---|").join("")}---|${rounds[0]?.cpu.coreBusy.map(() => "---|").join("") ?? ""}`,
  ];
  for (const r of rounds) {
    const cells = names.map((name) => (r.cpu.processMs[name] === undefined ? "–" : `${fmt(r.cpu.processMs[name])} ms`));
    lines.push(`| ${r.runner === "naive" ? "naive " : ""}${r.name} | ${fmt(r.cpu.wallMs)} ms | ${cells.join(" | ")} | ${fmt(r.cpu.othersMs)} ms | ${r.cpu.coreBusy.map(pct).join(" | ")} |`);
  }
  return lines;
}

function signingSection(signing: SigningResult | undefined): string[] {
  const heading = "## Signing throughput per core (one thread, on the executor's core)";
  if (!signing) return [heading, "", "Not measured."];
  const lines = [
    heading,
    "",
    `${signing.orders} real intents of the last round, ${signing.passes} measured passes after one warm-up pass; each call timed on its own.`,
    "",
    "| operation | per second | p50 | p99 | max |",
    "|---|---|---|---|---|",
  ];
  for (const op of signing.ops) {
    const us = (v: number | undefined) => (v === undefined ? "–" : `${v.toFixed(v < 100 ? 1 : 0)} µs`);
    lines.push(`| ${op.op} | ${Math.round(op.perSecond).toLocaleString("en-US")} | ${us(op.perCallUs.p50)} | ${us(op.perCallUs.p99)} | ${us(op.perCallUs.max)} |`);
  }
  return lines;
}

function checksSection(rounds: readonly RoundReport[], executorExit: ServiceExit | undefined): string[] {
  const lines = ["## Outcomes, checked three ways", "", "Intents on the bus (tap), what the runner recorded per intent (executor: its journal), the venue's own order count and records; for the executor also its outcomes and venue-request counters.", ""];
  for (const r of rounds) {
    const c = r.figures.counts;
    const outcomes = Object.entries(c.outcomes).map(([o, k]) => `${o} ${k}`).join(", ");
    const counters = r.executor
      ? `; executor counters: outcomes ${entries(r.executor.outcomes)}, venue requests ${entries(r.executor.venueRequests)}`
      : "";
    const problems = roundProblems(r);
    lines.push(
      `- ${r.runner === "naive" ? "naive " : ""}${r.name} (fill ${r.fill.txHash.slice(0, 10)}…, block ${r.fill.blockNumber}): ${c.intents} intents` +
        `${c.duplicateIntents ? `, ${c.duplicateIntents} duplicates` : ""}; outcomes ${outcomes}; venue holds ${c.venueHolds}, its order count +${c.venueOrdersAdded}` +
        `${counters}; the stand-in's on-chain settlement afterwards (not judged): ${entries(r.settlement)}.${problems.length > 0 && r.runner === "executor" ? ` **${problems.join("; ")}**` : ""}`,
    );
  }
  if (executorExit) lines.push("", `Executor process exit on SIGTERM: ${executorExit.code ?? executorExit.signal}.`);
  return lines;
}

function entries(record: Record<string, number>): string {
  const list = Object.entries(record).filter(([, k]) => k !== 0);
  return list.length === 0 ? "none" : list.map(([key, k]) => `${key} ${k}`).join(", ");
}
