import { readFileSync } from "node:fs";
import path from "node:path";
import { walletAddress } from "../../services/devchain/simulator";
import { renderView } from "../../services/local-stack/render";
import type { ViewModel } from "../../services/local-stack/view-model";
import { copyRulesByLeader, parseSubscribers } from "../../services/listener/subscribers/load";

const vm: ViewModel = {
  uptimeS: 42,
  blockTimeMs: 2000,
  bestHead: "120",
  lastConfirmed: "119",
  providers: [
    { name: "quicknode", state: "healthy", head: "120", lag: "0", arrivalP50Ms: 0.1, arrivalP99Ms: 0.2, firstArrivals: 50, reconnects: 0, errors: 0 },
    { name: "infura", state: "stalled", head: "101", lag: "19", firstArrivals: 0, reconnects: 3, errors: 7 },
  ],
  counters: { fills: 10, intents: 25, skipped: 3, cancelled: 1, reorgs: 1, backfills: 2, malformed: 0 },
  stages: [{ stage: "decode", p50Ms: 0.05, p99Ms: 0.2 }],
  detection: { n: 25, p50Ms: 12.34, p99Ms: 80, maxMs: 95 },
  eventLoopP99Ms: 1.5,
  recent: [{ atMs: Date.UTC(2026, 10, 25, 16, 0, 1, 250), subscriber: "alice", side: "BUY", leader: "0x5Bd265b47F65F9B983b0A7B93d0129af5F33CC57", detectMs: 12.3 }],
  controlUrl: "http://127.0.0.1:9999",
};

describe("local stack terminal view", () => {
  it("shows providers, counters, stage and detection tails, latest intents and how to inject a fault", () => {
    const text = renderView(vm);
    expect(text).toContain("head 120  confirmed 119");
    expect(text).toMatch(/infura\s+stalled\s+101\s+19\s+- \/ -\s+0\s+3\s+7/);
    expect(text).toContain("fills 10   intents 25   skipped 3   cancelled 1   reorgs 1");
    expect(text).toContain("decode 0.050/0.200");
    expect(text).toContain("p50 12.3 ms  p99 80.0 ms  max 95.0 ms  (n=25)");
    expect(text).toContain("16:00:01.250  alice    BUY   copying 0x5Bd265b4…  12.3 ms after the block");
    expect(text).toContain("curl -X PUT http://127.0.0.1:9999/providers/quicknode/faults/stall");
  });

  it("the local stack's subscribers follow exactly the simulator's leader wallets", () => {
    const file = path.join(__dirname, "../../services/local-stack/subscribers.json");
    const rules = copyRulesByLeader(parseSubscribers(readFileSync(file, "utf8"), file));
    expect([...rules.keys()].sort()).toEqual(["leader-1", "leader-2", "leader-3"].map(walletAddress).sort());
  });
});
