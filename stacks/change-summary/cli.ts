/**
 * `npm run change-summary -- --base <dir> --head <dir> [--out <file>]`: the markdown change summary between two cdktf
 * output directories. Exit codes: 0 written, 1 an input could not be read, 2 the command line is wrong.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { diffSynthOutputs } from "./diff";
import { loadSynthOutput } from "./load";
import { renderMarkdown } from "./render";

export const USAGE = "usage: npm run change-summary -- --base <cdktf-out-dir> --head <cdktf-out-dir> [--out <file>]";

export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
}

const processIo: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

export function main(argv: readonly string[], io: Io = processIo): number {
  let args: CommandLine;
  try {
    args = parseCommandLine(argv);
  } catch (error) {
    io.stderr(`error: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  try {
    const markdown = renderMarkdown(diffSynthOutputs(loadSynthOutput(args.base), loadSynthOutput(args.head)));
    if (args.out === undefined) {
      io.stdout(markdown);
    } else {
      mkdirSync(dirname(args.out), { recursive: true });
      writeFileSync(args.out, markdown);
      io.stderr(`wrote ${args.out}\n`);
    }
    return 0;
  } catch (error) {
    io.stderr(`error: ${(error as Error).message}\n`);
    return 1;
  }
}

interface CommandLine {
  base: string;
  head: string;
  out: string | undefined;
}

function parseCommandLine(argv: readonly string[]): CommandLine {
  // strict parseArgs rejects unknown flags, positionals and flags without a value with a message naming the flag.
  const { values } = parseArgs({
    args: [...argv],
    options: { base: { type: "string" }, head: { type: "string" }, out: { type: "string" } },
    strict: true,
  });
  const { base, head, out } = values;
  if (!base) throw new Error("missing --base <cdktf-out-dir>");
  if (!head) throw new Error("missing --head <cdktf-out-dir>");
  return { base, head, out };
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
