import { corruptResult, invalidJsonText, planCall } from "../../services/rpc-proxy/call-plan";
import { faultSchema, FAULT_KINDS, notificationVerdict, withoutBlockTimestamp, type FaultSet } from "../../services/rpc-proxy/faults";
import { createRng, latencyProfileSchema, sampleLatency } from "../../services/rpc-proxy/latency";
import { ReleaseQueue } from "../../services/rpc-proxy/release-queue";

describe("latency sampling", () => {
  const profile = latencyProfileSchema.parse({ baseMs: 10, jitterMs: 5, tailProbability: 0.05, tailScaleMs: 50, tailShape: 1.2, tailCapMs: 2000 });

  test("the same seed gives the same sequence", () => {
    const sample = (seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: 20 }, () => sampleLatency(profile, rng));
    };
    expect(sample(42)).toEqual(sample(42));
    expect(sample(42)).not.toEqual(sample(43));
  });

  test("base and jitter bound the body, the tail is heavy but capped", () => {
    const rng = createRng(1);
    const samples = Array.from({ length: 20_000 }, () => sampleLatency(profile, rng)).sort((a, b) => a - b);
    expect(samples[0]).toBeGreaterThanOrEqual(10);
    expect(samples[Math.floor(samples.length * 0.9)]).toBeLessThan(15);
    expect(samples[Math.floor(samples.length * 0.999)]).toBeGreaterThan(200);
    expect(samples.at(-1)!).toBeLessThanOrEqual(15 + 2000);
  });

  test("the zero profile adds nothing", () => {
    expect(sampleLatency(latencyProfileSchema.parse({}), createRng(1))).toBe(0);
  });
});

describe("ReleaseQueue", () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test("a long delay holds back everything behind it; zero delay on an empty queue is synchronous", () => {
    const delivered: string[] = [];
    const queue = new ReleaseQueue<string>((item) => delivered.push(item), () => Date.now());
    queue.push("now", 0);
    expect(delivered).toEqual(["now"]);
    queue.push("slow", 500);
    queue.push("fast", 10);
    jest.advanceTimersByTime(100);
    expect(delivered).toEqual(["now"]);
    jest.advanceTimersByTime(400);
    expect(delivered).toEqual(["now", "slow", "fast"]);
    queue.push("later", 20);
    queue.clear();
    jest.advanceTimersByTime(100);
    expect(delivered).toEqual(["now", "slow", "fast"]);
  });
});

describe("fault schema", () => {
  test("defaults fill in the optional parameters", () => {
    expect(faultSchema.parse({ kind: "drop-subscriptions" })).toEqual({
      kind: "drop-subscriptions",
      scope: "both",
      probability: 1,
      mode: "silent",
      closeCode: 1001,
    });
    expect(FAULT_KINDS).toHaveLength(10);
  });

  test("reserved close codes are refused", () => {
    expect(faultSchema.safeParse({ kind: "drop-subscriptions", mode: "close", closeCode: 1006 }).success).toBe(false);
    expect(faultSchema.safeParse({ kind: "drop-subscriptions", mode: "close", closeCode: 4000 }).success).toBe(true);
  });
});

describe("call planning", () => {
  const rng = createRng(1);
  const faults = (...inputs: object[]): FaultSet =>
    Object.fromEntries(inputs.map((input) => faultSchema.parse(input)).map((fault) => [fault.kind, fault])) as FaultSet;
  const request = (method: string, params: unknown[] = []) => ({ jsonrpc: "2.0" as const, id: 1, method, params });

  test("stale-head answers the lagging view", () => {
    const ctx = { faults: faults({ kind: "stale-head", lagBlocks: 3 }), transport: "http" as const, rng, visibleHead: 97n };
    expect(planCall(request("eth_blockNumber"), ctx).immediate?.result).toBe("0x61");
    expect(planCall(request("eth_getBlockByNumber", ["latest", false]), ctx).forward?.params).toEqual(["0x61", false]);
    expect(planCall(request("eth_getBlockByNumber", ["0x62", false]), ctx).immediate?.result).toBeNull();
    const logs = planCall(request("eth_getLogs", [{}]), ctx);
    const answer = logs.finish({ jsonrpc: "2.0", id: 1, result: [{ blockNumber: "0x60" }, { blockNumber: "0x61" }, { blockNumber: "0x62" }] });
    expect(answer.result).toEqual([{ blockNumber: "0x60" }, { blockNumber: "0x61" }]);
    expect(planCall(request("eth_chainId"), ctx).applied).toEqual([]);
  });

  test("faults scoped to the other transport or other methods do nothing", () => {
    const ctx = { faults: faults({ kind: "wrong-chain", scope: "ws" }, { kind: "empty-logs", methods: ["eth_call"] }), transport: "http" as const, rng };
    expect(planCall(request("eth_chainId"), ctx).immediate).toBeUndefined();
    expect(planCall(request("eth_getLogs", [{}]), ctx).applied).toEqual([]);
  });

  test("wrong-shape corruption keeps JSON valid but breaks hex fields", () => {
    expect(corruptResult("0x10")).toBe("0xnot-hex");
    expect(corruptResult([])).toBe("0xnot-hex");
    expect(corruptResult([{ blockNumber: "0x1", removed: false }])).toEqual([{ blockNumber: "0xnot-hex", removed: false }]);
    expect(() => JSON.parse(invalidJsonText(JSON.stringify({ jsonrpc: "2.0", id: 1, result: "0x1" })))).toThrow();
  });

  test("notification verdicts: drop by subscription type, close with the code", () => {
    expect(notificationVerdict(faults({ kind: "drop-subscriptions", subscriptions: ["logs"] }), "newHeads", rng).action).toBe("forward");
    expect(notificationVerdict(faults({ kind: "drop-subscriptions", subscriptions: ["logs"] }), "logs", rng).action).toBe("drop");
    expect(notificationVerdict(faults({ kind: "drop-subscriptions", mode: "close", closeCode: 4002 }), "newHeads", rng)).toEqual({
      action: "close",
      code: 4002,
      applied: ["drop-subscriptions"],
    });
    expect(notificationVerdict(faults({ kind: "drop-subscriptions", scope: "http" }), "newHeads", rng).action).toBe("forward");
  });
});

test("legacy-logs strips blockTimestamp from a log or a list of logs and leaves everything else", () => {
  const log = { blockHash: "0x01", blockTimestamp: "0x6925d0c0", logIndex: "0x0" };
  expect(withoutBlockTimestamp(log)).toEqual({ blockHash: "0x01", logIndex: "0x0" });
  expect(withoutBlockTimestamp([log, log])).toEqual([{ blockHash: "0x01", logIndex: "0x0" }, { blockHash: "0x01", logIndex: "0x0" }]);
  expect(withoutBlockTimestamp(null)).toBeNull();
});
