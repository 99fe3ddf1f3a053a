import { parseConfigArg } from "../shared/cli-args";
import { createLogger } from "../shared/logger";
import { loadListenerConfig } from "./config";
import { ListenerService } from "./service";

async function main(): Promise<void> {
  const config = loadListenerConfig(parseConfigArg(process.argv.slice(2), "listener --config <file>"));
  const log = createLogger("listener", config.logLevel);
  const service = await ListenerService.start({ config, log });
  process.on("SIGHUP", () => service.reloadSubscribers());
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping");
    service.stop().then(
      () => process.exit(0),
      (err: Error) => {
        log.error({ err: err.message }, "unclean stop");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

main().catch((err: Error) => {
  process.stderr.write(`listener: ${err.message}\n`);
  process.exit(1);
});
