import { readFileSync } from "node:fs";
import { z } from "zod";

/** Validates a config object; the error names the source and every bad field's path, one per line. */
export function parseWithSchema<S extends z.ZodType>(schema: S, raw: unknown, source: string): z.output<S> {
  const result = schema.safeParse(raw);
  if (!result.success) {
    throw new Error(result.error.issues.map((i) => `${source}: ${i.path.join(".") || "(root)"}: ${i.message}`).join("\n"));
  }
  return result.data;
}

/** Reads and validates a JSON config file; an unreadable or non-JSON file names the file and what it was for. */
export function readJsonConfig<S extends z.ZodType>(schema: S, file: string, what: string): z.output<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`${file}: cannot read ${what}: ${(err as Error).message}`);
  }
  return parseWithSchema(schema, raw, file);
}

/** Where a service serves /metrics, /healthz and /readyz; loopback unless the config says otherwise. */
export function httpEndpointSchema(defaultPort: number) {
  return z
    .object({ host: z.string().default("127.0.0.1"), port: z.number().int().min(0).max(65535).default(defaultPort) })
    .strict()
    .default({ host: "127.0.0.1", port: defaultPort });
}

export const logLevelSchema = z.enum(["trace", "debug", "info", "warn", "error", "fatal"]).default("info");
