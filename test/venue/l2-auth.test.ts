import { inspect } from "node:util";
import { apiCredentials, l2Headers, l2Signature, l2SignatureMatches } from "../../services/venue/l2-auth";

// Polymarket/py-clob-client-v2 tests/signing/test_hmac.py: test_build_hmac_signature_matches_expected.
const OFFICIAL = {
  secret: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
  request: { timestampSec: 1000000, method: "test-sign", requestPath: "/orders", body: '{"hash": "0x123"}' },
  signature: "ZwAdJKvoYRlEKDkNMwd5BuwNNtg93kNaR_oU2HrfVvc=",
};

describe("L2 headers", () => {
  it("reproduces the official client's HMAC test vector", () => {
    expect(l2Signature(OFFICIAL.secret, OFFICIAL.request)).toBe(OFFICIAL.signature);
  });

  it("signs url-safe and standard base64 forms of one secret alike, keeping the = padding", () => {
    const bytes = Buffer.from(Array.from({ length: 32 }, (_, i) => 250 - i));
    const request = { timestampSec: 1_760_000_000, method: "POST", requestPath: "/order", body: "{}" };
    const urlSafe = l2Signature(bytes.toString("base64url") + "=", request);
    expect(l2Signature(bytes.toString("base64"), request)).toBe(urlSafe);
    expect(urlSafe).toMatch(/^[A-Za-z0-9_-]{43}=$/);
  });

  it("covers timestamp, method, path and body: changing any changes the signature", () => {
    const base = l2Signature(OFFICIAL.secret, OFFICIAL.request);
    for (const change of [{ timestampSec: 1000001 }, { method: "POST" }, { requestPath: "/order" }, { body: '{"hash":"0x123"}' }]) {
      expect(l2Signature(OFFICIAL.secret, { ...OFFICIAL.request, ...change })).not.toBe(base);
    }
    expect(l2SignatureMatches(OFFICIAL.secret, OFFICIAL.request, base)).toBe(true);
    expect(l2SignatureMatches(OFFICIAL.secret, OFFICIAL.request, base.slice(0, -2))).toBe(false);
  });

  it("builds the five POLY_* headers", () => {
    const credentials = apiCredentials({ key: "k-1", secret: OFFICIAL.secret, passphrase: "pp" });
    const address = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
    expect(l2Headers(address, credentials, OFFICIAL.request)).toEqual({
      POLY_ADDRESS: address,
      POLY_SIGNATURE: OFFICIAL.signature,
      POLY_TIMESTAMP: "1000000",
      POLY_API_KEY: "k-1",
      POLY_PASSPHRASE: "pp",
    });
  });

  it("keeps secret and passphrase out of JSON, inspect and errors", () => {
    const credentials = apiCredentials({ key: "k-2", secret: OFFICIAL.secret, passphrase: "hunter2-passphrase" });
    for (const printed of [JSON.stringify({ credentials }), inspect(credentials), `${Object.keys(credentials)}`]) {
      expect(printed).not.toContain(OFFICIAL.secret);
      expect(printed).not.toContain("hunter2");
    }
    expect(credentials.secret).toBe(OFFICIAL.secret);
    const bad = "not base64!*secret";
    expect(() => apiCredentials({ key: "k-3", secret: bad, passphrase: "p" })).toThrow("API credentials for key k-3: the secret is not base64");
    try {
      apiCredentials({ key: "k-3", secret: bad, passphrase: "p" });
    } catch (err) {
      expect((err as Error).message).not.toContain(bad);
    }
  });
});
