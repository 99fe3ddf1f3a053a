import type { IntentBus } from "./bus";
import { InProcessBus } from "./in-process";
import { NatsBus } from "./nats";

export type BusConfig =
  | { kind: "in-process"; shardCount: number }
  | { kind: "nats"; servers: string[]; shardCount: number; tokenEnv?: string };

/** The bus a service config asks for; the token comes from the environment, never from the file. */
export async function createBus(config: BusConfig, name: string, env: NodeJS.ProcessEnv = process.env): Promise<IntentBus> {
  if (config.kind === "in-process") return new InProcessBus({ shardCount: config.shardCount });
  let token: string | undefined;
  if (config.tokenEnv) {
    token = env[config.tokenEnv];
    if (!token) throw new Error(`bus.tokenEnv: environment variable ${config.tokenEnv} is empty or unset`);
  }
  return NatsBus.connect({ servers: config.servers, shardCount: config.shardCount, name, ...(token ? { token } : {}) });
}
