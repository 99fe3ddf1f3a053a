/**
 * The listener and the executor as production runs them: `node --import tsx services/<name>/main.ts --config <file>`,
 * each its own process, reached over its HTTP port (/readyz, /metrics) and stopped with SIGTERM.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { waitFor } from "../support/wait";
import { scrapeMetrics, type PromSample } from "./stats";
import { stopChildProcess } from "../../services/shared/child-process";

const REPO_ROOT = path.resolve(__dirname, "../..");
const STOP_TIMEOUT_MS = 10_000;
const TAIL_LINES = 40;

/** The last lines a child wrote (stdout and stderr interleaved), for error reports; never printed on success. */
export class OutputTail {
  private lines: string[] = [];
  private partial = "";

  push(chunk: Buffer): void {
    const parts = (this.partial + chunk.toString()).split("\n");
    this.partial = parts.pop() ?? "";
    this.lines.push(...parts);
    if (this.lines.length > TAIL_LINES) this.lines = this.lines.slice(-TAIL_LINES);
  }

  text(): string {
    return [...this.lines, this.partial].filter((l) => l !== "").join("\n");
  }
}

export interface ServiceExit {
  code: number | null;
  signal: string | null;
}

export interface ServiceChild {
  name: string;
  /** The command line as a reader would type it (config path shortened). */
  command: string;
  pid: number;
  tail: OutputTail;
  scrape(): Promise<PromSample[]>;
  /** SIGTERM, then SIGKILL after a bounded wait; resolves with how it ended. Idempotent. */
  stop(): Promise<ServiceExit>;
}

export interface ServiceChildOptions {
  name: "listener" | "executor";
  configFile: string;
  port: number;
  /** CPU pinning prefix (taskset …) or empty. */
  prefix: readonly string[];
  nodeFlags?: readonly string[];
  env?: NodeJS.ProcessEnv;
  readyTimeoutMs: number;
  /** Extra readiness condition on the /readyz body, past its 200. */
  ready?: (body: unknown) => boolean;
}

export async function startServiceChild(options: ServiceChildOptions): Promise<ServiceChild> {
  const main = `services/${options.name}/main.ts`;
  const args = [...(options.nodeFlags ?? []), "--import", "tsx", path.join(REPO_ROOT, main), "--config", options.configFile];
  const [command, ...rest] = [...options.prefix, process.execPath, ...args];
  const child = spawn(command!, rest, { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"], env: options.env ?? process.env });
  const tail = new OutputTail();
  child.stdout!.on("data", (chunk: Buffer) => tail.push(chunk));
  child.stderr!.on("data", (chunk: Buffer) => tail.push(chunk));
  const exited = new Promise<ServiceExit>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const baseUrl = `http://127.0.0.1:${options.port}`;
  const service: ServiceChild = {
    name: options.name,
    command: `${[...options.prefix, "node", ...(options.nodeFlags ?? [])].join(" ")} --import tsx ${main} --config <tmp>/${path.basename(options.configFile)}`,
    pid: child.pid!,
    tail,
    scrape: () => scrapeMetrics(options.name, baseUrl),
    stop: async () => {
      await stopChildProcess(child, STOP_TIMEOUT_MS);
      return exited;
    },
  };
  try {
    await waitFor(
      `the ${options.name}'s /readyz`,
      async () => {
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(`${options.name} exited during start (${child.exitCode ?? child.signalCode})`);
        }
        const res = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(1000) }).catch(() => undefined);
        if (res?.status !== 200) return false;
        return options.ready ? options.ready(await res.json()) : true;
      },
      options.readyTimeoutMs,
      100,
    );
  } catch (err) {
    await service.stop();
    throw new Error(`${(err as Error).message}\n${options.name} output (last lines):\n${tail.text()}`);
  }
  return service;
}
