import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

const TSX = path.join(__dirname, "../../node_modules/.bin/tsx");

export interface ServiceProcess {
  child: ChildProcess;
  /** stdout and stderr as they arrive. */
  output: { text: string };
  exited: Promise<number | null>;
}

/** A service's production entry point (`services/<name>/main.ts --config <file>`) as its own process. */
export function runServiceProcess(service: "listener" | "executor", configFile: string, env: NodeJS.ProcessEnv): ServiceProcess {
  const main = path.join(__dirname, `../../services/${service}/main.ts`);
  const child = spawn(TSX, [main, "--config", configFile], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const output = { text: "" };
  child.stdout?.on("data", (c: Buffer) => (output.text += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (output.text += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output, exited };
}
