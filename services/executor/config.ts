import path from "node:path";
import { z } from "zod";
import { busConfigSchema } from "../bus/config-schema";
import { POLYGON_CHAIN_ID } from "../polymarket/exchanges";
import { parseWithSchema, readJsonConfig, httpEndpointSchema, logLevelSchema } from "../shared/config-file";
import { SIGNING_ENGINES } from "./signer/ecdsa-engine";

const venueSchema = z
  .object({
    /** The order book's base URL, e.g. https://clob.polymarket.com. API credentials are per account (accounts file). */
    url: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }),
    /** Market orders only: the order builder's amounts follow the venue's market-order precision, not a limit order's. */
    orderType: z.enum(["FAK", "FOK"]).default("FAK"),
    /** Cap of one HTTP attempt; resends of the same bytes follow until submitTimeoutMs. */
    attemptTimeoutMs: z.number().int().min(50).max(30_000).default(1_500),
    /** Orders in flight to the venue at once, and its keep-alive sockets; more wait for a slot. */
    maxInFlight: z.number().int().min(1).max(1_024).default(64),
  })
  .strict();

export const executorConfigSchema = z
  .object({
    region: z.string().min(1),
    chainId: z.number().int().positive().default(POLYGON_CHAIN_ID),
    /** The subscribers file the listener reads (risk limits, kill switches): re-checked here against current exposure. */
    subscribersFile: z.string().min(1),
    /** Which wallet and signer each subscriber's orders use. */
    accountsFile: z.string().min(1),
    bus: busConfigSchema,
    /** Shards this executor takes; absent means all of them (one executor per shard in production). */
    shards: z.array(z.number().int().nonnegative()).min(1).optional(),
    venue: venueSchema,
    /** An intent older than this since the listener first saw its fill is not executed: the price has moved on. */
    deadlineMs: z.number().int().min(50).max(60_000).default(750),
    /** Venue round trips for one order, resends of the same bytes included, must end within this. */
    submitTimeoutMs: z.number().int().min(50).max(30_000).default(2_000),
    /** The at-most-once record: a file on local disk that survives restarts. */
    journalFile: z.string().min(1),
    /** How long executed intent ids are remembered; must exceed the bus's redelivery and duplicate windows. */
    journalRetentionHours: z.number().int().min(1).max(24 * 30).default(48),
    /** HTTP JSON-RPC endpoint to watch for the subscribers' fills; absent turns on-chain tracking off. */
    chainRpcUrl: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
    /** Builder code stamped on every order (bytes32), if we have one. */
    builderCode: z.string().regex(/^0x[0-9a-fA-F]{64}$/, "a 32-byte hex string").optional(),
    /**
     * What signs with local keys: libsecp256k1 ("native", ~0.04 ms CPU per signature) or @noble/curves ("noble",
     * ~0.3 ms), byte-identical. The start fails if "native" cannot load, so a missing addon is never a silent slowdown.
     */
    signingEngine: z.enum(SIGNING_ENGINES).default("native"),
    killSwitch: z.boolean().default(false),
    /** On SIGTERM: stop taking intents, then give in-flight ones this long; below the unit's 30 s TimeoutStopSec. */
    drainTimeoutMs: z.number().int().min(0).max(25_000).default(5_000),
    http: httpEndpointSchema(9465),
    logLevel: logLevelSchema,
  })
  .strict();

export type ExecutorConfig = z.output<typeof executorConfigSchema>;

export function parseExecutorConfig(raw: unknown, source: string): ExecutorConfig {
  return parseWithSchema(executorConfigSchema, raw, source);
}

/** Reads the config file; relative file paths in it are resolved against the config's folder. */
export function loadExecutorConfig(file: string): ExecutorConfig {
  const config = readJsonConfig(executorConfigSchema, file, "executor config");
  const here = (p: string) => path.resolve(path.dirname(file), p);
  return { ...config, subscribersFile: here(config.subscribersFile), accountsFile: here(config.accountsFile), journalFile: here(config.journalFile) };
}
