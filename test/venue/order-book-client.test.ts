import http from "node:http";
import type { AddressInfo } from "node:net";
import { hashOrder } from "../../services/polymarket/order";
import { OrderBookClient, type SubmitAttempt } from "../../services/venue/order-book-client";
import { CTF_V2, orderFilledLogs, startOrderBookFixture, type OrderBookFixture } from "../support/order-book";
import { waitFor } from "../support/wait";

describe("order book client: retries, deadlines and outcomes", () => {
  let f: OrderBookFixture;
  let attempts: SubmitAttempt[];
  let client: OrderBookClient;

  beforeAll(async () => {
    f = await startOrderBookFixture();
  });
  afterAll(async () => {
    await f?.stop();
  });
  const clientWith = (attemptTimeoutMs: number) =>
    new OrderBookClient({
      baseUrl: f.book.url,
      accountFor: () => f.traders.eoa.account,
      attemptTimeoutMs,
      retryBackoffMs: { initial: 10, max: 50 },
      onAttempt: (attempt) => attempts.push(attempt),
    });
  beforeEach(() => {
    f.book.faults.clear();
    attempts = [];
    client = clientWith(1000);
  });
  afterEach(() => client.close());

  const freshOrder = async () => {
    const signed = await f.order(f.traders.eoa, f.tokens.ctf);
    return { signed, orderHash: hashOrder(signed.domain, signed.order) };
  };
  const results = () => attempts.map((a) => a.result);

  it("times out (unknown), resends the same bytes and learns the order landed: exactly one order, one fill", async () => {
    f.book.faults.push({ kind: "hang", phase: "after-accept" }, 1);
    const { signed, orderHash } = await freshOrder();
    const outcome = await client.submit(signed, { orderType: "FAK", deadlineMs: Date.now() + 5000 });

    expect(outcome).toEqual({ kind: "duplicate", orderHash, afterUnknownAttempt: true });
    expect(results()).toEqual(["unknown", "duplicate"]);
    expect(attempts[0]!.detail).toBe("no answer within 1000 ms");
    expect(attempts[1]!).toMatchObject({ httpStatus: 400, detail: `order ${orderHash} is invalid. Duplicated.` });
    await waitFor("settlement", () => f.book.order(orderHash)?.trade.status === "CONFIRMED", 8000);
    expect(await orderFilledLogs(f.anvil.httpUrl, CTF_V2, orderHash)).toHaveLength(1);
  });

  it("resends after 5xx that did not take the order, and gets it accepted", async () => {
    f.book.faults.push({ kind: "http-status", status: 503, phase: "before-accept" }, 2);
    const { signed, orderHash } = await freshOrder();
    const outcome = await client.submit(signed, { orderType: "FAK", deadlineMs: Date.now() + 3000 });
    expect(outcome).toMatchObject({ kind: "accepted", orderHash, status: "matched" });
    expect(results()).toEqual(["unknown", "unknown", "accepted"]);
    expect(attempts[0]!.httpStatus).toBe(503);
  });

  it("reports a 5xx after the venue took the order as landed once resent", async () => {
    f.book.faults.push({ kind: "http-status", status: 500, phase: "after-accept" }, 1);
    const { signed, orderHash } = await freshOrder();
    expect(await client.submit(signed, { orderType: "FAK", deadlineMs: Date.now() + 3000 })).toEqual({ kind: "duplicate", orderHash, afterUnknownAttempt: true });
    expect(f.book.order(orderHash)).toBeDefined();
  });

  it("gives up as unknown at the deadline while the venue hangs", async () => {
    f.book.faults.push({ kind: "hang", phase: "before-accept" });
    const { signed, orderHash } = await freshOrder();
    const impatient = clientWith(300);
    const started = Date.now();
    const outcome = await impatient.submit(signed, { orderType: "FAK", deadlineMs: started + 1000 });
    impatient.close();
    const elapsed = Date.now() - started;
    // The last attempt is cut short by the deadline, so its timeout is whatever time was left.
    expect(outcome).toEqual({ kind: "unknown", orderHash, reason: expect.stringMatching(/^deadline passed; last attempt that may have landed: no answer within \d+ ms$/) });
    expect(elapsed).toBeGreaterThanOrEqual(990);
    expect(elapsed).toBeLessThan(1500);
    expect(results().every((r) => r === "unknown")).toBe(true);
    expect(attempts.length).toBeGreaterThanOrEqual(3);
  });

  it("never retries a rejection", async () => {
    f.book.faults.push({ kind: "reject", message: "not enough balance / allowance" });
    const { signed, orderHash } = await freshOrder();
    expect(await client.submit(signed, { orderType: "FAK", deadlineMs: Date.now() + 3000 })).toEqual({
      kind: "rejected",
      orderHash,
      reason: "HTTP 400: not enough balance / allowance",
    });
    expect(results()).toEqual(["rejected"]);
  });

  it("keeps a rejection after an unknown attempt as unknown: the first copy may have landed", async () => {
    f.book.faults.push({ kind: "hang", phase: "before-accept" }, 1);
    f.book.faults.push({ kind: "reject", message: "not enough balance / allowance" });
    const { signed } = await freshOrder();
    const outcome = await client.submit(signed, { orderType: "FAK", deadlineMs: Date.now() + 3000 });
    expect(outcome.kind).toBe("unknown");
    expect(outcome.kind === "unknown" && outcome.reason).toBe(
      "resend rejected (HTTP 400: not enough balance / allowance) after an attempt with unknown outcome (no answer within 1000 ms)",
    );
  });

  it("rejects without retrying when the API key is refused", async () => {
    const { signed } = await freshOrder();
    const wrongKey = new OrderBookClient({
      baseUrl: f.book.url,
      accountFor: () => ({ ...f.traders.eoa.account, credentials: f.traders.safe.account.credentials }),
      onAttempt: (attempt) => attempts.push(attempt),
    });
    expect(await wrongKey.submit(signed, { orderType: "FAK", deadlineMs: Date.now() + 3000 })).toMatchObject({
      kind: "rejected",
      reason: "HTTP 401: Unauthorized/Invalid api key",
    });
    expect(attempts).toHaveLength(1);
    wrongKey.close();
  });

  it("rejects (nothing sent) when no connection could be made before the deadline, or no account exists", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const unreachable = new OrderBookClient({
      baseUrl: `http://127.0.0.1:${port}`,
      accountFor: () => f.traders.eoa.account,
      retryBackoffMs: { initial: 20, max: 50 },
      onAttempt: (attempt) => attempts.push(attempt),
    });
    const { signed, orderHash } = await freshOrder();
    expect(await unreachable.submit(signed, { orderType: "FAK", deadlineMs: Date.now() + 300 })).toEqual({
      kind: "rejected",
      orderHash,
      reason: "not sent before the deadline: connection refused",
    });
    expect(new Set(results())).toEqual(new Set(["not-sent"]));
    const noAccount = new OrderBookClient({ baseUrl: f.book.url, accountFor: () => undefined });
    expect(await noAccount.submit(signed, { orderType: "FAK", deadlineMs: Date.now() + 300 })).toEqual({
      kind: "rejected",
      orderHash,
      reason: `not sent: no API account for signer ${signed.order.signer}`,
    });
    unreachable.close();
    noAccount.close();
  });
});
