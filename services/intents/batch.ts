import { describeIssues, encodeMessage, parsePayload, type BusMessage } from "./intent";
import { readBusMessage } from "./validate";

/**
 * Several bus messages in one payload: a JSON array of them, so a fan-out of a thousand intents is a handful of bus
 * messages rather than a thousand. No validation on this side, as for encodeMessage.
 */
export function encodeBatch(messages: readonly BusMessage[]): string {
  return `[${messages.map(encodeMessage).join(",")}]`;
}

export interface DecodedBatch {
  /** The valid messages, in payload order. */
  messages: BusMessage[];
  /** One `bad intent payload…` error per item that failed (or one for the whole payload). */
  rejected: Error[];
}

/**
 * Decodes a batch payload item by item, so one bad item does not cost its siblings their delivery. A payload that is
 * a single message (what IntentBus.publish sends) is a batch of one, with decodeMessage's error wording.
 */
export function decodeBatch(payload: string | Uint8Array): DecodedBatch {
  let json: unknown;
  try {
    json = parsePayload(payload);
  } catch (err) {
    return { messages: [], rejected: [err as Error] };
  }
  if (!Array.isArray(json)) {
    const read = readBusMessage(json);
    return Array.isArray(read) ? { messages: [], rejected: [new Error(`bad intent payload: ${describeIssues(read)}`)] } : { messages: [read], rejected: [] };
  }
  if (json.length === 0) return { messages: [], rejected: [new Error("bad intent payload: an empty batch")] };
  const batch: DecodedBatch = { messages: [], rejected: [] };
  json.forEach((item: unknown, i) => {
    const read = readBusMessage(item);
    if (Array.isArray(read)) batch.rejected.push(new Error(`bad intent payload (item ${i + 1} of ${json.length}): ${describeIssues(read)}`));
    else batch.messages.push(read);
  });
  return batch;
}
