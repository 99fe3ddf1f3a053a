import { busMessageSchema, decodeMessage, encodeMessage, type BusMessage } from "../../services/intents/intent";
import { readBusMessage } from "../../services/intents/validate";
import { cancelOf, intent } from "../bus/messages";

/**
 * The hand-written validator (readBusMessage) stands in for the zod schemas on the executor's hot path. Here both see
 * the same payloads: every field of an intent (BUY and SELL) and a cancel, replaced by each value of a table of
 * wrong (and some right) values, or removed. Wherever zod accepts, the validator must accept with the same output;
 * wherever zod rejects (or throws, as it does for a negative log index), the validator must reject, naming the same
 * field first.
 */

type Json = Record<string, unknown>;

const buy = JSON.parse(encodeMessage(intent("alice", 3))) as Json;
const sellIntent = intent("bob", 4);
const sell = JSON.parse(
  encodeMessage({
    ...sellIntent,
    source: { ...sellIntent.source, side: "SELL" },
    order: { side: "SELL", tokenId: 42n, shareAmount: 7_000_000n, limitPriceMicros: 490_000n, maxSlippageBps: 0 },
  }),
) as Json;
const cancel = JSON.parse(encodeMessage(cancelOf(intent("carol", 5)))) as Json;

const REMOVED = Symbol("removed");
const VALUES: unknown[] = [
  REMOVED, null, true, false, 0, -1, 1, 1.5, 9_999, 10_000, 2 ** 32 - 1, 2 ** 32, 2 ** 53, Infinity, -0,
  "", "x", "0", "-1", "01", "1", "5", "999999", "1000000", "9999", "10000", " 1", "1\n",
  "0x12", `0x${"AB".repeat(32)}`, `0x${"ab".repeat(32)}`, `0x${"ab".repeat(31)}zz`, `0x${"1a".repeat(20)}`, `0X${"1a".repeat(20)}`,
  "BUY", "SELL", "buy", "v1", "v2", "v3", "intent", "cancel", "reorg", "operator", 2, [], {}, ["BUY"], { side: "BUY" },
];

/** Every path to a field (objects included), as key lists. */
function paths(value: Json, prefix: string[] = []): string[][] {
  return Object.entries(value).flatMap(([key, child]) => {
    const here = [...prefix, key];
    return typeof child === "object" && child !== null ? [here, ...paths(child as Json, here)] : [here];
  });
}

function withValue(base: Json, path: string[], value: unknown): Json {
  const copy = structuredClone(base);
  let target = copy;
  for (const key of path.slice(0, -1)) target = target[key] as Json;
  if (value === REMOVED) delete target[path.at(-1)!];
  else target[path.at(-1)!] = value;
  return copy;
}

type Verdict = { ok: true; value: BusMessage } | { ok: false; firstPath?: string };

function byZod(json: unknown): Verdict {
  try {
    const result = busMessageSchema.safeParse(json);
    return result.success ? { ok: true, value: result.data } : { ok: false, firstPath: result.error.issues[0]!.path.join(".") };
  } catch {
    // The schema's id refinement hands some invalid values to intentId, which throws: a rejection all the same.
    return { ok: false };
  }
}

function byHand(json: unknown): Verdict {
  const read = readBusMessage(json);
  return Array.isArray(read) ? { ok: false, firstPath: read[0]!.path } : { ok: true, value: read };
}

const cases = [
  ...[buy, sell, cancel].flatMap((base) =>
    paths(base).flatMap((path) => VALUES.map((value) => ({ base, path, value, json: withValue(base, path, value) }))),
  ),
  ...[null, [], "intent", 5, {}, { kind: "order" }].map((json) => ({ base: {} as Json, path: [] as string[], value: json, json })),
];

describe("readBusMessage matches the zod schema", () => {
  test("accepts the unmodified payloads, with zod's output", () => {
    for (const json of [buy, sell, cancel]) expect(byHand(json)).toEqual(byZod(json));
  });

  test(`agrees on ${cases.length} modified payloads: the same verdict, the same output, the same field named first`, () => {
    const disagreements: string[] = [];
    let rejected = 0;
    for (const { base, path, value, json } of cases) {
      const zod = byZod(json);
      const hand = byHand(json);
      const label = `${String(base.kind ?? "root")} ${path.join(".") || "(root)"} = ${typeof value === "symbol" ? "removed" : JSON.stringify(value)}`;
      if (zod.ok !== hand.ok) disagreements.push(`${label}: zod ${zod.ok ? "accepts" : "rejects"}, the validator ${hand.ok ? "accepts" : "rejects"}`);
      else if (zod.ok && hand.ok) {
        try {
          expect(hand.value).toEqual(zod.value);
        } catch {
          disagreements.push(`${label}: outputs differ`);
        }
      } else if (!zod.ok && !hand.ok) {
        rejected += 1;
        if (zod.firstPath !== undefined && zod.firstPath !== hand.firstPath) disagreements.push(`${label}: zod names ${zod.firstPath}, the validator ${hand.firstPath}`);
      }
    }
    expect(disagreements).toEqual([]);
    // The table is mostly wrong values: a change that made both accept everything would not pass unnoticed.
    expect(rejected).toBeGreaterThan(cases.length * 0.7);
  });

  test("decodeMessage names the field zod names, where zod would throw instead", () => {
    const negativeLogIndex = JSON.stringify(withValue(buy, ["source", "logIndex"], -1));
    expect(() => busMessageSchema.safeParse(JSON.parse(negativeLogIndex))).toThrow();
    expect(() => decodeMessage(negativeLogIndex)).toThrow("bad intent payload: source.logIndex: must be a number");
  });
});
