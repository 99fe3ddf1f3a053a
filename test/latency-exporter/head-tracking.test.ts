import { HeadArrivals } from "../../services/latency-exporter/head-arrivals";
import { isSilent, type SubscriptionView } from "../../services/latency-exporter/liveness";
import { bestHead, headLagBlocks } from "../../services/rpc/head-state";
import { ProviderStatus } from "../../services/rpc/provider";

describe("head arrival lag", () => {
  it("is 0 for the first provider to deliver a block and the delay behind it for every other", () => {
    const arrivals = new HeadArrivals();
    expect(arrivals.record("quicknode", 100n, 1_000)).toBe(0);
    expect(arrivals.record("alchemy", 100n, 1_004)).toBe(4);
    expect(arrivals.record("infura", 100n, 1_250)).toBe(250);
    // The next block starts afresh: whoever is first there gets 0.
    expect(arrivals.record("infura", 101n, 3_000)).toBe(0);
    expect(arrivals.record("quicknode", 101n, 3_010)).toBe(10);
  });

  it("counts only a provider's first delivery of a block number (a reorg's replacement header is no new arrival)", () => {
    const arrivals = new HeadArrivals();
    arrivals.record("quicknode", 7n, 0);
    expect(arrivals.record("alchemy", 7n, 5)).toBe(5);
    expect(arrivals.record("alchemy", 7n, 900)).toBeUndefined();
    expect(arrivals.record("quicknode", 7n, 901)).toBeUndefined();
  });

  it("a block a provider never delivers is no arrival, and shows as head lag in blocks instead", () => {
    const arrivals = new HeadArrivals();
    const fast = new ProviderStatus({ name: "fast", httpUrl: "http://127.0.0.1:1", wsUrl: "ws://127.0.0.1:1" });
    const skipping = new ProviderStatus({ name: "skipping", httpUrl: "http://127.0.0.1:2", wsUrl: "ws://127.0.0.1:2" });
    const lags: Record<string, number[]> = { fast: [], skipping: [] };
    const deliver = (p: ProviderStatus, block: bigint, atMs: number) => {
      p.head = block;
      const lag = arrivals.record(p.name, block, atMs);
      if (lag !== undefined) lags[p.name].push(lag);
    };
    for (let block = 1n; block <= 6n; block++) deliver(fast, block, Number(block) * 2000);
    deliver(skipping, 1n, 2_030);
    deliver(skipping, 2n, 4_030);
    // Blocks 3..6 never reach it: four missing arrivals, not four slow ones.
    expect(lags.skipping).toEqual([30, 30]);
    expect(lags.fast).toEqual([0, 0, 0, 0, 0, 0]);
    expect(headLagBlocks(skipping, bestHead([fast, skipping]))).toBe(4);
    expect(headLagBlocks(fast, bestHead([fast, skipping]))).toBe(0);
  });

  it("remembers a bounded number of blocks and never calls a delivery of a forgotten block a first arrival", () => {
    const arrivals = new HeadArrivals(3);
    for (let block = 1n; block <= 5n; block++) arrivals.record("fast", block, Number(block) * 1000);
    // Blocks 1 and 2 are forgotten: a provider that far behind gets no (falsely perfect) 0.
    expect(arrivals.record("slow", 2n, 9_000)).toBeUndefined();
    expect(arrivals.record("slow", 1n, 9_000)).toBeUndefined();
    expect(arrivals.record("slow", 3n, 9_000)).toBe(6_000);
    // A new block below everything kept (but above what was forgotten) is forgotten at once, not counted.
    const sparse = new HeadArrivals(2);
    sparse.record("a", 10n, 0);
    sparse.record("a", 20n, 0);
    expect(sparse.record("b", 15n, 0)).toBe(0);
    expect(sparse.record("b", 12n, 0)).toBeUndefined();
  });
});

describe("subscription liveness", () => {
  const view = (over: Partial<SubscriptionView>): SubscriptionView => ({ wsConnected: true, head: 100n, lastHeadAtMs: 10_000, connectedAtMs: 1_000, ...over });

  it("is silent when connected, behind the best head and quiet for longer than the limit", () => {
    expect(isSilent(view({}), 103n, 15_000, 4_000)).toBe(true);
    expect(isSilent(view({}), 103n, 13_000, 4_000)).toBe(false);
  });

  it("a quiet chain silences nobody; a provider at the best head is not silent", () => {
    expect(isSilent(view({}), 100n, 60_000, 4_000)).toBe(false);
    expect(isSilent(view({}), undefined, 60_000, 4_000)).toBe(false);
  });

  it("a fresh connection gets the full period from when it connected", () => {
    expect(isSilent(view({ connectedAtMs: 14_000 }), 103n, 15_000, 4_000)).toBe(false);
    expect(isSilent(view({ connectedAtMs: 14_000 }), 103n, 18_500, 4_000)).toBe(true);
  });

  it("a connection that never delivered a head goes silent too; a closed one is not a silent subscription", () => {
    expect(isSilent(view({ head: undefined, lastHeadAtMs: 0 }), 103n, 6_001, 5_000)).toBe(true);
    expect(isSilent(view({ wsConnected: false }), 103n, 60_000, 4_000)).toBe(false);
  });
});
