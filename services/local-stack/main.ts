import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pino from "pino";
import { walletAddress } from "../devchain/simulator";
import { LiveStats } from "./live-stats";
import { renderView } from "./render";
import { startLocalStack } from "./stack";
import { buildViewModel } from "./view-model";

const USAGE = `npm start [-- --block-time-ms N] [--fills-per-block N] [--duration-s N]
Starts anvil (chain 137) with the stand-in exchanges, four local providers, the listener, the executor, the latency
exporter, the stand-in order book (which settles copies on the chain) and a trade simulator, and shows a live view.
Ctrl-C stops everything.`;

function options() {
  const { values } = parseArgs({
    options: {
      "block-time-ms": { type: "string", default: "2000" },
      "fills-per-block": { type: "string", default: "2" },
      "duration-s": { type: "string" },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const int = (name: string, value: string | undefined, min: number, max: number) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer in [${min}, ${max}], got ${value}\n${USAGE}`);
    return n;
  };
  return {
    blockTimeMs: int("block-time-ms", values["block-time-ms"], 100, 60_000),
    fillsPerBlock: int("fills-per-block", values["fills-per-block"], 1, 50),
    durationS: values["duration-s"] === undefined ? undefined : int("duration-s", values["duration-s"], 1, 86_400),
  };
}

async function main(): Promise<void> {
  const opts = options();
  const logFile = path.join(tmpdir(), `polysync-local-${process.pid}.log`);
  const log = pino({ level: "info" }, pino.destination({ dest: logFile, sync: false }));
  const subscribers = JSON.parse(readFileSync(path.join(__dirname, "subscribers.json"), "utf8"));
  const leaders = ["leader-1", "leader-2", "leader-3"].map(walletAddress);
  let live: LiveStats | undefined;
  const stack = await startLocalStack({
    blockTimeMs: opts.blockTimeMs,
    subscribers,
    log,
    execution: { onReport: (region, report) => live?.onReport(region, report) },
    onPublish: (_region, message) => live?.onPublish(message),
    latencyExporter: true,
  });
  live = new LiveStats(stack.blocks.seenAtMs, stack.blocks.latest);
  const startedAtMs = Date.now();
  const tty = process.stdout.isTTY === true;

  let running = true;
  const trading = (async () => {
    for (let round = 0; running; round++) {
      try {
        await stack.sim.runRandom({ fillsPerBlock: opts.fillsPerBlock, leaders, seed: `local-${round}`, count: opts.fillsPerBlock });
      } catch (err) {
        if (running) log.warn({ err: (err as Error).message }, "simulator round failed");
      }
    }
  })();

  const draw = async () => {
    const vm = await buildViewModel({
      registry: stack.listener.registry,
      detector: stack.listener.detector,
      live: live!,
      executorRegistry: stack.executor!.registry,
      startedAtMs,
      blockTimeMs: opts.blockTimeMs,
      controlUrl: stack.providers.control.url,
    });
    const text = renderView(vm);
    const footer = `latency exporter: ${stack.latencyExporter?.metricsUrl}\nlogs: ${logFile}\n`;
    process.stdout.write(tty ? `\x1b[2J\x1b[H${text}\n${footer}` : `${text}\n\n`);
  };
  const timer = setInterval(() => void draw(), tty ? 1000 : 5000);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      running = false;
      clearInterval(timer);
      await draw();
      await trading;
      await stack.stop();
      process.stdout.write(`stopped cleanly; logs: ${logFile}\n`);
    })());
  process.once("SIGINT", () => void stop().then(() => process.exit(0)));
  process.once("SIGTERM", () => void stop().then(() => process.exit(0)));
  if (opts.durationS !== undefined) setTimeout(() => void stop().then(() => process.exit(0)), opts.durationS * 1000);
}

main().catch((err: Error) => {
  process.stderr.write(`local stack: ${err.message}\n`);
  process.exit(1);
});
