/**
 * Prints the synthesized stack names as a one-line JSON array, for a GitHub Actions matrix:
 *
 *   npx tsx stacks/ci/list-stacks.ts [--env staging] [--manifest cdktf.out/manifest.json]
 *
 * It reads the synth output rather than the topology so that CI plans exactly the stacks synth produced.
 */
import { existsSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";

export const DEFAULT_MANIFEST = "cdktf.out/manifest.json";

export function listStacks(manifestPath: string = DEFAULT_MANIFEST, env?: string): string[] {
  if (!existsSync(manifestPath)) {
    throw new Error(`no synth output: ${manifestPath} does not exist; run \`npm run synth\` first`);
  }
  const manifest: unknown = JSON.parse(readFileSync(manifestPath, "utf8"));
  const stacks = (manifest as { stacks?: unknown } | null)?.stacks;
  if (typeof stacks !== "object" || stacks === null) throw new Error(`${manifestPath} has no "stacks" object`);

  const all = Object.keys(stacks).sort();
  const names = env ? all.filter((name) => name.startsWith(`${env}-`)) : all;
  // An empty matrix fails in GitHub with an obscure message, and a typo'd environment must not deploy nothing quietly.
  if (names.length === 0) {
    throw new Error(
      `no stacks${env ? ` for environment "${env}"` : ""} in ${manifestPath}; have: ${all.join(", ") || "none"}`
    );
  }
  return names;
}

if (require.main === module) {
  try {
    const { values } = parseArgs({ options: { env: { type: "string" }, manifest: { type: "string" } } });
    console.log(JSON.stringify(listStacks(values.manifest, values.env)));
  } catch (err) {
    console.error(`list-stacks: ${(err as Error).message}`);
    process.exit(1);
  }
}
