import { classifyAnswer } from "../../services/venue/order-book-client";
import { parsePostOrderBody, toPostOrderBody } from "../../services/venue/order-wire";
import { buildOrder, CTF_V2, domainOf, testKey } from "../support/order-book";
import type { SignedOrder } from "../../services/polymarket/order";

const key = testKey("wire");
const signed: SignedOrder = {
  domain: domainOf(CTF_V2),
  order: { ...buildOrder({ maker: key.address, signer: key.address, signatureType: 0, side: "SELL" }), salt: 987654321n },
  signature: `0x${"ab".repeat(65)}`,
};

describe("POST /order wire format", () => {
  it("has exactly the fields and JSON types of the official V2 clients (orderToJsonV2 / order_to_json_v2)", () => {
    const body = toPostOrderBody(signed, "api-key-uuid", "FAK");
    expect(Object.keys(body).sort()).toEqual(["deferExec", "order", "orderType", "owner", "postOnly"]);
    expect(Object.keys(body.order).sort()).toEqual(
      ["builder", "expiration", "maker", "makerAmount", "metadata", "salt", "side", "signature", "signatureType", "signer", "takerAmount", "timestamp", "tokenId"].sort(),
    );
    expect(body.order.salt).toBe(987654321);
    expect(body.order.side).toBe("SELL");
    expect(body.order.signatureType).toBe(0);
    expect(body.order.expiration).toBe("0");
    for (const field of ["tokenId", "makerAmount", "takerAmount", "timestamp"] as const) expect(body.order[field]).toMatch(/^\d+$/);
    expect(body.owner).toBe("api-key-uuid");
    expect(body.orderType).toBe("FAK");
  });

  it("parses back to the signed order", () => {
    const parsed = parsePostOrderBody(JSON.parse(JSON.stringify(toPostOrderBody(signed, "k", "GTD", 1_900_000_000n))));
    expect(parsed.order).toEqual(signed.order);
    expect(parsed.signature).toBe(signed.signature);
    expect(parsed.expiration).toBe(1_900_000_000n);
    expect(parsed.orderType).toBe("GTD");
  });

  it("refuses a salt the venue's JSON number cannot carry exactly", () => {
    const big = { ...signed, order: { ...signed.order, salt: 2n ** 53n } };
    expect(() => toPostOrderBody(big, "k", "FAK")).toThrow("exceeds 2^53-1");
  });
});

describe("classifying the venue's answers", () => {
  const now = 1_000_000;
  it("maps documented answers", () => {
    expect(classifyAnswer(200, JSON.stringify({ success: true, errorMsg: "", orderID: "0xabc", status: "matched" }), null, now)).toMatchObject({
      kind: "accepted",
      status: "matched",
      orderId: "0xabc",
    });
    expect(classifyAnswer(400, JSON.stringify({ error: "order 0xabc is invalid. Duplicated." }), null, now).kind).toBe("duplicate");
    expect(classifyAnswer(200, JSON.stringify({ success: false, errorMsg: "INVALID_ORDER_DUPLICATED" }), null, now).kind).toBe("duplicate");
    expect(classifyAnswer(400, JSON.stringify({ error: "not enough balance / allowance" }), null, now)).toEqual({
      kind: "rejected",
      reason: "HTTP 400: not enough balance / allowance",
      httpStatus: 400,
    });
    expect(classifyAnswer(401, JSON.stringify({ error: "Unauthorized/Invalid api key" }), null, now).kind).toBe("rejected");
    expect(classifyAnswer(429, "Too Many Requests", "2", now)).toMatchObject({ kind: "not-sent", retryAfterMs: 2000 });
    expect(classifyAnswer(500, JSON.stringify({ error: "Internal server error" }), null, now).kind).toBe("unknown");
    expect(classifyAnswer(503, "<html>bad gateway</html>", null, now)).toMatchObject({ kind: "unknown", reason: "HTTP 503: <html>bad gateway</html>" });
    expect(classifyAnswer(200, "not json", null, now).kind).toBe("unknown");
  });
});
