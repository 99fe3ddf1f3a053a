import type { Hex } from "viem";
import { ExposureLedger, utcDay, type Reservation } from "../../services/listener/sizing/exposure";

const MIDNIGHT = Date.UTC(2026, 5, 1); // 2026-06-01T00:00:00Z
const id = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as Hex;

function reservation(n: number, overrides: Partial<Reservation> = {}): Reservation {
  return {
    intentId: id(n),
    subscriberId: "alice",
    tokenId: 7n,
    marketNotional: 10_000_000n,
    utcDay: utcDay(MIDNIGHT),
    dayNotional: 10_000_000n,
    ...overrides,
  };
}

describe("utcDay", () => {
  test("changes exactly at UTC midnight", () => {
    expect(utcDay(MIDNIGHT - 1)).toBe(utcDay(MIDNIGHT) - 1);
    expect(utcDay(MIDNIGHT)).toBe(utcDay(MIDNIGHT + 86_400_000 - 1));
    expect(utcDay(0)).toBe(0);
  });
});

describe("ExposureLedger", () => {
  const today = utcDay(MIDNIGHT);

  test("charges per market and per day, separately per subscriber and token", () => {
    const ledger = new ExposureLedger();
    ledger.reserve(reservation(1));
    ledger.reserve(reservation(2, { marketNotional: 0n, dayNotional: 3_000_000n })); // a SELL
    ledger.reserve(reservation(3, { tokenId: 8n }));
    ledger.reserve(reservation(4, { subscriberId: "bob" }));
    expect(ledger.usage("alice", 7n, today)).toEqual({ market: 10_000_000n, day: 23_000_000n });
    expect(ledger.usage("alice", 8n, today)).toEqual({ market: 10_000_000n, day: 23_000_000n });
    expect(ledger.usage("bob", 7n, today)).toEqual({ market: 10_000_000n, day: 10_000_000n });
    expect(ledger.usage("carol", 7n, today)).toEqual({ market: 0n, day: 0n });
  });

  test("a new UTC day starts with nothing used; market exposure carries over", () => {
    const ledger = new ExposureLedger();
    ledger.reserve(reservation(1, { utcDay: utcDay(MIDNIGHT - 1) }));
    expect(ledger.usage("alice", 7n, utcDay(MIDNIGHT - 1))).toEqual({ market: 10_000_000n, day: 10_000_000n });
    expect(ledger.usage("alice", 7n, utcDay(MIDNIGHT))).toEqual({ market: 10_000_000n, day: 0n });
  });

  test("reserving the same intent id twice charges once", () => {
    const ledger = new ExposureLedger();
    expect(ledger.reserve(reservation(1))).toBe(true);
    expect(ledger.reserve(reservation(1, { dayNotional: 99n }))).toBe(false);
    expect(ledger.usage("alice", 7n, today)).toEqual({ market: 10_000_000n, day: 10_000_000n });
  });

  test("release gives back exactly what was reserved, to the day it was reserved in", () => {
    const ledger = new ExposureLedger();
    const yesterday = reservation(1, { utcDay: today - 1 });
    ledger.reserve(yesterday);
    ledger.reserve(reservation(2));
    expect(ledger.release(id(1))).toEqual(yesterday);
    expect(ledger.usage("alice", 7n, today - 1)).toEqual({ market: 10_000_000n, day: 0n });
    expect(ledger.usage("alice", 7n, today)).toEqual({ market: 10_000_000n, day: 10_000_000n });
    expect(ledger.release(id(1))).toBeUndefined();
    expect(ledger.release(id(99))).toBeUndefined();
  });

  test("settle forgets a reservation's record and keeps its charge: a settled intent can no longer be released", () => {
    const ledger = new ExposureLedger();
    ledger.reserve(reservation(1));
    ledger.reserve(reservation(2));
    ledger.settle(id(1));
    expect(ledger.openReservations).toBe(1);
    expect(ledger.usage("alice", 7n, today)).toEqual({ market: 20_000_000n, day: 20_000_000n });
    expect(ledger.release(id(1))).toBeUndefined();
    expect(ledger.usage("alice", 7n, today)).toEqual({ market: 20_000_000n, day: 20_000_000n });
  });

  test("a released intent id can be reserved again (re-mined fill)", () => {
    const ledger = new ExposureLedger();
    ledger.reserve(reservation(1));
    ledger.release(id(1));
    expect(ledger.reserve(reservation(1))).toBe(true);
    expect(ledger.usage("alice", 7n, today).market).toBe(10_000_000n);
  });

  test("forgetBefore drops old days and their reservations but keeps market exposure", () => {
    const ledger = new ExposureLedger();
    ledger.reserve(reservation(1, { utcDay: today - 2 }));
    ledger.reserve(reservation(2, { utcDay: today }));
    ledger.forgetBefore(today);
    expect(ledger.usage("alice", 7n, today - 2)).toEqual({ market: 20_000_000n, day: 0n });
    expect(ledger.release(id(1))).toBeUndefined();
    expect(ledger.release(id(2))).toBeDefined();
    expect(ledger.usage("alice", 7n, today)).toEqual({ market: 10_000_000n, day: 0n });
  });

  test("refuses negative amounts", () => {
    expect(() => new ExposureLedger().reserve(reservation(1, { marketNotional: -1n }))).toThrow(/negative/);
  });
});
