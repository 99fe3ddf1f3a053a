import { z } from "zod";
import { sampleLatency, type LatencyProfile, type Rng } from "./latency";

export type Transport = "http" | "ws";

/** Fields every fault has: where it applies, to which methods, how often, and for how long. */
const common = {
  scope: z.enum(["http", "ws", "both"]).default("both"),
  /**
   * JSON-RPC methods the fault targets; absent means all. Subscription notifications count as method
   * `eth_subscription`; a batch matches a message-level fault (stall, 429, 5xx, latency) if any of its methods matches.
   */
  methods: z.array(z.string().min(1)).min(1).optional(),
  /** Chance the fault hits a given request, batch or notification. */
  probability: z.number().min(0).max(1).default(1),
  /** Auto-clear after this long; absent means until cleared. */
  durationMs: z.number().int().positive().optional(),
};

/** Codes a server may put in a close frame (RFC 6455 7.4; 1004-1006 and 1015 are reserved). */
export function isSendableCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && ![1004, 1005, 1006].includes(code)) || (code >= 3000 && code <= 4999);
}

const closeCode = z.number().int().refine(isSendableCloseCode, { message: "a sendable close code: 1000-1003, 1007-1014 or 3000-4999" });

export const faultSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("stall"), ...common }),
  z.strictObject({
    kind: z.literal("latency"),
    ...common,
    addMs: z.number().min(0).default(0),
    jitterMs: z.number().min(0).default(0),
    tailProbability: z.number().min(0).max(1).default(0),
    /** Pareto scale of the tail's extra delay. */
    tailMs: z.number().min(0).default(0),
    tailShape: z.number().positive().default(1.5),
    tailCapMs: z.number().min(0).default(10_000),
  }),
  z.strictObject({
    kind: z.literal("drop-subscriptions"),
    ...common,
    mode: z.enum(["silent", "close"]).default("silent"),
    closeCode: closeCode.default(1001),
    /** Subscription types to hit (`newHeads`, `logs`, ...); absent means all. */
    subscriptions: z.array(z.string().min(1)).min(1).optional(),
  }),
  z.strictObject({ kind: z.literal("stale-head"), ...common, lagBlocks: z.number().int().positive().default(5) }),
  z.strictObject({ kind: z.literal("empty-logs"), ...common, dropLogNotifications: z.boolean().default(false) }),
  z.strictObject({ kind: z.literal("http-429"), ...common, retryAfterSeconds: z.number().int().min(0).default(1) }),
  z.strictObject({
    kind: z.literal("http-5xx"),
    ...common,
    status: z.number().int().min(500).max(599).default(503),
    /** On WebSocket: answer requests with a JSON-RPC error, or close the socket with 1011. */
    wsMode: z.enum(["error", "close"]).default("error"),
  }),
  z.strictObject({ kind: z.literal("wrong-chain"), ...common, chainId: z.number().int().positive().default(1) }),
  z.strictObject({ kind: z.literal("malformed"), ...common, mode: z.enum(["wrong-shape", "invalid-json"]).default("wrong-shape") }),
  /** Logs without `blockTimestamp`, as nodes before geth 1.16 serve them (notifications and eth_getLogs alike). */
  z.strictObject({ kind: z.literal("legacy-logs"), ...common }),
]);

export type Fault = z.output<typeof faultSchema>;
export type FaultInput = z.input<typeof faultSchema>;
export type FaultKind = Fault["kind"];
export type FaultOf<K extends FaultKind> = Extract<Fault, { kind: K }>;

export const FAULT_KINDS: readonly FaultKind[] = faultSchema.options.map((option) => option.shape.kind.value);

/** Active faults of one provider, at most one per kind. */
export type FaultSet = Partial<{ [K in FaultKind]: FaultOf<K> }>;

/** Does the fault cover this transport and any of these methods? No dice roll. */
export function inScope(fault: Fault, transport: Transport, methods: readonly string[]): boolean {
  if (fault.scope !== "both" && fault.scope !== transport) return false;
  return fault.methods === undefined || methods.some((method) => fault.methods!.includes(method));
}

/** `inScope` plus the fault's probability, rolled once per call. */
export function hits(fault: Fault | undefined, transport: Transport, methods: readonly string[], rng: Rng): boolean {
  if (!fault || !inScope(fault, transport, methods)) return false;
  return fault.probability >= 1 || rng() < fault.probability;
}

/** Faults that decide a whole message (HTTP body or WebSocket frame) before anything is forwarded. */
export type MessageVerdict =
  | { kind: "stall" }
  | { kind: "http-5xx"; fault: FaultOf<"http-5xx"> }
  | { kind: "http-429"; fault: FaultOf<"http-429"> }
  | undefined;

/** A stall beats an error answer, and a 5xx beats a 429: the most severe active fault wins. */
export function messageVerdict(faults: FaultSet, transport: Transport, methods: readonly string[], rng: Rng): MessageVerdict {
  if (hits(faults.stall, transport, methods, rng)) return { kind: "stall" };
  if (hits(faults["http-5xx"], transport, methods, rng)) return { kind: "http-5xx", fault: faults["http-5xx"]! };
  if (hits(faults["http-429"], transport, methods, rng)) return { kind: "http-429", fault: faults["http-429"]! };
  return undefined;
}

/** Extra delay of an active `latency` fault for this message, `undefined` when it does not hit. */
export function latencyFaultDelay(faults: FaultSet, transport: Transport, methods: readonly string[], rng: Rng): number | undefined {
  const fault = faults.latency;
  if (!fault || !hits(fault, transport, methods, rng)) return undefined;
  const profile: LatencyProfile = {
    baseMs: fault.addMs,
    jitterMs: fault.jitterMs,
    tailProbability: fault.tailProbability,
    tailScaleMs: fault.tailMs,
    tailShape: fault.tailShape,
    tailCapMs: fault.tailCapMs,
  };
  return sampleLatency(profile, rng);
}

/** What to do with one subscription notification coming from upstream. */
export type NotificationVerdict =
  | { action: "forward"; applied: FaultKind[]; corrupt?: FaultOf<"malformed">["mode"]; legacyLogs?: true }
  | { action: "drop"; applied: FaultKind[] }
  | { action: "close"; code: number; applied: FaultKind[] };

export function notificationVerdict(faults: FaultSet, subscriptionType: string | undefined, rng: Rng): NotificationVerdict {
  const methods = ["eth_subscription"];
  const drop = faults["drop-subscriptions"];
  if (drop && subscriptionMatches(drop, subscriptionType) && hits(drop, "ws", methods, rng)) {
    return drop.mode === "close"
      ? { action: "close", code: drop.closeCode, applied: ["drop-subscriptions"] }
      : { action: "drop", applied: ["drop-subscriptions"] };
  }
  const emptyLogs = faults["empty-logs"];
  if (emptyLogs?.dropLogNotifications && subscriptionType === "logs" && hits(emptyLogs, "ws", methods, rng)) {
    return { action: "drop", applied: ["empty-logs"] };
  }
  if (hits(faults.malformed, "ws", methods, rng)) {
    return { action: "forward", applied: ["malformed"], corrupt: faults.malformed!.mode };
  }
  if (subscriptionType === "logs" && hits(faults["legacy-logs"], "ws", methods, rng)) {
    return { action: "forward", applied: ["legacy-logs"], legacyLogs: true };
  }
  return { action: "forward", applied: [] };
}

/** Whether a `drop-subscriptions` fault in close mode should close a socket carrying these subscription types. */
export function subscriptionMatches(fault: FaultOf<"drop-subscriptions">, subscriptionType: string | undefined): boolean {
  return fault.subscriptions === undefined || (subscriptionType !== undefined && fault.subscriptions.includes(subscriptionType));
}

/** A log (or list of logs) as a node without `blockTimestamp` in its logs serves it. */
export function withoutBlockTimestamp(result: unknown): unknown {
  if (Array.isArray(result)) return result.map(withoutBlockTimestamp);
  if (typeof result !== "object" || result === null) return result;
  const { blockTimestamp: _dropped, ...rest } = result as Record<string, unknown>;
  return rest;
}
