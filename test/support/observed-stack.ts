/**
 * The local stack (listener, executor, latency exporter, venue) scraped by a real Prometheus while its leaders trade:
 * what the observability tests read their metrics from, labelled like one production region.
 */
import { setTimeout as sleep } from "node:timers/promises";
import pino from "pino";
import { startLocalStack, type LocalStack, type LocalStackOptions } from "../../services/local-stack/stack";
import { LEADER_A, LEADER_B, TEST_SUBSCRIBERS } from "./listener-stack";
import { startTestPrometheus, type TestPrometheus } from "./prometheus";

export const OBSERVED_REGION = "local-1";

export interface ObservedStack {
  stack: LocalStack;
  prometheus: TestPrometheus;
  /** Stops the leaders trading and waits for the trade in progress; `resumeTrading` starts them again. */
  pauseTrading(): Promise<void>;
  resumeTrading(): void;
  stop(): Promise<void>;
}

export interface ObservedStackOptions {
  seed: string;
  latency: LocalStackOptions["latency"];
  ruleFiles?: Record<string, string>;
}

const hostPort = (url: string | undefined) => new URL(url ?? "http://missing").host;

export async function startObservedStack(options: ObservedStackOptions): Promise<ObservedStack> {
  const stack = await startLocalStack({
    blockTimeMs: 500,
    subscribers: TEST_SUBSCRIBERS,
    log: pino({ level: "silent" }),
    latency: options.latency,
    seed: options.seed,
    execution: {},
    latencyExporter: true,
  });
  let prometheus: TestPrometheus;
  try {
    prometheus = await startTestPrometheus({
      targets: [
        { job: "listener", address: hostPort(stack.listener.httpUrl), region: OBSERVED_REGION },
        { job: "executor", address: hostPort(stack.executor?.httpUrl), region: OBSERVED_REGION },
        { job: "latency-exporter", address: hostPort(stack.latencyExporter?.metricsUrl), region: OBSERVED_REGION },
      ],
      ruleFiles: options.ruleFiles,
    });
  } catch (err) {
    await stack.stop();
    throw err;
  }

  let trading = false;
  let trades = Promise.resolve();
  const resumeTrading = () => {
    if (trading) return;
    trading = true;
    trades = (async () => {
      for (let round = 0; trading; round += 1) {
        await stack.sim.leaderAsMaker({ leader: round % 2 ? LEADER_B : LEADER_A, side: round % 4 < 2 ? "BUY" : "SELL", counterparties: 1 });
        await sleep(250);
      }
    })();
  };
  const pauseTrading = async () => {
    trading = false;
    await trades;
  };
  resumeTrading();
  return {
    stack,
    prometheus,
    pauseTrading,
    resumeTrading,
    async stop() {
      await pauseTrading().catch(() => undefined);
      await prometheus.stop();
      await stack.stop();
    },
  };
}
