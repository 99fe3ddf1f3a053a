import type { Hex } from "viem";
import type { ExposureUsage } from "./decide";

const MS_PER_DAY = 86_400_000;

/** Days since the Unix epoch in UTC: the bucket of the per-day cap. Midnight UTC starts a new bucket. */
export function utcDay(nowMs: number): number {
  return Math.floor(nowMs / MS_PER_DAY);
}

/** What one intent charged against its subscriber's caps; kept so a cancelled intent gives back exactly that. */
export interface Reservation {
  intentId: Hex;
  subscriberId: string;
  tokenId: bigint;
  /** BUY notional added to the token's exposure (0 for a SELL). */
  marketNotional: bigint;
  utcDay: number;
  dayNotional: bigint;
}

/** Read side of the ledger: what the sizing decision needs to know. */
export interface ExposureView {
  usage(subscriberId: string, tokenId: bigint, utcDay: number): ExposureUsage;
}

/**
 * In-memory record of what each subscriber's intents have reserved: BUY notional per outcome token and notional per
 * UTC day. It counts intents, not executions: the listener cannot see fills of copies, so a reserved BUY stays charged
 * to its market even if the executor later fails or the subscriber sells. That is the conservative side for a cap
 * (and the state resets with the process). Reservations are idempotent per intent id, because two detection paths may
 * produce the same intent, and a release (reorg) returns exactly what was reserved, in the day it was reserved.
 */
export class ExposureLedger implements ExposureView {
  private readonly markets = new Map<string, Map<bigint, bigint>>();
  private readonly days = new Map<string, Map<number, bigint>>();
  private readonly reservations = new Map<Hex, Reservation>();

  usage(subscriberId: string, tokenId: bigint, day: number): ExposureUsage {
    return {
      market: this.markets.get(subscriberId)?.get(tokenId) ?? 0n,
      day: this.days.get(subscriberId)?.get(day) ?? 0n,
    };
  }

  /** Charges a reservation; returns false (and charges nothing) if this intent id is already reserved. */
  reserve(reservation: Reservation): boolean {
    if (reservation.marketNotional < 0n || reservation.dayNotional < 0n) {
      throw new Error(`reservation ${reservation.intentId} has a negative amount`);
    }
    if (this.reservations.has(reservation.intentId)) return false;
    this.reservations.set(reservation.intentId, reservation);
    add(bucket(this.markets, reservation.subscriberId), reservation.tokenId, reservation.marketNotional);
    add(bucket(this.days, reservation.subscriberId), reservation.utcDay, reservation.dayNotional);
    return true;
  }

  /** Gives back what an intent reserved (its fill was reorged out); returns it, or undefined if unknown. */
  release(intentId: Hex): Reservation | undefined {
    const reservation = this.reservations.get(intentId);
    if (!reservation) return undefined;
    this.reservations.delete(intentId);
    add(bucket(this.markets, reservation.subscriberId), reservation.tokenId, -reservation.marketNotional);
    add(bucket(this.days, reservation.subscriberId), reservation.utcDay, -reservation.dayNotional);
    return reservation;
  }

  /**
   * Forgets the record of a reservation whose fill can no longer be reorged: its charge stays, nothing can give it back.
   * Without this the records grow with every intent of the day, and a Map that large rehashes in the middle of a fill.
   */
  settle(intentId: Hex): void {
    this.reservations.delete(intentId);
  }

  /** Reservation records kept for reorg releases. */
  get openReservations(): number {
    return this.reservations.size;
  }

  /**
   * Drops day buckets and reservation records older than `day`, keeping memory bounded in a long-running listener.
   * Market exposure stays: it is not per day. A reorg older than a day is not a case to handle.
   */
  forgetBefore(day: number): void {
    for (const perDay of this.days.values()) for (const d of [...perDay.keys()]) if (d < day) perDay.delete(d);
    for (const [id, r] of this.reservations) if (r.utcDay < day) this.reservations.delete(id);
  }
}

function bucket<K>(map: Map<string, Map<K, bigint>>, subscriberId: string): Map<K, bigint> {
  let inner = map.get(subscriberId);
  if (!inner) map.set(subscriberId, (inner = new Map()));
  return inner;
}

function add<K>(map: Map<K, bigint>, key: K, delta: bigint): void {
  const next = (map.get(key) ?? 0n) + delta;
  if (next === 0n) map.delete(key);
  else map.set(key, next);
}
