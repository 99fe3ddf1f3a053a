/** Synthesizes the real app into a temporary directory and loads every stack's Terraform JSON. */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp, type AppOptions } from "../../stacks/app";
import type { StackJson } from "../../stacks/policy";

export interface Synthesized {
  outdir: string;
  stacks: Record<string, StackJson>;
}

export function synthAll(options: Omit<AppOptions, "outdir"> = {}): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), "polysync-synth-"));
  buildApp({ ...options, outdir }).synth();
  const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as {
    stacks: Record<string, { synthesizedStackPath: string }>;
  };
  const stacks = Object.fromEntries(
    Object.entries(manifest.stacks).map(([name, s]) => [
      name,
      JSON.parse(readFileSync(join(outdir, s.synthesizedStackPath), "utf8")) as StackJson,
    ]),
  );
  return { outdir, stacks };
}

type ResourceMap = Record<string, Record<string, Record<string, unknown>>>;

/** All resources of one type in a stack, without cdktf's metadata. */
export function resourcesOf(stack: StackJson, type: string): Record<string, unknown>[] {
  return Object.values((stack.resource as ResourceMap | undefined)?.[type] ?? {});
}
