import { z } from "zod";
import { providerListSchema } from "../listener/config";
import { exchangeContractSchema, POLYGON_CHAIN_ID } from "../polymarket/exchanges";
import { parseWithSchema, readJsonConfig, httpEndpointSchema, logLevelSchema } from "../shared/config-file";

/** 9464 and 9465 are the listener's and executor's (stacks/topology: ports). */
export const DEFAULT_EXPORTER_PORT = 9466;

export const exporterConfigSchema = z
  .object({
    region: z.string().min(1),
    chain: z
      .object({
        /** The chain every provider must report on eth_chainId; any other answer marks the provider wrong_chain. */
        chainId: z.number().int().positive().default(POLYGON_CHAIN_ID),
        /** Expected block time: a subscription silent for 2.5 of these while others advance is declared dead. */
        blockTimeMs: z.number().int().min(50).max(60_000).default(2000),
      })
      .strict(),
    /** eth_getLogs is probed over these addresses, the same filter the listener's confirmer asks for. */
    exchanges: z.array(exchangeContractSchema).min(1),
    // The listener's provider entries, so one provider list (and one way of filling {apiKey}) serves both services.
    providers: providerListSchema,
    probe: z
      .object({
        /** How often each provider's HTTP endpoint gets one round of probes (eth_chainId + PROBE_METHODS). */
        intervalMs: z.number().int().min(50).max(600_000).default(5000),
        /** Per request; also bounds the WebSocket handshake (connect, chain id, subscribe). */
        timeoutMs: z.number().int().min(50).max(60_000).default(2000),
      })
      .strict()
      .default({ intervalMs: 5000, timeoutMs: 2000 }),
    http: httpEndpointSchema(DEFAULT_EXPORTER_PORT),
    logLevel: logLevelSchema,
  })
  .strict();

export type ExporterConfig = z.output<typeof exporterConfigSchema>;

/** Validates a config object; errors name the source and every bad field's path. */
export function parseExporterConfig(raw: unknown, source: string): ExporterConfig {
  return parseWithSchema(exporterConfigSchema, raw, source);
}

export function loadExporterConfig(file: string): ExporterConfig {
  return readJsonConfig(exporterConfigSchema, file, "latency exporter config");
}
