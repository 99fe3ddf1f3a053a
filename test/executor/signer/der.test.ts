import { generateKeyPairSync } from "node:crypto";
import { secp256k1 } from "@noble/curves/secp256k1";
import { bytesToHex, hexToBytes, keccak256, toHex } from "viem";
import { generatePrivateKey } from "viem/accounts";
import { parseEcdsaSignature, secp256k1PointFromSpki } from "../../../services/executor/signer/der";

const N = secp256k1.CURVE.n;

describe("parseEcdsaSignature", () => {
  test("reads r and s of noble's DER for many signatures, high-s and low-s, short and long integers", () => {
    // A fixed key: RFC 6979 makes the signatures, and so which of them have short integers, the same on every run.
    const key = hexToBytes(keccak256(toHex("der-test-key")));
    let shortIntegers = 0;
    // About 1 integer in 512 has a zero top byte and a clear next bit, so it encodes in under 32 bytes: go on past 300
    // signatures until at least one such signature has been read.
    for (let i = 0; i < 5_000 && (i < 300 || shortIntegers === 0); i++) {
      const signature = secp256k1.sign(hexToBytes(keccak256(toHex(i))), key, { lowS: i % 2 === 0 });
      const der = signature.toDERRawBytes();
      const rLength = der[3]!;
      const sLength = der[5 + rLength]!;
      if (rLength < 32 || sLength < 32) shortIntegers++;
      expect(parseEcdsaSignature(der)).toEqual({ r: signature.r, s: signature.s });
    }
    expect(shortIntegers).toBeGreaterThan(0);
  });

  test("an integer with the top bit set gets a leading zero (not negative)", () => {
    const signature = new secp256k1.Signature(N - 1n, N - 2n);
    expect(parseEcdsaSignature(signature.toDERRawBytes())).toEqual({ r: N - 1n, s: N - 2n });
  });

  const valid = bytesToHex(new secp256k1.Signature(0x1234n, 0x5678n).toDERRawBytes()); // 3008 0202 1234 0202 5678
  test.each([
    ["a truncated signature", valid.slice(0, -2), "ECDSA signature: truncated"],
    ["trailing bytes", `${valid}00`, "ECDSA signature: 1 trailing bytes"],
    ["a wrong outer tag", `0x31${valid.slice(4)}`, "ECDSA signature: expected a SEQUENCE, got tag 0x31"],
    ["a third element", "0x300a02021234020256780500", "ECDSA signature: unexpected elements after the 2 expected"],
    ["a non-integer element", "0x30080402123402025678", "ECDSA signature: element 1 has tag 0x04, expected 0x02"],
    ["a negative integer", "0x30080202813402025678", "ECDSA signature: r is negative"],
    ["a padded integer", "0x3009020300123402025678", "ECDSA signature: r is not minimally encoded"],
    ["a zero integer", "0x300702010002025678", "ECDSA signature: r is zero"],
    ["an empty integer", "0x3006020002025678", "ECDSA signature: r is empty"],
    ["a non-minimal length", "0x3081080202123402025678", "ECDSA signature: non-minimal length encoding"],
    ["an indefinite length", "0x308002021234020256780000", "ECDSA signature: unsupported length encoding"],
    ["nothing", "0x", "ECDSA signature: truncated"],
  ])("refuses %s", (_what, hex, message) => {
    expect(() => parseEcdsaSignature(hexToBytes(hex as `0x${string}`))).toThrow(message);
  });
});

describe("secp256k1PointFromSpki", () => {
  test("reads the point from OpenSSL's SPKI encoding of a secp256k1 key", () => {
    const { publicKey } = generateKeyPairSync("ec", { namedCurve: "secp256k1" });
    const jwk = publicKey.export({ format: "jwk" });
    const point = secp256k1PointFromSpki(publicKey.export({ type: "spki", format: "der" }));
    expect(bytesToHex(point)).toBe(
      `0x04${Buffer.from(jwk.x!, "base64url").toString("hex")}${Buffer.from(jwk.y!, "base64url").toString("hex")}`,
    );
  });

  test("refuses a P-256 key, naming the curve", () => {
    const der = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).publicKey.export({ type: "spki", format: "der" });
    expect(() => secp256k1PointFromSpki(der)).toThrow("curve OID 0x2a8648ce3d030107 is not secp256k1 (0x2b8104000a)");
  });

  test("refuses an RSA key", () => {
    const der = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({ type: "spki", format: "der" });
    expect(() => secp256k1PointFromSpki(der)).toThrow("SubjectPublicKeyInfo algorithm: element 2 has tag 0x05, expected 0x06");
  });

  test("refuses a compressed point", () => {
    const compressed = secp256k1.getPublicKey(hexToBytes(generatePrivateKey()), true);
    const header = hexToBytes("0x3036301006072a8648ce3d020106052b8104000a032200");
    expect(() => secp256k1PointFromSpki(new Uint8Array([...header, ...compressed]))).toThrow("public key is not an uncompressed point (33 bytes)");
  });
});
