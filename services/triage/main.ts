/**
 * `npm run triage` and `triage.mjs` on a host. Exit codes: 0 report printed (whatever the verdict), 2 bad arguments,
 * 3 Prometheus unreachable, not a Prometheus, or without data for the scope.
 */
import { parseTriageArgs, TRIAGE_USAGE, UsageError } from "./args";
import { runTriage } from "./triage";
import { triageObjectives } from "./objectives";

async function main(): Promise<number> {
  let options;
  try {
    options = parseTriageArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`triage: ${(err as Error).message}\n`);
    return err instanceof UsageError ? 2 : 1;
  }
  if (options === "help") {
    process.stdout.write(`${TRIAGE_USAGE}\n`);
    return 0;
  }
  try {
    const result = await runTriage(options, triageObjectives());
    process.stdout.write(options.json ? `${result.json}\n` : result.text);
    return 0;
  } catch (err) {
    process.stderr.write(`triage: ${(err as Error).message}\n`);
    return 3;
  }
}

main().then((code) => process.exit(code));
