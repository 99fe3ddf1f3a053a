/**
 * `npm run bench [-- --only listener|fanout [bench flags…]]`: runs the benchmarks one after the other, each in its own
 * process (each pins its own CPUs and has its own time budget). Without --only both run with their defaults; flags
 * after `--only <bench>` go to that bench unchanged, e.g. `npm run bench -- --only fanout --rounds 5`.
 */
import { spawn } from "node:child_process";
import path from "node:path";

const BENCHES = {
  listener: "listener-detection.bench.ts",
  fanout: "executor-fanout.bench.ts",
} as const;
type BenchName = keyof typeof BENCHES;

const USAGE = `usage: tsx test/bench/run.ts [--only ${Object.keys(BENCHES).join("|")} [flags of that bench…]]`;

export function parseRunArgs(argv: readonly string[]): { benches: BenchName[]; flags: string[] } {
  if (argv.length === 0) return { benches: Object.keys(BENCHES) as BenchName[], flags: [] };
  const [first, name, ...flags] = argv;
  if (first !== "--only") throw new Error(`bench flags need --only <bench> to say which bench they are for\n${USAGE}`);
  if (!name || !(name in BENCHES)) throw new Error(`--only takes one of ${Object.keys(BENCHES).join(", ")}, got ${name ?? "nothing"}\n${USAGE}`);
  return { benches: [name as BenchName], flags };
}

function runBench(name: BenchName, flags: readonly string[]): Promise<number> {
  const script = path.join(__dirname, BENCHES[name]);
  const child = spawn(process.execPath, ["--import", "tsx", script, ...flags], { stdio: "inherit" });
  // Ctrl-C reaches the child through the terminal's process group; the bench stops its own children.
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

async function main(): Promise<void> {
  if (["--help", "-h"].includes(process.argv[2] ?? "")) return console.log(USAGE);
  const { benches, flags } = parseRunArgs(process.argv.slice(2));
  let failed = 0;
  for (const name of benches) {
    console.error(`\n=== ${name} benchmark (${BENCHES[name]}) ===`);
    const code = await runBench(name, flags);
    if (code !== 0) {
      console.error(`${name} benchmark exited with ${code}`);
      failed += 1;
    }
  }
  process.exitCode = failed > 0 ? 1 : 0;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
