import { parseArgs } from "node:util";

/** `--config <file>` and nothing else; any other argument is an error that says what is accepted. */
export function parseConfigArg(argv: string[], usage: string): string {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { config: { type: "string" } }, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new Error(`${(err as Error).message}\nusage: ${usage}`);
  }
  if (!values.config) throw new Error(`missing --config <file>\nusage: ${usage}`);
  return values.config;
}
