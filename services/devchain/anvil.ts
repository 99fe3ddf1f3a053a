import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { POLYGON_CHAIN_ID } from "../polymarket/exchanges";
import { stopChildProcess } from "../shared/child-process";

export interface AnvilOptions {
  /** Interval mining period; Polygon is about 2 s, tests use less. Fractions of a second are allowed. */
  blockTimeMs?: number;
  chainId?: number;
  /** 0 picks a free port. */
  port?: number;
  /** How long to wait for anvil to start listening. */
  startTimeoutMs?: number;
}

export interface Anvil {
  httpUrl: string;
  wsUrl: string;
  port: number;
  chainId: number;
  blockTimeMs: number;
  stop(): Promise<void>;
}

/** The binary ships inside the npm package `@foundry-rs/anvil-linux-amd64`; resolving it here needs no download. */
export function anvilBinary(): string {
  const pkg = require.resolve(`@foundry-rs/anvil-${process.platform}-${process.arch === "x64" ? "amd64" : process.arch}/package.json`);
  return path.join(path.dirname(pkg), "bin", "anvil");
}

/** Starts anvil on 127.0.0.1 as a local Polygon stand-in (chain id 137 by default) and resolves once it listens. */
export async function startAnvil(options: AnvilOptions = {}): Promise<Anvil> {
  const chainId = options.chainId ?? POLYGON_CHAIN_ID;
  const blockTimeMs = options.blockTimeMs ?? 2000;
  if (!(blockTimeMs > 0)) throw new Error(`anvil blockTimeMs must be > 0, got ${blockTimeMs}`);
  const args = [
    "--host", "127.0.0.1",
    "--port", String(options.port ?? 0),
    "--chain-id", String(chainId),
    "--block-time", String(blockTimeMs / 1000),
    "--accounts", "20",
    "--balance", "1000000",
  ];
  const child = spawn(anvilBinary(), args, { stdio: ["ignore", "pipe", "pipe"] });
  const port = await waitForListening(child, options.startTimeoutMs ?? 15_000);
  return {
    httpUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    port,
    chainId,
    blockTimeMs,
    stop: () => stopChildProcess(child),
  };
}

function waitForListening(child: ChildProcess, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`anvil did not start listening within ${timeoutMs} ms; output: ${output.slice(-500)}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Listening on 127\.0\.0\.1:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        // Keep draining so a chatty anvil never blocks on a full pipe.
        child.stdout?.resume();
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`anvil exited before listening (code ${code}, signal ${signal}); output: ${output.slice(-500)}`));
    });
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(new Error(`anvil could not be started: ${err.message}`));
    });
  });
}

