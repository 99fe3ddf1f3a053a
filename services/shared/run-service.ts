import type { Logger } from "pino";
import { parseConfigArg } from "./cli-args";

export interface RunningService {
  /** SIGHUP; a service without a subscribers file (the latency exporter) has nothing to reload and ignores it. */
  reloadSubscribers?(): void;
  stop(): Promise<void>;
}

/**
 * The process shell every service shares: `--config <file>`, SIGHUP reloads the subscribers file, SIGTERM/SIGINT stop
 * gracefully once (systemd's TimeoutStopSec bounds it from outside), and a start failure exits 1 with its message.
 */
export function runService(
  name: string,
  start: (configFile: string) => Promise<{ service: RunningService; log: Logger }>,
  argv: string[] = process.argv.slice(2),
): void {
  const run = async () => {
    const { service, log } = await start(parseConfigArg(argv, `${name} --config <file>`));
    // Handled even with nothing to reload: SIGHUP's default action would end the process.
    process.on("SIGHUP", () => service.reloadSubscribers?.());
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
  };
  run().catch((err: Error) => {
    process.stderr.write(`${name}: ${err.message}\n`);
    process.exit(1);
  });
}
