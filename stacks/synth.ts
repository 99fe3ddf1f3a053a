/** `npm run synth`: synthesizes every stack offline and reports how long the full topology took. */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { buildApp } from "./app";

const outdir = process.argv[2] ?? "cdktf.out";
const started = performance.now();
// A stale stack from a removed region must not survive into the output that the change summary compares.
rmSync(outdir, { recursive: true, force: true });
buildApp({ outdir }).synth();
const elapsed = performance.now() - started;

const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as { stacks: Record<string, unknown> };
const stacks = Object.keys(manifest.stacks);
for (const name of stacks) console.log(`  ${name}`);
console.log(`synthesized ${stacks.length} stacks into ${outdir} in ${elapsed.toFixed(0)} ms`);
