/** Synthesizes the real app into a temporary directory and loads every stack's Terraform JSON. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp, type AppOptions } from "../../stacks/app";
import type { StackJson } from "../../stacks/policy";
import { loadSynthOutput } from "../../stacks/change-summary/load";

export interface Synthesized {
  outdir: string;
  stacks: Record<string, StackJson>;
}

export function synthAll(options: Omit<AppOptions, "outdir"> = {}): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), "polysync-synth-"));
  buildApp({ ...options, outdir }).synth();
  return { outdir, stacks: loadSynthOutput(outdir).stacks as Record<string, StackJson> };
}

type ResourceMap = Record<string, Record<string, Record<string, unknown>>>;

/** All resources of one type in a stack, without cdktf's metadata. */
export function resourcesOf(stack: StackJson, type: string): Record<string, unknown>[] {
  return Object.values((stack.resource as ResourceMap | undefined)?.[type] ?? {});
}
