import { FANOUT_STAGES, renderMarkdown, roundProblems, verdict, worstRound, type ExecutorInternals, type FanoutReport, type RoundReport } from "./fanout-report";
import type { HistogramSnapshot } from "./stats";

const N = 1000;
const EMPTY: HistogramSnapshot = { count: 0, sum: 0, buckets: [] };
const summary = (max: number) => ({ count: N, min: 5, p50: max / 2, p99: max * 0.99, max });

function round(name: string, allAcceptedMs: number | undefined, overrides: Partial<RoundReport> = {}): RoundReport {
  return {
    name,
    runner: "executor",
    judged: true,
    fill: { txHash: `0x${"ab".repeat(32)}`, blockNumber: "42" },
    complete: true,
    waitedMs: 2000,
    figures: {
      counts: { subscribers: N, intents: N, duplicateIntents: 0, undecodable: 0, outcomes: { accepted: N }, venueHolds: N, venueOrdersAdded: N },
      times: {
        fillFirstSeenAtMs: 1,
        intentsBuiltMs: 3,
        lastPublishedMs: 60,
        acceptedMs: summary(allAcceptedMs ?? 900),
        answeredMs: summary((allAcceptedMs ?? 900) + 1),
        allAcceptedMs,
        acceptedWithinDeadline: { deadlineMs: 750, count: 700 },
      },
    },
    listener: { detectMs: 2, publishMs: 50 },
    executor: {
      stages: Object.fromEntries(FANOUT_STAGES.map((s) => [s, EMPTY])) as ExecutorInternals["stages"],
      outcomes: { accepted: N },
      venueRequests: { accepted: N },
      eventLoopDelay: EMPTY,
      gcMs: 12,
    },
    cpu: { wallMs: 900, processMs: { executor: 850, venue: 600 }, coreBusy: [0.9, 0.95], othersMs: 40 },
    settlement: { CONFIRMED: N },
    ...overrides,
  };
}

function report(rounds: RoundReport[], overrides: Partial<FanoutReport> = {}): FanoutReport {
  return {
    startedAt: "2026-11-25T00:00:00.000Z",
    runtimeMs: 180_000,
    machine: { cpus: 2, cpuModel: "AMD EPYC", node: "v20.20.2", platform: "linux", pinning: "pinned", loadAverage: { before: [1, 1, 1], after: [2, 1, 1] } },
    setup: {
      subscribers: N,
      signatureType: 0,
      shardCount: 4,
      blockTimeMs: 1000,
      deadlineMs: 10_000,
      productionDeadlineMs: 750,
      listenerKeepWarmMs: 0,
      journalDir: "/tmp",
      listenerCommand: "node … listener",
      executorCommand: "taskset -c 1 node … executor",
    },
    targetMs: 1000,
    rounds,
    baseline: [],
    signing: undefined,
    executorExit: { code: 0, signal: null },
    ...overrides,
  };
}

describe("fan-out verdict", () => {
  it("passes when every judged round accepted all orders cleanly and the worst stayed under the target", () => {
    const text = verdict(report([round("warm-up", 3000, { judged: false }), round("round 1", 850), round("round 2", 990)]));
    expect(text).toMatch(/^PASS: all 1,000 orders accepted in each of 2 judged rounds/);
    expect(text).toContain("worst round: all accepted 990 ms");
  });

  it("fails on a judged round over the target, and ignores the warm-up", () => {
    expect(verdict(report([round("round 1", 850), round("round 2", 1200)]))).toMatch(/^FAIL: .*all accepted 1200 ms .*not met/);
  });

  it("fails, naming the round and the problem, on errors even when fast", () => {
    const bad = round("round 1", undefined, { executor: { ...round("x", 1).executor!, outcomes: { accepted: 998, venue_error: 2 } } });
    bad.figures.counts.outcomes = { accepted: 998, venue_error: 2 };
    bad.figures.counts.venueHolds = 998;
    const text = verdict(report([bad, round("round 2", 500)]));
    expect(text).toMatch(/^FAIL: round 1: outcomes venue_error 2; round 1: venue holds 998 of 1000 orders; round 1: executor outcomes counter accepted 998, venue_error 2/);
  });

  it("fails on an unclean executor exit", () => {
    expect(verdict(report([round("round 1", 500)], { executorExit: { code: 1, signal: null } }))).toMatch(/^FAIL: executor exited 1 on SIGTERM/);
  });

  it("finds no problem in a clean round, and every kind in a broken one", () => {
    expect(roundProblems(round("ok", 500))).toEqual([]);
    const broken = round("broken", undefined, { complete: false });
    Object.assign(broken.figures.counts, { intents: 999, duplicateIntents: 1, undecodable: 1, venueOrdersAdded: 1001 });
    broken.executor!.venueRequests = { accepted: N, unknown: 3 };
    expect(roundProblems(broken)).toEqual([
      "not every intent settled within 2000 ms",
      "999 intents for 1000 subscribers",
      "1 duplicate intents on the bus",
      "1 undecodable payloads",
      "venue order count grew by 1001, not 1000",
      "venue requests accepted 1000, unknown 3",
    ]);
  });

  it("takes a round without a headline as the worst", () => {
    expect(worstRound([round("a", 900), round("b", undefined), round("c", 950)])?.name).toBe("b");
  });
});

describe("fan-out markdown", () => {
  it("shows each round with its headline, marks the worst, and carries the verdict", () => {
    const naive = round("round 1", 4200, { runner: "naive", judged: false, executor: undefined, naive: { signMs: summary(2), postMs: summary(3) } });
    const md = renderMarkdown(report([round("warm-up", 2000, { judged: false }), round("round 1", 850), round("round 2", 990)], { baseline: [naive] }));
    expect(md).toContain("| executor | round 2 **worst** | 1000/1000 | **990 ms** |");
    expect(md).toContain("| naive baseline | round 1 (not judged) | 1000/1000 | **4200 ms** |");
    expect(md).toContain("**Verdict:** PASS");
    expect(md).toContain("Naive baseline (viem signTypedData + fetch, sequential), worst round: 4200 ms.");
    expect(md).toContain("Naive baseline round 1, per order: signTypedData p50 1.00 / p99 1.98 / max 2.00 ms; POST round trip p50 1.50 / p99 2.97 / max 3.00 ms.");
    expect(md).toMatch(/\| round 1 \| 900 ms \| 850 ms \| 600 ms \| 40\.0 ms \| 90 % \| 95 % \|/);
  });
});
