import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { binaryOnPath } from "./binaries";

export interface NatsServer {
  url: string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * `nats-server -js` on a free 127.0.0.1 port with a throwaway store (under `storeParent`, default the temp folder);
 * resolves once it accepts connections.
 */
export async function startNatsServer(options: { storeParent?: string } = {}): Promise<NatsServer> {
  const binary = binaryOnPath("nats-server", "nats-server");
  const port = await freePort();
  const storeDir = mkdtempSync(path.join(options.storeParent ?? tmpdir(), "nats-js-"));
  const server = spawn(binary, ["-js", "-a", "127.0.0.1", "-p", String(port), "-sd", storeDir], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  server.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  server.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const url = `nats://127.0.0.1:${port}`;
  const stop = async () => {
    if (server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((resolve) => server.once("exit", resolve));
      server.kill("SIGTERM");
      const escalate = setTimeout(() => server.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(escalate);
    }
    rmSync(storeDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (server.exitCode !== null) {
      await stop();
      throw new Error(`nats-server exited with ${server.exitCode}: ${output.slice(-800)}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`nats-server did not accept connections on ${url} within 10 s: ${output.slice(-800)}`);
    }
    await sleep(50);
  }
  return { url, stop };
}
