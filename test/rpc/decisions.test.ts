import { keccak256, hexToBytes, bytesToHex, type Hex } from "viem";
import { bloomMayContain, bloomMayMatch } from "../../services/rpc/bloom";
import { CircuitBreaker } from "../../services/rpc/circuit-breaker";
import { hedgeDelayMs, DEFAULT_HEDGE } from "../../services/rpc/hedge";
import { bestHead, isReady, providerState } from "../../services/rpc/head-state";
import { LatencyWindow } from "../../services/rpc/latency-window";
import { ProviderStatus } from "../../services/rpc/provider";
import { selectProviders } from "../../services/rpc/select";
import { parseRetryAfterMs } from "../../services/rpc/http-json-rpc";

/** Sets the three bloom bits of `value`, as a node does for every log address and topic. */
function bloomOf(...values: Hex[]): Hex {
  const bloom = new Uint8Array(256);
  for (const value of values) {
    const hash = hexToBytes(keccak256(value));
    for (let i = 0; i < 6; i += 2) {
      const bit = ((hash[i] << 8) | hash[i + 1]) & 2047;
      bloom[255 - Math.floor(bit / 8)] |= 1 << bit % 8;
    }
  }
  return bytesToHex(bloom);
}

const ADDRESS: Hex = "0xE111180000d2663C0091e4f400237545B87B996B";
const TOPIC: Hex = "0xd543adfd945773f1a62f74f0ee55a5e3b9b1a28262980ba90b1a89f2ea84d8ee";

function provider(name: string, head?: bigint): ProviderStatus {
  const p = new ProviderStatus({ name, httpUrl: "http://127.0.0.1:1", wsUrl: "ws://127.0.0.1:1" });
  p.chain = "ok";
  p.head = head;
  p.wsConnected = true;
  p.lastHeadAtMs = 1000;
  return p;
}

describe("bloom", () => {
  it("hits for the address and topic set in it and misses an empty bloom", () => {
    const bloom = bloomOf(ADDRESS, TOPIC);
    expect(bloomMayContain(bloom, ADDRESS)).toBe(true);
    expect(bloomMayMatch(bloom, [ADDRESS], [TOPIC])).toBe(true);
    expect(bloomMayMatch(bytesToHex(new Uint8Array(256)), [ADDRESS], [TOPIC])).toBe(false);
    expect(bloomMayMatch(bloomOf(ADDRESS), [ADDRESS], [TOPIC])).toBe(false);
  });
});

describe("circuit breaker", () => {
  it("opens after consecutive failures, probes once after the cooldown, doubles it on a failed probe", () => {
    const b = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 100, maxCooldownMs: 1000 });
    b.failure(0);
    b.failure(0);
    expect(b.allows(0)).toBe(true);
    b.failure(0);
    expect(b.allows(50)).toBe(false);
    expect(b.allows(100)).toBe(true);
    expect(b.allows(100)).toBe(false);
    b.failure(100);
    expect(b.allows(250)).toBe(false);
    expect(b.allows(300)).toBe(true);
    b.success();
    expect(b.current(300)).toBe("closed");
  });

  it("a success resets the consecutive count", () => {
    const b = new CircuitBreaker({ failureThreshold: 2, cooldownMs: 100, maxCooldownMs: 1000 });
    b.failure(0);
    b.success();
    b.failure(0);
    expect(b.current(0)).toBe("closed");
  });
});

describe("hedge delay", () => {
  it("uses the default until enough samples, then the quantile within floor and cap", () => {
    expect(hedgeDelayMs(3, 5)).toBe(DEFAULT_HEDGE.defaultMs);
    expect(hedgeDelayMs(3, 100)).toBe(DEFAULT_HEDGE.floorMs);
    expect(hedgeDelayMs(80, 100)).toBe(80);
    expect(hedgeDelayMs(9000, 100)).toBe(DEFAULT_HEDGE.capMs);
  });

  it("latency window quantiles use nearest rank over the last samples only", () => {
    const w = new LatencyWindow(4);
    for (const ms of [100, 1, 2, 3, 4]) w.record(ms);
    expect(w.quantile(1)).toBe(4);
    expect(w.quantile(0.5)).toBe(2);
  });
});

describe("provider selection", () => {
  it("leaves out wrong-chain, throttled, open-circuit and behind-minHead providers, fastest first", () => {
    const fast = provider("fast", 10n);
    const slow = provider("slow", 10n);
    for (let i = 0; i < 10; i++) {
      fast.latency.record(2);
      slow.latency.record(40);
    }
    const wrong = provider("wrong", 10n);
    wrong.chain = "wrong";
    const throttled = provider("throttled", 10n);
    throttled.throttledUntilMs = 5000;
    const open = provider("open", 10n);
    for (let i = 0; i < 5; i++) open.breaker.failure(1000);
    const behind = provider("behind", 8n);
    const order = selectProviders([slow, wrong, throttled, open, behind, fast], { nowMs: 1000, minHead: 9n });
    expect(order.map((p) => p.name)).toEqual(["fast", "slow"]);
    expect(selectProviders([behind], { nowMs: 1000 }).map((p) => p.name)).toEqual(["behind"]);
  });

  it("Retry-After accepts seconds and HTTP dates", () => {
    expect(parseRetryAfterMs("2", 0)).toBe(2000);
    expect(parseRetryAfterMs(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfterMs(null, 0)).toBe(1000);
  });
});

describe("head state", () => {
  const policy = { laggingBlocks: 2, stallAfterMs: 500 };

  it("ranks healthy, lagging, stalled, wrong chain and disconnected", () => {
    const a = provider("a", 100n);
    const lagging = provider("lagging", 97n);
    const stalled = provider("stalled", 99n);
    stalled.lastHeadAtMs = 0;
    const wrong = provider("wrong", 5000n);
    wrong.chain = "wrong";
    const down = provider("down", 100n);
    down.wsConnected = false;
    down.lastHeadAtMs = 0;
    const all = [a, lagging, stalled, wrong, down];
    expect(bestHead(all)).toBe(100n);
    expect(providerState(a, 100n, 1200, policy)).toBe("healthy");
    expect(providerState(lagging, 100n, 1200, policy)).toBe("lagging");
    expect(providerState(stalled, 100n, 1200, policy)).toBe("stalled");
    expect(providerState(wrong, 100n, 1200, policy)).toBe("wrong_chain");
    expect(providerState(down, 100n, 1200, policy)).toBe("disconnected");
    expect(isReady(all, 1200, policy)).toBe(true);
    expect(isReady([lagging, stalled, wrong, down], 1200, policy)).toBe(false);
  });

  it("a quiet chain stalls nobody; a fresh connection gets one stall period", () => {
    const a = provider("a", 100n);
    const b = provider("b", 100n);
    expect(providerState(a, 100n, 10_000, policy)).toBe("healthy");
    b.head = 99n;
    b.lastHeadAtMs = 0;
    b.connectedAtMs = 9800;
    expect(providerState(b, 100n, 10_000, policy)).toBe("healthy");
    expect(providerState(b, 100n, 10_400, policy)).toBe("stalled");
  });
});
