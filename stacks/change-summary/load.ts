/** Reads a cdktf output directory (what `cdktf synth` / `npm run synth` writes) into a SynthOutput. */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { isRecord, type SynthOutput } from "./diff";

const SYNTH_HINT = "run `npm run synth` to produce it";

export function loadSynthOutput(dir: string): SynthOutput {
  const root = resolve(dir);
  if (!existsSync(root)) throw new Error(`cdktf output directory ${root} does not exist; ${SYNTH_HINT}`);
  if (!statSync(root).isDirectory()) throw new Error(`${root} is not a directory; expected a cdktf output directory`);

  const manifestPath = join(root, "manifest.json");
  if (!existsSync(manifestPath)) {
    throw new Error(`${manifestPath} not found: ${root} is not a cdktf output directory; ${SYNTH_HINT}`);
  }
  const manifest = readJson(manifestPath);
  if (!isRecord(manifest) || !isRecord(manifest.stacks)) {
    throw new Error(`${manifestPath}: expected a "stacks" object as cdktf writes it`);
  }

  const stacks: Record<string, unknown> = {};
  for (const [name, entry] of Object.entries(manifest.stacks)) {
    const relative = isRecord(entry) ? entry.synthesizedStackPath : undefined;
    if (typeof relative !== "string") throw new Error(`${manifestPath}: stack "${name}" has no synthesizedStackPath`);
    const stackPath = join(root, relative);
    // A manifest that names a missing file means the directory was only partly written or was edited by hand.
    if (!existsSync(stackPath)) {
      throw new Error(`${stackPath} (stack "${name}" in ${manifestPath}) not found; re-run \`npm run synth\``);
    }
    stacks[name] = readJson(stackPath);
  }
  return { stacks };
}

function readJson(path: string): unknown {
  const text = readFileSync(path, "utf8");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`malformed JSON in ${path}: ${(error as Error).message}`, { cause: error });
  }
}
