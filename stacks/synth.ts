/**
 * `npm run synth`: synthesizes every stack offline, with the bundles of dist/manifest.json when `npm run bundle` has
 * written one, and reports what it released and how long the full topology took.
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { readBundleManifest } from "../services/deploy/manifest";
import { SERVICE_NAMES } from "./topology";
import { buildApp } from "./app";

const outdir = process.argv[2] ?? "cdktf.out";
const bundles = readBundleManifest();
const started = performance.now();
// A stale stack from a removed region must not survive into the output that the change summary compares.
rmSync(outdir, { recursive: true, force: true });
buildApp({ outdir, bundles }).synth();
const elapsed = performance.now() - started;

const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as { stacks: Record<string, unknown> };
const stacks = Object.keys(manifest.stacks);
for (const name of stacks) console.log(`  ${name}`);
for (const service of SERVICE_NAMES) {
  const bundle = bundles[service];
  const release = bundle ? `${bundle.version} sha256 ${bundle.sha256}` : "unreleased";
  console.log(`  ${service}: ${release}`);
}
console.log(`synthesized ${stacks.length} stacks into ${outdir} in ${elapsed.toFixed(0)} ms`);
