import type { Logger } from "pino";
import type { Hex } from "viem";
import type { BusMessage, CancelIntent, CopyIntent } from "../intents/intent";
import { type ExposureLedger, type Reservation, utcDay } from "../listener/sizing/exposure";
import { formatMicros } from "../listener/sizing/units";
import type { CopyRule } from "../listener/subscribers/schema";
import { EXECUTOR_METRICS, type ExecutorOutcome, type ExecutorStage } from "../metrics/catalogue";
import type { Instruments } from "../metrics/registry";
import { decodeSignedOrder, encodeSignedOrder, type SignedOrder } from "../polymarket/order";
import type { OrderType, OrderVenue, SubmitOutcome } from "../venue/venue";
import type { SubscriberAccount } from "./accounts";
import { freshness } from "./decide/staleness";
import { recheckRisk } from "./decide/recheck-risk";
import type { FillTracker, OnChainFill } from "./fill-tracker";
import type { IntentJournal } from "./journal";
import { buildOrder, type MarketConfig } from "./order/build-order";
import type { TickSize } from "./order/amounts";
import { signOrder } from "./order/sign-order";
import { KmsSignerError } from "./signer/kms-signer";

export type ExecutorInstruments = Instruments<typeof EXECUTOR_METRICS>;

/** What became of one intent, as the executor reports it to its listeners (the live view, tests). */
export interface ExecutionReport {
  intentId: Hex;
  subscriberId: string;
  outcome: ExecutorOutcome;
  reason?: string;
  orderHash?: Hex;
  /** Epoch ms, for copy latency: the leader's fill first seen → this report. */
  fillFirstSeenAtMs: number;
  atMs: number;
  leaderBlock: bigint;
  /** Present on `filled`. */
  fill?: OnChainFill;
}

export interface ExecutorOptions {
  accounts: ReadonlyMap<string, SubscriberAccount>;
  /** The current copy rule of (subscriber, leader), re-read on every intent so a reloaded file applies at once. */
  rule: (subscriberId: string, leader: string) => CopyRule | undefined;
  globalKillSwitch: () => boolean;
  venue: OrderVenue;
  journal: IntentJournal;
  ledger: ExposureLedger;
  tracker?: FillTracker;
  deadlineMs: number;
  /** How long the venue round trips of one order may take, resends of the same bytes included. */
  submitTimeoutMs: number;
  /**
   * Orders on their way to the venue at once (the client's keep-alive sockets). Beyond it a shard waits for a slot:
   * a thousand simultaneous POSTs would queue inside the HTTP agent and time out there, never having been sent.
   */
  maxInFlight: number;
  orderType: Extract<OrderType, "FAK" | "FOK">;
  builderCode?: Hex;
  metrics: ExecutorInstruments;
  log: Logger;
  onReport?: (report: ExecutionReport) => void;
  now?: () => number;
}

const TICK_BY_MICROS = new Map<bigint, TickSize>([
  [100_000n, "0.1"],
  [10_000n, "0.01"],
  [1_000n, "0.001"],
  [100n, "0.0001"],
]);

/**
 * Intent → checks → signed order → venue, at most once per intent id. The order of the checks is the order of their
 * cost: dedupe and staleness are free, risk is arithmetic, signing is the first expensive step, and nothing leaves
 * the process before its claim is durable in the journal.
 */
export class Executor {
  private readonly stages: Record<ExecutorStage, ReturnType<ExecutorInstruments["stageDuration"]["labels"]>>;
  private readonly now: () => number;
  private readonly inFlight = new Set<Promise<unknown>>();
  private freeSlots: number;
  private readonly slotWaiters: (() => void)[] = [];

  constructor(private readonly options: ExecutorOptions) {
    const stage = (name: ExecutorStage) => options.metrics.stageDuration.labels({ stage: name });
    this.stages = {
      queue_wait: stage("queue_wait"),
      risk: stage("risk"),
      sign: stage("sign"),
      journal: stage("journal"),
      submit: stage("submit"),
      venue_ack: stage("venue_ack"),
      onchain_fill: stage("onchain_fill"),
    };
    this.now = options.now ?? Date.now;
    this.freeSlots = options.maxInFlight;
  }

  /**
   * The bus handler: resolves once the intent is dropped (duplicate, stale, blocked, invalid) or its order's claim is
   * durable; the venue round trip and on-chain tracking continue in the background (see settled()).
   */
  handle(message: BusMessage): Promise<void> {
    return message.kind === "cancel" ? this.onCancel(message) : this.onIntent(message);
  }

  /**
   * The bus's batch handler: resolves once every message of the batch is dropped, claimed or cancelled (see handle),
   * so the bus acknowledges the batch only then. Different subscribers' messages run side by side, so their signing
   * overlaps their claims' one group commit and the venue slots stay full; one subscriber's messages stay in order. A
   * failure fails the batch once the rest has settled, and the redelivery finds those in the journal.
   */
  async handleBatch(messages: readonly BusMessage[]): Promise<void> {
    const bySubscriber = new Map<string, BusMessage[]>();
    for (const message of messages) {
      const list = bySubscriber.get(message.subscriberId);
      if (list) list.push(message);
      else bySubscriber.set(message.subscriberId, [message]);
    }
    const results = await Promise.allSettled(
      [...bySubscriber.values()].map(async (list) => {
        for (const message of list) await this.handle(message);
      }),
    );
    const failed = results.find((result): result is PromiseRejectedResult => result.status === "rejected");
    if (failed) throw failed.reason;
  }

  /** Resolves when every order handed to the venue has its answer and tracking has ended (bounded drain on shutdown). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /**
   * After a restart: claims without an outcome are orders that may or may not have reached the venue. Within their
   * deadline the same bytes are sent again (the venue keeps one per hash); past it they are recorded as venue errors.
   */
  async recover(): Promise<void> {
    const { journal, ledger } = this.options;
    for (const claim of journal.claims()) {
      if (journal.entry(claim.id)?.outcome?.outcome === "rejected") continue;
      ledger.reserve({
        intentId: claim.id,
        subscriberId: claim.subscriberId,
        tokenId: BigInt(claim.tokenId),
        marketNotional: BigInt(claim.marketNotional),
        utcDay: claim.utcDay,
        dayNotional: BigInt(claim.dayNotional),
      });
    }
    for (const claim of journal.unsettled()) {
      if (this.now() >= claim.deadlineAt) {
        await journal.settle(claim.id, "venue_error", "process stopped before the venue answered; deadline passed");
        this.count("venue_error", "unknown_after_restart");
        continue;
      }
      const outcome = await this.options.venue.submit(decodeSignedOrder(claim.order), { orderType: this.options.orderType, deadlineMs: claim.deadlineAt });
      await journal.settle(claim.id, outcome.kind === "accepted" || outcome.kind === "duplicate" ? "accepted" : outcome.kind === "rejected" ? "rejected" : "venue_error", `resent after restart: ${outcome.kind}`);
    }
  }

  private async onCancel(cancel: CancelIntent): Promise<void> {
    const { journal, log } = this.options;
    if (!journal.take(cancel.id)) {
      log.info({ intent: cancel.id, reason: cancel.reason }, "cancel arrived after the intent was handled; nothing to withdraw");
      return;
    }
    // Journaled, so an intent delivered after its cancel (redelivery, another region) is dropped too; durable, since
    // no claim will ever sync it.
    await journal.settle(cancel.id, "cancelled", cancel.reason, { durable: true });
    this.count("cancelled", cancel.reason);
  }

  private async onIntent(intent: CopyIntent): Promise<void> {
    const { journal, ledger, metrics } = this.options;
    const startedAt = this.now();
    this.stages.queue_wait.observe(Math.max(0, startedAt - intent.timestamps.intentCreatedAtMs) / 1000);
    if (!journal.take(intent.id)) {
      const previous = journal.entry(intent.id)?.outcome?.outcome;
      if (previous === "cancelled") this.report(intent, "cancelled", "before_execution", "cancelled before it was executed");
      else this.report(intent, "duplicate", "local", "this executor has handled it already");
      return;
    }
    metrics.inFlight.inc();
    let handedOff = false;
    try {
      const fresh = freshness(intent, startedAt, this.options.deadlineMs);
      if (!fresh.fresh) return await this.finish(intent, "stale", "deadline", fresh.detail);

      const riskStarted = performance.now();
      const day = utcDay(startedAt);
      const usage = ledger.usage(intent.subscriberId, intent.order.tokenId, day);
      const rule = this.options.rule(intent.subscriberId, intent.leader);
      const verdict = recheckRisk(intent, rule, usage, this.options.globalKillSwitch());
      this.stages.risk.observe((performance.now() - riskStarted) / 1000);
      if (!verdict.allowed) return await this.finish(intent, "risk_blocked", verdict.reason, verdict.detail);
      // Charged before the first await, so the caps hold even if one subscriber's intents were ever handled at once.
      const marketNotional = intent.order.side === "BUY" ? verdict.notional : 0n;
      const reservation = { intentId: intent.id, subscriberId: intent.subscriberId, tokenId: intent.order.tokenId, marketNotional, utcDay: day, dayNotional: verdict.notional };
      ledger.reserve(reservation);
      let claimed = false;

      try {
        const account = this.options.accounts.get(intent.subscriberId);
        if (!account) return await this.finish(intent, "invalid", "no_account", `no trading account for subscriber ${intent.subscriberId}`);
        await this.acquireSlot();
        const slot = { held: true };
        try {
          // In a large fan-out the wait for a slot is most of an intent's wait: one that went stale in it is not sent.
          const stillFresh = freshness(intent, this.now(), this.options.deadlineMs);
          if (!stillFresh.fresh) return await this.finish(intent, "stale", "deadline", stillFresh.detail);
          claimed = await this.prepareAndHandOff(intent, account, rule!, reservation, slot);
          handedOff = !slot.held;
        } finally {
          if (slot.held) this.releaseSlot();
        }
      } finally {
        if (!claimed) ledger.release(intent.id);
      }
    } finally {
      if (!handedOff) metrics.inFlight.dec();
    }
  }

  /**
   * Signs, claims and hands the order to the venue; on hand-off the slot passes to the delivery (slot.held = false).
   * Returns whether the claim was made (from then on the reservation belongs to the journaled order).
   */
  private async prepareAndHandOff(intent: CopyIntent, account: SubscriberAccount, rule: CopyRule, reservation: Reservation, slot: { held: boolean }): Promise<boolean> {
    const { journal } = this.options;
    const signStarted = performance.now();
    let signed: SignedOrder & { orderHash: Hex };
    try {
      const built = buildOrder(intent, account, marketOf(rule), this.options.builderCode ? { builderCode: this.options.builderCode } : {});
      signed = await signOrder(account.key, built.domain, built.order);
    } catch (err) {
      if (err instanceof KmsSignerError && err.retryable) {
        // KMS throttled or timed out: nothing was claimed, so hand the intent back for redelivery, which the
        // staleness check ends if KMS stays unavailable past the deadline.
        journal.release(intent.id);
        throw err;
      }
      await this.finish(intent, "invalid", "unbuildable", (err as Error).message);
      return false;
    }
    this.stages.sign.observe((performance.now() - signStarted) / 1000);
    const orderHash = signed.orderHash;

    const journalStarted = performance.now();
    const deadlineAt = this.now() + this.options.submitTimeoutMs;
    await journal.claim({
      id: intent.id,
      at: this.now(),
      subscriberId: intent.subscriberId,
      orderHash,
      order: encodeSignedOrder(signed),
      tokenId: intent.order.tokenId.toString(),
      marketNotional: reservation.marketNotional.toString(),
      dayNotional: reservation.dayNotional.toString(),
      utcDay: reservation.utcDay,
      deadlineAt,
    });
    this.stages.journal.observe((performance.now() - journalStarted) / 1000);

    // The claim is durable: from here the journal owns the intent (recover() resends it after a crash), so the bus
    // may take the shard's next intent while this one is on its way to the venue.
    slot.held = false;
    this.background(this.deliver(intent, signed, orderHash, deadlineAt, reservation.dayNotional));
    return true;
  }

  private async acquireSlot(): Promise<void> {
    if (this.freeSlots > 0) {
      this.freeSlots -= 1;
      return;
    }
    await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
  }

  private releaseSlot(): void {
    const next = this.slotWaiters.shift();
    if (next) next();
    else this.freeSlots += 1;
  }

  private async deliver(intent: CopyIntent, signed: SignedOrder, orderHash: Hex, deadlineAt: number, notional: bigint): Promise<void> {
    try {
      const submitStarted = performance.now();
      const outcome = await this.submit(signed, orderHash, deadlineAt);
      this.stages.submit.observe((performance.now() - submitStarted) / 1000);
      this.releaseSlot();
      await this.onVenueOutcome(intent, orderHash, outcome);
      this.options.log.debug({ intent: intent.id, subscriber: intent.subscriberId, notional: formatMicros(notional), outcome: outcome.kind }, "intent executed");
    } finally {
      this.options.metrics.inFlight.dec();
    }
  }

  /** Work that outlives the bus handler; a failure is logged (the journal keeps the claim for recover()). */
  private background(work: Promise<unknown>): void {
    const settled = work.catch((err: Error) => this.options.log.error({ err: err.message }, "intent delivery failed after its claim"));
    this.inFlight.add(settled);
    void settled.finally(() => this.inFlight.delete(settled));
  }

  /** A venue client that throws instead of answering is treated like a timeout: the order may have landed. */
  private async submit(signed: SignedOrder, orderHash: Hex, deadlineAt: number): Promise<SubmitOutcome> {
    try {
      return await this.options.venue.submit(signed, { orderType: this.options.orderType, deadlineMs: deadlineAt });
    } catch (err) {
      return { kind: "unknown", orderHash, reason: `venue client failed: ${(err as Error).message}` };
    }
  }

  private async onVenueOutcome(intent: CopyIntent, orderHash: Hex, venueOutcome: SubmitOutcome): Promise<void> {
    const { journal, ledger, metrics } = this.options;
    // "Duplicated" after our own attempt timed out means that attempt landed: it is our order, accepted.
    const outcome: SubmitOutcome =
      venueOutcome.kind === "duplicate" && venueOutcome.afterUnknownAttempt
        ? { kind: "accepted", orderHash, status: "landed on an earlier attempt", venueOrderId: orderHash }
        : venueOutcome;
    switch (outcome.kind) {
      case "accepted": {
        const ackAt = this.now();
        this.stages.venue_ack.observe(Math.max(0, ackAt - intent.timestamps.intentCreatedAtMs) / 1000);
        metrics.copyLatency.observe({ milestone: "accepted" }, Math.max(0, ackAt - intent.timestamps.fillFirstSeenAtMs) / 1000);
        await journal.settle(intent.id, "accepted", outcome.status);
        this.report(intent, "accepted", "", outcome.status, orderHash);
        this.track(intent, orderHash, ackAt);
        return;
      }
      case "duplicate":
        // The venue already holds this exact order: another region (or an earlier attempt of ours) placed it.
        await journal.settle(intent.id, "duplicate", "venue already has this order");
        this.report(intent, "duplicate", "venue", "venue already has this order", orderHash);
        return;
      case "rejected":
        ledger.release(intent.id);
        await journal.settle(intent.id, "rejected", outcome.reason);
        this.report(intent, "rejected", "venue", outcome.reason, orderHash);
        return;
      case "unknown":
        // May have landed: the reservation stays, and the journal keeps anyone from building another order for it.
        await journal.settle(intent.id, "venue_error", outcome.reason);
        this.report(intent, "venue_error", "unknown", outcome.reason, orderHash);
        return;
    }
  }

  private track(intent: CopyIntent, orderHash: Hex, ackAt: number): void {
    const { tracker, metrics } = this.options;
    if (!tracker) return;
    this.background(tracker.watch(orderHash).then((fill) => {
      if (!fill) return;
      this.stages.onchain_fill.observe(Math.max(0, fill.seenAtMs - ackAt) / 1000);
      metrics.copyLatency.observe({ milestone: "filled" }, Math.max(0, fill.seenAtMs - intent.timestamps.fillFirstSeenAtMs) / 1000);
      metrics.copyLatencyBlocks.observe(Number(fill.blockNumber - intent.source.blockNumber));
      this.report(intent, "filled", "", undefined, orderHash, fill);
    }));
  }

  private async finish(intent: CopyIntent, outcome: ExecutorOutcome, code: string, detail: string): Promise<void> {
    await this.options.journal.settle(intent.id, outcome, `${code}: ${detail}`);
    this.report(intent, outcome, code, detail);
  }

  /** `code` is a bounded metric label; `reason` is the free-text detail for logs and the journal. */
  private report(intent: CopyIntent, outcome: ExecutorOutcome, code: string, reason?: string, orderHash?: Hex, fill?: OnChainFill): void {
    this.count(outcome, code);
    if (outcome !== "accepted" && outcome !== "filled") {
      this.options.log.info({ intent: intent.id, subscriber: intent.subscriberId, outcome, code, reason }, "intent not executed");
    }
    this.options.onReport?.({
      intentId: intent.id,
      subscriberId: intent.subscriberId,
      outcome,
      ...(reason !== undefined ? { reason } : {}),
      ...(orderHash ? { orderHash } : {}),
      fillFirstSeenAtMs: intent.timestamps.fillFirstSeenAtMs,
      atMs: fill?.seenAtMs ?? this.now(),
      leaderBlock: intent.source.blockNumber,
      ...(fill ? { fill } : {}),
    });
  }

  private count(outcome: ExecutorOutcome, reason: string): void {
    this.options.metrics.outcomes.inc({ outcome, reason });
  }
}

function marketOf(rule: CopyRule): MarketConfig {
  const tickSize = TICK_BY_MICROS.get(rule.risk.tickSize);
  if (!tickSize) throw new Error(`tick size ${formatMicros(rule.risk.tickSize)} is not one the order book uses`);
  return { tickSize };
}
