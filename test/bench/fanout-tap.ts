/**
 * The bench's view of what the listener published: a plain NATS subscription on the intent subjects. A JetStream
 * publish is an ordinary NATS publish that the stream also stores, so a core subscriber sees every intent as it is
 * published without being a JetStream consumer: it takes nothing from the executor's durable consumers, and the
 * executor never waits on it. Payloads are kept raw and decoded only after the round, off the measured path.
 */
import { connect, type NatsConnection } from "nats";
import type { Hex } from "viem";
import { decodeMessage, type CopyIntent } from "../../services/intents/intent";
import { preciseNowMs } from "../../services/rpc/clock";

/** NatsBus's default subject prefix: shard n is `polysync.intents.<n>`. */
const INTENT_SUBJECTS = "polysync.intents.*";

export interface TappedIntent {
  id: Hex;
  subscriberId: string;
  txHash: Hex;
  logIndex: number;
  fillFirstSeenAtMs: number;
  intentCreatedAtMs: number;
  /** When the tap got it (bench clock, epoch ms): the listener's publish reached NATS by then. */
  tappedAtMs: number;
  /** The payload as published, for the signing microbenchmark and the naive baseline's replays. */
  raw: string;
}

interface RawMessage {
  atMs: number;
  data: Uint8Array;
}

export class IntentTap {
  private messages: RawMessage[] = [];
  private onFirst: (() => void) | undefined;

  private constructor(private readonly nc: NatsConnection) {}

  static async open(natsUrl: string): Promise<IntentTap> {
    const nc = await connect({ servers: natsUrl, name: "fanout-bench-tap", timeout: 5000 });
    const tap = new IntentTap(nc);
    nc.subscribe(INTENT_SUBJECTS, { callback: (err, msg) => !err && tap.receive(msg.data) });
    // The subscription is live on the server once a round trip has passed it.
    await nc.flush();
    return tap;
  }

  /** Calls `callback` once, on the next message: the moment a fan-out starts reaching the bus. */
  onNextMessage(callback: () => void): void {
    this.onFirst = callback;
  }

  /** Messages received so far, cheap enough to poll during a round. */
  get received(): number {
    return this.messages.length;
  }

  /**
   * Decodes (and validates, as the executor does) everything received, and starts afresh. Cancels (reorgs) are not
   * part of a fan-out and are left out; a payload that fails validation is counted.
   */
  drain(): { intents: TappedIntent[]; undecodable: number } {
    const messages = this.messages;
    this.messages = [];
    const decoder = new TextDecoder();
    let undecodable = 0;
    const intents = messages.flatMap(({ atMs, data }) => {
      const raw = decoder.decode(data);
      let intent: CopyIntent;
      try {
        const message = decodeMessage(raw);
        if (message.kind !== "intent") return [];
        intent = message;
      } catch {
        undecodable += 1;
        return [];
      }
      return [
        {
          id: intent.id,
          subscriberId: intent.subscriberId,
          txHash: intent.source.txHash,
          logIndex: intent.source.logIndex,
          fillFirstSeenAtMs: intent.timestamps.fillFirstSeenAtMs,
          intentCreatedAtMs: intent.timestamps.intentCreatedAtMs,
          tappedAtMs: atMs,
          raw,
        },
      ];
    });
    return { intents, undecodable };
  }

  private receive(data: Uint8Array): void {
    this.messages.push({ atMs: preciseNowMs(), data });
    const first = this.onFirst;
    this.onFirst = undefined;
    first?.();
  }

  close(): Promise<void> {
    return this.nc.drain();
  }
}
