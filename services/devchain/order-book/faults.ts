/**
 * Faults of the stand-in order book for the executor's error-path tests. `before-accept`: the order is not looked at;
 * `after-accept`: it is processed normally (and kept, if valid) and then the answer is replaced, which is how a lost
 * answer to an order that landed looks to the client.
 */
export type OrderBookFault =
  /** 400 `{"error": message}` for every order, e.g. "not enough balance / allowance". */
  | { kind: "reject"; message: string }
  | { kind: "http-status"; status: number; phase: FaultPhase }
  /** No answer at all; the connection stays open until the client gives up or the order book stops. */
  | { kind: "hang"; phase: FaultPhase };

export type FaultPhase = "before-accept" | "after-accept";

/** Faults applied in order, each to `times` requests (or until cleared); POST /order only. */
export class FaultQueue {
  private entries: { fault: OrderBookFault; remaining: number }[] = [];

  /** Queues `fault` for the next `times` orders after the faults already queued; omit `times` for "until cleared". */
  push(fault: OrderBookFault, times = Number.POSITIVE_INFINITY): void {
    if (!(times >= 1)) throw new Error(`fault times must be at least 1, got ${times}`);
    if (fault.kind === "http-status" && (fault.status < 400 || fault.status > 599)) {
      throw new Error(`http-status fault needs a 4xx/5xx status, got ${fault.status}`);
    }
    this.entries.push({ fault, remaining: times });
  }

  clear(): void {
    this.entries = [];
  }

  /** The fault for the request now arriving, consuming one use. */
  take(): OrderBookFault | undefined {
    const head = this.entries[0];
    if (!head) return undefined;
    if (--head.remaining <= 0) this.entries.shift();
    return head.fault;
  }
}
