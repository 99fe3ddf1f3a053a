/**
 * The two DER structures AWS KMS returns for an ECC_SECG_P256K1 key: the public key as SubjectPublicKeyInfo (RFC 5480)
 * and signatures as ECDSA-Sig-Value (RFC 3279). Strict DER only (minimal lengths and integers, no trailing bytes):
 * anything else means the response is not what KMS sends, and signing on a guess would put a wrong signature on an order.
 */
import { bytesToHex } from "viem";

const TAG_INTEGER = 0x02;
const TAG_BIT_STRING = 0x03;
const TAG_OID = 0x06;
const TAG_SEQUENCE = 0x30;
/** 1.2.840.10045.2.1 id-ecPublicKey and 1.3.132.0.10 secp256k1, as DER OID contents. */
const OID_EC_PUBLIC_KEY = "0x2a8648ce3d0201";
const OID_SECP256K1 = "0x2b8104000a";

interface Element {
  tag: number;
  value: Uint8Array;
  end: number;
}

/** r and s of a DER ECDSA signature (SEQUENCE { INTEGER r, INTEGER s }). */
export function parseEcdsaSignature(der: Uint8Array): { r: bigint; s: bigint } {
  const [r, s] = sequenceOf(der, [TAG_INTEGER, TAG_INTEGER], "ECDSA signature");
  return { r: positiveInteger(r, "r"), s: positiveInteger(s, "s") };
}

/** The 65-byte uncompressed point (0x04 ‖ x ‖ y) of a secp256k1 SubjectPublicKeyInfo. */
export function secp256k1PointFromSpki(der: Uint8Array): Uint8Array {
  const [algorithm, key] = sequenceOf(der, [TAG_SEQUENCE, TAG_BIT_STRING], "SubjectPublicKeyInfo");
  const [keyType, curve] = elementsOf(algorithm, [TAG_OID, TAG_OID], "SubjectPublicKeyInfo algorithm");
  if (bytesToHex(keyType) !== OID_EC_PUBLIC_KEY) throw new Error(`key algorithm OID ${bytesToHex(keyType)} is not id-ecPublicKey`);
  if (bytesToHex(curve) !== OID_SECP256K1) throw new Error(`curve OID ${bytesToHex(curve)} is not secp256k1 (${OID_SECP256K1})`);
  if (key[0] !== 0) throw new Error("public key BIT STRING has unused bits");
  const point = key.subarray(1);
  if (point.length !== 65 || point[0] !== 0x04) throw new Error(`public key is not an uncompressed point (${point.length} bytes)`);
  return point;
}

/** The contents of the elements of the SEQUENCE that is the whole of `der`, checking each element's tag. */
function sequenceOf(der: Uint8Array, tags: readonly number[], what: string): Uint8Array[] {
  const sequence = element(der, 0, what);
  if (sequence.tag !== TAG_SEQUENCE) throw new Error(`${what}: expected a SEQUENCE, got tag 0x${hexByte(sequence.tag)}`);
  if (sequence.end !== der.length) throw new Error(`${what}: ${der.length - sequence.end} trailing bytes`);
  return elementsOf(sequence.value, tags, what);
}

/** The contents of the elements making up exactly `contents` (a SEQUENCE's body), checking each element's tag. */
function elementsOf(contents: Uint8Array, tags: readonly number[], what: string): Uint8Array[] {
  const values: Uint8Array[] = [];
  let offset = 0;
  for (const tag of tags) {
    const item = element(contents, offset, what);
    if (item.tag !== tag) throw new Error(`${what}: element ${values.length + 1} has tag 0x${hexByte(item.tag)}, expected 0x${hexByte(tag)}`);
    values.push(item.value);
    offset = item.end;
  }
  if (offset !== contents.length) throw new Error(`${what}: unexpected elements after the ${tags.length} expected`);
  return values;
}

function element(bytes: Uint8Array, offset: number, what: string): Element {
  if (offset + 2 > bytes.length) throw new Error(`${what}: truncated`);
  const tag = bytes[offset];
  let length = bytes[offset + 1];
  let start = offset + 2;
  if (length & 0x80) {
    // Long form; two length bytes cover anything KMS sends (an SPKI is 88 bytes, a signature at most 72).
    const count = length & 0x7f;
    if (count === 0 || count > 2) throw new Error(`${what}: unsupported length encoding`);
    if (start + count > bytes.length) throw new Error(`${what}: truncated`);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[start + i];
    if (length < 0x80 || (count === 2 && length < 0x100)) throw new Error(`${what}: non-minimal length encoding`);
    start += count;
  }
  const end = start + length;
  if (end > bytes.length) throw new Error(`${what}: truncated`);
  return { tag, value: bytes.subarray(start, end), end };
}

function positiveInteger(value: Uint8Array, name: string): bigint {
  if (value.length === 0) throw new Error(`ECDSA signature: ${name} is empty`);
  if (value[0] & 0x80) throw new Error(`ECDSA signature: ${name} is negative`);
  if (value.length > 1 && value[0] === 0 && !(value[1] & 0x80)) throw new Error(`ECDSA signature: ${name} is not minimally encoded`);
  const integer = BigInt(bytesToHex(value));
  if (integer === 0n) throw new Error(`ECDSA signature: ${name} is zero`);
  return integer;
}

function hexByte(value: number): string {
  return value.toString(16).padStart(2, "0");
}
