import { parseArgs } from "node:util";
import { startAnvil, type Anvil } from "../devchain/anvil";
import { startLocalProviders } from "./local-providers";

const USAGE = `usage: tsx services/rpc-proxy/cli.ts [--upstream-http URL --upstream-ws URL | --block-time-ms N]
                                    [--control-port N] [--seed N] [--zero-latency]
Starts the four local RPC providers (alchemy, quicknode, infura, drpc) and the control API, in front of the given
node or of a fresh anvil, prints their URLs as JSON and runs until SIGINT/SIGTERM.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      "upstream-http": { type: "string" },
      "upstream-ws": { type: "string" },
      "block-time-ms": { type: "string", default: "2000" },
      "control-port": { type: "string" },
      seed: { type: "string" },
      "zero-latency": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) return console.log(USAGE);
  if (Boolean(values["upstream-http"]) !== Boolean(values["upstream-ws"])) throw new Error(`give both upstream URLs or neither\n${USAGE}`);

  let anvil: Anvil | undefined;
  if (!values["upstream-http"]) anvil = await startAnvil({ blockTimeMs: Number(values["block-time-ms"]) });
  const upstream = anvil ? { httpUrl: anvil.httpUrl, wsUrl: anvil.wsUrl } : { httpUrl: values["upstream-http"]!, wsUrl: values["upstream-ws"]! };
  const local = await startLocalProviders(upstream, {
    latency: values["zero-latency"] ? "zero" : "default",
    seed: values.seed === undefined ? undefined : Number(values.seed),
    controlPort: values["control-port"] === undefined ? undefined : Number(values["control-port"]),
  });
  console.log(
    JSON.stringify(
      {
        upstream,
        control: local.control.url,
        providers: Object.values(local.providers).map((proxy) => ({ name: proxy.name, httpUrl: proxy.httpUrl, wsUrl: proxy.wsUrl })),
      },
      null,
      2,
    ),
  );
  const shutdown = async () => {
    await local.stop();
    await anvil?.stop();
    process.exit(0);
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
