import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import type { ServiceName } from "../../stacks/topology/schema";

export interface ServiceProcess {
  child: ChildProcess;
  /** stdout and stderr as they arrive. */
  output: { text: string };
  exited: Promise<number | null>;
}

/**
 * A service's production entry point (`services/<name>/main.ts --config <file>`) as one node process, the way systemd
 * runs the bundle: not through the tsx CLI, whose wrapper process would take the signals itself (it dies of SIGHUP).
 */
export function runServiceProcess(service: ServiceName, configFile: string, env: NodeJS.ProcessEnv): ServiceProcess {
  const main = path.join(__dirname, `../../services/${service}/main.ts`);
  const args = ["--import", "tsx", main, "--config", configFile];
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const output = { text: "" };
  child.stdout?.on("data", (c: Buffer) => (output.text += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (output.text += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output, exited };
}
