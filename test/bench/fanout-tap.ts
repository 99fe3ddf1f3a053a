/**
 * The bench's view of what the listener published: a plain NATS subscription on the intent subjects. A JetStream
 * publish is an ordinary NATS publish that the stream also stores, so a core subscriber sees every intent as it is
 * published without being a JetStream consumer: it takes nothing from the executor's durable consumers, and the
 * executor never waits on it. Payloads are kept raw and decoded only after the round, off the measured path.
 */
import { connect, type NatsConnection } from "nats";
import type { Hex } from "viem";
import { decodeBatch } from "../../services/intents/batch";
import { encodeMessage } from "../../services/intents/intent";
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
  /** The intent alone, encoded as the bus does, for the signing microbenchmark. */
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

  /**
   * Decodes (and validates, as the executor does) everything received, and starts afresh: a bus message carries a
   * batch of intents, each tapped when its bus message arrived. Cancels (reorgs) are not part of a fan-out and are left
   * out; an item that fails validation is counted.
   */
  drain(): { intents: TappedIntent[]; undecodable: number } {
    const messages = this.messages;
    this.messages = [];
    let undecodable = 0;
    const intents = messages.flatMap(({ atMs, data }) => {
      const batch = decodeBatch(data);
      undecodable += batch.rejected.length;
      return batch.messages.flatMap((message) =>
        message.kind === "intent"
          ? [
              {
                id: message.id,
                subscriberId: message.subscriberId,
                txHash: message.source.txHash,
                logIndex: message.source.logIndex,
                fillFirstSeenAtMs: message.timestamps.fillFirstSeenAtMs,
                intentCreatedAtMs: message.timestamps.intentCreatedAtMs,
                tappedAtMs: atMs,
                raw: encodeMessage(message),
              },
            ]
          : [],
      );
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
