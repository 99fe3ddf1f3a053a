/**
 * What the fan-out bench's pinned helper processes (the signing microbenchmark, the naive baseline) share: the trading
 * accounts the executor would resolve, and a small protocol over stdout: optional "ready", then one JSON result line.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import readline from "node:readline";
import type { PrivateKeyAccount } from "viem/accounts";
import { privateKeyToAccount } from "viem/accounts";
import { loadAccountsFile, resolveAccounts, type SubscriberAccount } from "../../services/executor/accounts";
import { loadNativeEngine } from "../../services/executor/signer/ecdsa-engine";
import { localSigner, privateKeyFromEnv } from "../../services/executor/signer/local-signer";
import { stopChildProcess } from "../../services/shared/child-process";

const REPO_ROOT = path.resolve(__dirname, "../..");
export const READY = "ready";

export interface BenchAccount {
  /** As the executor resolves it: maker, signer, signature type, digest signer, API account. */
  account: SubscriberAccount;
  /** The same key as a viem account, for the naive path's signTypedData. */
  viem: PrivateKeyAccount;
}

/** The accounts file and the keys in the environment, read the executor's way (services/executor/accounts.ts). */
export async function loadBenchAccounts(accountsFile: string, env: NodeJS.ProcessEnv = process.env): Promise<Map<string, BenchAccount>> {
  const configs = loadAccountsFile(accountsFile);
  // The executor's default engine (its config's signingEngine).
  const engine = loadNativeEngine();
  const resolved = await resolveAccounts(
    configs,
    async (ref) => {
      if (ref.kind !== "local") throw new Error("the fan-out bench signs with local keys only");
      return localSigner(privateKeyFromEnv(ref.keyEnv, env), engine);
    },
    env,
  );
  return new Map(
    configs.map((config) => {
      if (config.signer.kind !== "local") throw new Error("the fan-out bench signs with local keys only");
      return [config.subscriberId, { account: resolved.get(config.subscriberId)!, viem: privateKeyToAccount(privateKeyFromEnv(config.signer.keyEnv, env)) }];
    }),
  );
}

export interface PinnedChild<T> {
  pid: number;
  /** Resolves once the child printed "ready". */
  ready: Promise<void>;
  /** The child's JSON result line; rejects if it exits without one or overruns `timeoutMs`. */
  result: Promise<T>;
  /** Lets a child waiting in `holdUntilReleased` exit (the parent has read its CPU time by then). */
  release(): void;
}

/**
 * The child's side of `release`: stays alive until the parent closes stdin, so its CPU time can still be read after
 * it printed its result; bounded, so a parent that forgot cannot keep it forever.
 */
export function holdUntilReleased(maxMs = 30_000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, maxMs);
    process.stdin.once("end", () => {
      clearTimeout(timer);
      resolve();
    });
    process.stdin.resume();
  });
}

/**
 * Runs `script` under the CPU prefix (the executor's core) with `--import tsx`. The child is killed, not waited for,
 * past `timeoutMs`, so a stuck helper cannot hold the bench.
 */
export function runPinnedChild<T>(script: string, args: readonly string[], prefix: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number): PinnedChild<T> {
  const [command, ...rest] = [...prefix, process.execPath, "--import", "tsx", script, ...args];
  const child = spawn(command!, rest, { cwd: REPO_ROOT, stdio: ["pipe", "pipe", "pipe"], env });
  // A child that died before release() must not turn the closing write into an unhandled EPIPE.
  child.stdin!.on("error", () => undefined);
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const lines = readline.createInterface({ input: child.stdout! });
  let markReady!: () => void;
  let failReady!: (err: Error) => void;
  const ready = new Promise<void>((resolve, reject) => ((markReady = resolve), (failReady = reject)));
  const result = new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`${path.basename(script)} did not finish within ${timeoutMs} ms: ${stderr.slice(-800)}`));
      void stopChildProcess(child, 1000);
    }, timeoutMs);
    lines.on("line", (line) => {
      if (line === READY) return markReady();
      try {
        resolve(JSON.parse(line) as T);
        clearTimeout(timer);
      } catch {
        // not the result line
      }
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      const err = new Error(`${path.basename(script)} exited (${code ?? signal}) without a result: ${stderr.slice(-800)}`);
      failReady(err);
      reject(err);
    });
  });
  // Whoever awaits only `result` must not see an unhandled rejection of `ready`.
  ready.catch(() => undefined);
  return { pid: child.pid!, ready, result, release: () => child.stdin!.end() };
}
