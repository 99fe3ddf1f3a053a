import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { Registry } from "prom-client";
import { generatePrivateKey } from "viem/accounts";
import type { SubscriberAccount } from "../../../services/executor/accounts";
import { Executor, type ExecutionReport } from "../../../services/executor/executor";
import { IntentJournal } from "../../../services/executor/journal";
import { KmsSignerError } from "../../../services/executor/signer/kms-signer";
import { loadNativeEngine } from "../../../services/executor/signer/ecdsa-engine";
import { localSigner } from "../../../services/executor/signer/local-signer";
import type { BusMessage, CopyIntent } from "../../../services/intents/intent";
import { ExposureLedger, utcDay } from "../../../services/listener/sizing/exposure";
import { EXECUTOR_METRICS } from "../../../services/metrics/catalogue";
import { createInstruments } from "../../../services/metrics/registry";
import { hashOrder, recoverOrderSigner, type SignedOrder } from "../../../services/polymarket/order";
import { apiCredentials } from "../../../services/venue/l2-auth";
import type { OrderVenue, SubmitOutcome } from "../../../services/venue/venue";
import { cancelOf, intent, until } from "../../bus/messages";
import { aliceRule } from "./rule-fixture";

const LEADER = "0x1000000000000000000000000000000000000001";
/** A real epoch, not 0: the journal compacts by wall-clock retention on open. */
const T0 = Date.now();
const DAY = utcDay(T0);
const key = localSigner(generatePrivateKey(), loadNativeEngine());
const api = { address: key.address, credentials: apiCredentials({ key: "k", secret: Buffer.from("s").toString("base64"), passphrase: "p" }) };
const account: SubscriberAccount = { subscriberId: "alice", maker: key.address, signer: key.address, signatureType: 0, key, api };
const rule = aliceRule({ maxOrderNotional: 10_000_000n, maxMarketExposure: 12_000_000n, maxDailyNotional: 100_000_000n });

/** A venue scripted per call (a unit-test stand-in; the real order book is exercised in the end-to-end tests). */
class ScriptedVenue implements OrderVenue {
  readonly sent: SignedOrder[] = [];
  constructor(private readonly answer: (order: SignedOrder) => SubmitOutcome) {}
  async submit(order: SignedOrder): Promise<SubmitOutcome> {
    this.sent.push(order);
    return this.answer(order);
  }
}

class ThrowingVenue implements OrderVenue {
  async submit(): Promise<SubmitOutcome> {
    throw new Error("socket hang up");
  }
}

const accepted = (order: SignedOrder): SubmitOutcome => ({ kind: "accepted", orderHash: hashOrder(order.domain, order.order), status: "matched", venueOrderId: "1" });

const openJournals: IntentJournal[] = [];
afterEach(async () => {
  await Promise.all(openJournals.splice(0).map((journal) => journal.close()));
});

async function executorWith(venue: OrderVenue, options: { file?: string; now?: () => number; accounts?: Map<string, SubscriberAccount> } = {}) {
  const file = options.file ?? path.join(mkdtempSync(path.join(os.tmpdir(), "executor-")), "journal");
  const journal = await IntentJournal.open(file, { retentionMs: 3_600_000 });
  openJournals.push(journal);
  const registry = new Registry();
  const metrics = createInstruments(registry, EXECUTOR_METRICS);
  const reports: ExecutionReport[] = [];
  const ledger = new ExposureLedger();
  const executor = new Executor({
    accounts: options.accounts ?? new Map([["alice", account]]),
    rule: (subscriberId, leader) => (subscriberId === "alice" && leader === LEADER ? rule : undefined),
    globalKillSwitch: () => false,
    venue,
    journal,
    ledger,
    deadlineMs: 750,
    submitTimeoutMs: 2_000,
    maxInFlight: 2,
    orderType: "FAK",
    metrics,
    log: pino({ level: "silent" }),
    onReport: (report) => reports.push(report),
    now: options.now ?? (() => T0),
  });
  const outcomes = async () => (await registry.getSingleMetric("polysync_executor_outcomes_total")!.get()).values.map((v) => `${v.labels.outcome}/${v.labels.reason}=${v.value}`);
  /** Handles a message and waits for what it handed to the venue in the background. */
  const handle = async (message: BusMessage) => {
    await executor.handle(message);
    await executor.settled();
  };
  return { executor, handle, journal, reports, ledger, file, outcomes };
}

function fresh(subscriberId: string, logIndex: number): CopyIntent {
  return { ...intent(subscriberId, logIndex), timestamps: { fillFirstSeenAtMs: T0 - 100, intentCreatedAtMs: T0 - 99 } };
}

describe("Executor", () => {
  it("signs and submits a fresh intent once; the venue receives an order the key really signed", async () => {
    const venue = new ScriptedVenue(accepted);
    const { handle, reports, ledger } = await executorWith(venue);
    await handle(fresh("alice", 1));
    expect(venue.sent).toHaveLength(1);
    expect(await recoverOrderSigner(venue.sent[0]!)).toBe(key.address);
    expect(venue.sent[0]!.order).toMatchObject({ maker: key.address, tokenId: 42n, side: 0, timestamp: 1_764_000_000_000n });
    expect(reports.map((r) => r.outcome)).toEqual(["accepted"]);
    expect(ledger.usage("alice", 42n, DAY).market).toBe(5_000_000n);
  });

  it("executes a duplicate delivery once: in the same process and after a restart", async () => {
    const venue = new ScriptedVenue(accepted);
    const first = await executorWith(venue);
    await Promise.all([first.handle(fresh("alice", 2)), first.handle(fresh("alice", 2))]);
    await first.journal.close();
    const restarted = await executorWith(venue, { file: first.file });
    await restarted.handle(fresh("alice", 2));
    expect(venue.sent).toHaveLength(1);
    expect(first.reports.map((r) => r.outcome).sort()).toEqual(["accepted", "duplicate"]);
    expect(restarted.reports.map((r) => r.outcome)).toEqual(["duplicate"]);
  });

  it("rejects a stale intent without signing or sending", async () => {
    const venue = new ScriptedVenue(accepted);
    const { handle, reports, outcomes } = await executorWith(venue, { now: () => T0 - 100 + 751 });
    await handle(fresh("alice", 3));
    expect(venue.sent).toHaveLength(0);
    expect(reports[0]).toMatchObject({ outcome: "stale" });
    expect(await outcomes()).toContain("stale/deadline=1");
  });

  it("blocks an intent that current exposure no longer allows, and counts it as risk_blocked", async () => {
    const venue = new ScriptedVenue(accepted);
    const { handle, reports, outcomes } = await executorWith(venue);
    await handle(fresh("alice", 4));
    await handle(fresh("alice", 5));
    await handle(fresh("alice", 6)); // 3 × 5 > market cap 12
    expect(venue.sent).toHaveLength(2);
    expect(reports.map((r) => r.outcome)).toEqual(["accepted", "accepted", "risk_blocked"]);
    expect(await outcomes()).toContain("risk_blocked/cap-per-market=1");
  });

  it("gives back the exposure of a venue rejection, keeps it for an unknown outcome", async () => {
    const rejecting = await executorWith(new ScriptedVenue((o) => ({ kind: "rejected", orderHash: hashOrder(o.domain, o.order), reason: "not enough balance" })));
    await rejecting.handle(fresh("alice", 7));
    expect(rejecting.reports[0]).toMatchObject({ outcome: "rejected", reason: "not enough balance" });
    expect(rejecting.ledger.usage("alice", 42n, DAY).market).toBe(0n);

    const timingOut = await executorWith(new ScriptedVenue((o) => ({ kind: "unknown", orderHash: hashOrder(o.domain, o.order), reason: "timeout after 2000 ms" })));
    await timingOut.handle(fresh("alice", 8));
    expect(timingOut.reports[0]).toMatchObject({ outcome: "venue_error" });
    expect(timingOut.ledger.usage("alice", 42n, DAY).market).toBe(5_000_000n);

    const throwing = await executorWith(new ThrowingVenue());
    await throwing.handle(fresh("alice", 12));
    expect(throwing.reports[0]).toMatchObject({ outcome: "venue_error", reason: "venue client failed: socket hang up" });
  });

  it("drops an intent whose cancel arrived first, and one for a subscriber without an account", async () => {
    const venue = new ScriptedVenue(accepted);
    const { handle, reports } = await executorWith(venue);
    await handle(cancelOf(fresh("alice", 9)));
    await handle(fresh("alice", 9));
    await handle(fresh("mallory", 10));
    expect(venue.sent).toHaveLength(0);
    expect(reports.map((r) => `${r.subscriberId}:${r.outcome}`)).toEqual(["alice:cancelled", "mallory:risk_blocked"]);
  });

  it("after a crash between claim and answer, resends the same bytes within the deadline, never a new order", async () => {
    // The first process "dies" with its request in the air: the venue never answers and nothing settles the claim.
    const hanging = new ScriptedVenue(() => new Promise<SubmitOutcome>(() => {}) as unknown as SubmitOutcome);
    const crashed = await executorWith(hanging);
    void crashed.executor.handle(fresh("alice", 11));
    await until(() => hanging.sent.length === 1, "the first order on the wire");

    const venue = new ScriptedVenue(accepted);
    const restarted = await executorWith(venue, { file: crashed.file });
    await restarted.executor.recover();
    expect(venue.sent).toHaveLength(1);
    expect(hashOrder(venue.sent[0]!.domain, venue.sent[0]!.order)).toBe(hashOrder(hanging.sent[0]!.domain, hanging.sent[0]!.order));
    expect(venue.sent[0]!.signature).toBe(hanging.sent[0]!.signature);
    expect(restarted.journal.entry(fresh("alice", 11).id)?.outcome?.outcome).toBe("accepted");
    await restarted.handle(fresh("alice", 11));
    expect(venue.sent).toHaveLength(1);
  });

  it("hands an intent back when KMS is throttled (nothing claimed), and executes it once on redelivery", async () => {
    let calls = 0;
    const flaky = {
      address: key.address,
      async signDigest(digest: `0x${string}`) {
        calls += 1;
        if (calls === 1) throw new KmsSignerError("KMS key k: throttled", "throttled", true);
        return key.signDigest(digest);
      },
    };
    const venue = new ScriptedVenue(accepted);
    const { handle, reports } = await executorWith(venue, { accounts: new Map([["alice", { ...account, key: flaky }]]) });
    await expect(handle(fresh("alice", 13))).rejects.toThrow(/throttled/);
    expect(venue.sent).toHaveLength(0);
    await handle(fresh("alice", 13));
    await handle(fresh("alice", 13));
    expect(venue.sent).toHaveLength(1);
    expect(reports.map((r) => r.outcome)).toEqual(["accepted", "duplicate"]);
  });

  it("keeps at most maxInFlight orders on their way to the venue; the next intent waits for a slot", async () => {
    const answers: ((outcome: SubmitOutcome) => void)[] = [];
    const venue = new ScriptedVenue(() => new Promise<SubmitOutcome>((resolve) => answers.push(resolve)) as unknown as SubmitOutcome);
    const { executor } = await executorWith(venue);
    // Three markets, so the caps allow all three at once.
    const on = (logIndex: number, tokenId: bigint): CopyIntent => {
      const base = fresh("alice", logIndex);
      return { ...base, source: { ...base.source, tokenId }, order: { ...base.order, tokenId } };
    };
    void executor.handle(on(20, 1n));
    void executor.handle(on(21, 2n));
    const third = executor.handle(on(22, 3n));
    await until(() => venue.sent.length === 2, "two orders on the wire");
    let thirdHandled = false;
    void third.then(() => (thirdHandled = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(venue.sent).toHaveLength(2);
    expect(thirdHandled).toBe(false);
    answers[0]!(accepted(venue.sent[0]!));
    await until(() => venue.sent.length === 3, "the third order once a slot is free");
    answers[1]!(accepted(venue.sent[1]!));
    answers[2]!(accepted(venue.sent[2]!));
    await executor.settled();
  });
});

describe("Executor batches", () => {
  /** Three subscribers' intents of one fill, on three markets so the caps allow them all. */
  const batchOf = (logIndex: number): CopyIntent[] =>
    [1n, 2n, 3n].map((tokenId) => {
      const base = fresh("alice", logIndex + Number(tokenId));
      return { ...base, source: { ...base.source, tokenId }, order: { ...base.order, tokenId } };
    });

  it("resolves once every intent of the batch is durably claimed, while their orders are still on the way", async () => {
    const answers: ((outcome: SubmitOutcome) => void)[] = [];
    const venue = new ScriptedVenue(() => new Promise<SubmitOutcome>((resolve) => answers.push(resolve)) as unknown as SubmitOutcome);
    const { executor, journal, file } = await executorWith(venue);
    const batch = batchOf(30);
    let resolved = false;
    const handled = executor.handleBatch(batch.slice(0, 2)).then(() => (resolved = true));
    await handled;
    // Both claims are on disk before the bus may acknowledge: a crash now resends them, never rebuilds them.
    expect(resolved).toBe(true);
    const onDisk = readFileSync(file, "utf8");
    for (const intent of batch.slice(0, 2)) expect(onDisk).toContain(`"t":"claim","id":"${intent.id}"`);
    expect(journal.unsettled().map((c) => c.id).sort()).toEqual(batch.slice(0, 2).map((i) => i.id).sort());
    for (const answer of answers.splice(0)) answer(accepted(venue.sent[0]!));
    await executor.settled();
  });

  it("a batch redelivered after failing half way executes nothing twice", async () => {
    let calls = 0;
    const flaky = {
      address: key.address,
      async signDigest(digest: `0x${string}`) {
        calls += 1;
        if (calls === 2) throw new KmsSignerError("KMS key k: throttled", "throttled", true);
        return key.signDigest(digest);
      },
    };
    const venue = new ScriptedVenue(accepted);
    const { executor, reports } = await executorWith(venue, { accounts: new Map([["alice", { ...account, key: flaky }]]) });
    const batch = batchOf(40);
    await expect(executor.handleBatch(batch)).rejects.toThrow(/throttled/);
    await executor.settled();
    // One subscriber's intents go in order: the third waits behind the second, which KMS handed back.
    expect(venue.sent).toHaveLength(1);
    await executor.handleBatch(batch);
    await executor.settled();
    expect(venue.sent).toHaveLength(3);
    expect(new Set(venue.sent.map((o) => hashOrder(o.domain, o.order))).size).toBe(3);
    expect(reports.filter((r) => r.outcome === "accepted").map((r) => r.intentId).sort()).toEqual(batch.map((i) => i.id).sort());
  });

  it("keeps one subscriber's messages in batch order: a cancel after its intent withdraws nothing, before it drops it", async () => {
    const venue = new ScriptedVenue(accepted);
    const { executor, reports } = await executorWith(venue);
    const [first, second] = batchOf(50);
    await executor.handleBatch([first!, cancelOf(first!), cancelOf(second!), second!]);
    await executor.settled();
    expect(venue.sent).toHaveLength(1);
    expect(reports.map((r) => `${r.intentId === first!.id ? "first" : "second"}:${r.outcome}`).sort()).toEqual(["first:accepted", "second:cancelled"]);
  });

  it("drops an intent that went stale while it waited for a venue slot", async () => {
    let now = T0;
    const answers: ((outcome: SubmitOutcome) => void)[] = [];
    const venue = new ScriptedVenue(() => new Promise<SubmitOutcome>((resolve) => answers.push(resolve)) as unknown as SubmitOutcome);
    const { executor, reports } = await executorWith(venue, { now: () => now });
    const batch = batchOf(60);
    // maxInFlight is 2: the third intent waits for a slot, and the clock passes its deadline meanwhile.
    const handled = executor.handleBatch(batch);
    await until(() => venue.sent.length === 2, "two orders on the wire");
    now = T0 + 1_000;
    answers[0]!(accepted(venue.sent[0]!));
    await handled;
    answers[1]!(accepted(venue.sent[1]!));
    await executor.settled();
    expect(venue.sent).toHaveLength(2);
    expect(reports.find((r) => r.intentId === batch[2]!.id)?.outcome).toBe("stale");
  });
});
