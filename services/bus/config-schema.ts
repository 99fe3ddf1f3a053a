import { z } from "zod";

/** The `bus` section of a service config: the listener and the executor must agree on it, so it is written once. */
export const busConfigSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("in-process"), shardCount: z.number().int().min(1).max(1024).default(4) }).strict(),
  z
    .object({
      kind: z.literal("nats"),
      servers: z.array(z.string().regex(/^nats:\/\/[^@/]+$/, "nats://host:port without credentials")).min(1),
      shardCount: z.number().int().min(1).max(1024),
      /** Environment variable with the NATS token, if the server wants one. */
      tokenEnv: z.string().optional(),
    })
    .strict(),
]);
