import path from "node:path";
import { z } from "zod";
import { busConfigSchema } from "../bus/config-schema";
import { parseWithSchema, readJsonConfig, httpEndpointSchema, logLevelSchema } from "../shared/config-file";
import { exchangeContractSchema, POLYGON_CHAIN_ID } from "../polymarket/exchanges";

const url = (schemes: string[]) =>
  z.string().refine((value) => {
    try {
      return schemes.includes(new URL(value.replace("{apiKey}", "key")).protocol);
    } catch {
      return false;
    }
  }, `must be a ${schemes.join(" or ")} URL`);

const providerSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]*$/, "lower-case letters, digits and dashes"),
    httpUrl: url(["http:", "https:"]),
    wsUrl: url(["ws:", "wss:"]),
    /** Environment variable holding the API key that replaces `{apiKey}` in the URLs; keys never live in the file. */
    apiKeyEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "an environment variable name").optional(),
  })
  .strict();

/** The providers a listener (and the latency exporter) watches, each name once. */
export const providerListSchema = z
  .array(providerSchema)
  .min(1)
  .refine((list) => new Set(list.map((p) => p.name)).size === list.length, "provider names must be unique");

export const listenerConfigSchema = z
  .object({
    region: z.string().min(1),
    chain: z
      .object({
        chainId: z.number().int().positive().default(POLYGON_CHAIN_ID),
        blockTimeMs: z.number().int().min(50).max(60_000).default(2000),
        /** Resume point when there is no checkpoint; default the head at start. */
        startBlock: z.number().int().nonnegative().optional(),
      })
      .strict(),
    exchanges: z.array(exchangeContractSchema).min(1),
    providers: providerListSchema,
    subscribersFile: z.string().min(1),
    bus: busConfigSchema,
    killSwitch: z.boolean().default(false),
    /** Run one synthetic fill through the hot path this often so it stays warm between real fills; 0 turns it off. */
    keepWarmMs: z.number().int().min(0).max(1000).default(2),
    /**
     * Put the event loop alone on the highest CPU the process may use and V8's and libuv's helper threads on the others
     * (services/shared/event-loop-cpu.ts). For dedicated hosts; off by default because it re-pins whatever process
     * runs the listener, which in tests and the local stack is a shared one.
     */
    isolateEventLoopCpu: z.boolean().default(false),
    /**
     * Keep the isolated event loop polling instead of sleeping between blocks (services/shared/busy-poll.ts): one CPU
     * at 100 %, in exchange for the vCPU never halting. Only with isolateEventLoopCpu: on a shared CPU the spin would
     * take the helpers' time.
     */
    busyPollEventLoop: z.boolean().default(false),
    http: httpEndpointSchema(9464),
    logLevel: logLevelSchema,
  })
  .strict()
  .refine((config) => !config.busyPollEventLoop || config.isolateEventLoopCpu, {
    message: "busyPollEventLoop needs isolateEventLoopCpu: a polling event loop on shared CPUs slows its own helper threads",
    path: ["busyPollEventLoop"],
  });

export type ListenerConfig = z.output<typeof listenerConfigSchema>;

/** Validates a listener config object; errors name the source and every bad field's path. */
export function parseListenerConfig(raw: unknown, source: string): ListenerConfig {
  return parseWithSchema(listenerConfigSchema, raw, source);
}

/** Reads the config file; a relative subscribersFile is resolved against the config's folder. */
export function loadListenerConfig(file: string): ListenerConfig {
  const config = readJsonConfig(listenerConfigSchema, file, "listener config");
  return { ...config, subscribersFile: path.resolve(path.dirname(file), config.subscribersFile) };
}

/** Fills `{apiKey}` from the named environment variable; a missing variable names the provider, never the value. */
export function resolveProviderUrls(
  providers: ListenerConfig["providers"],
  env: NodeJS.ProcessEnv = process.env,
): { name: string; httpUrl: string; wsUrl: string }[] {
  return providers.map((p) => {
    const needsKey = p.httpUrl.includes("{apiKey}") || p.wsUrl.includes("{apiKey}");
    if (!needsKey) return { name: p.name, httpUrl: p.httpUrl, wsUrl: p.wsUrl };
    if (!p.apiKeyEnv) throw new Error(`providers.${p.name}: URL has {apiKey} but no apiKeyEnv is set`);
    const key = env[p.apiKeyEnv];
    if (!key) throw new Error(`providers.${p.name}: environment variable ${p.apiKeyEnv} is empty or unset`);
    const fill = (u: string) => u.replaceAll("{apiKey}", encodeURIComponent(key));
    return { name: p.name, httpUrl: fill(p.httpUrl), wsUrl: fill(p.wsUrl) };
  });
}
