/**
 * Rule files as Prometheus reads them. Deterministic (the same rules give the same bytes), because the monitoring
 * hosts' config rollout (constructs/monitoring/monitoring-config-rollout.ts) is triggered by the bundle's hash.
 */
import { stringify } from "yaml";
import type { RuleFile } from "./rule-types";
import { ruleFiles } from "./rules";

export interface RenderedRuleFile {
  file: string;
  content: string;
}

export function renderRuleFile(file: RuleFile): string {
  return stringify({ groups: file.groups }, { lineWidth: 0, indentSeq: false, aliasDuplicateObjects: false });
}

export function renderRuleFiles(): RenderedRuleFile[] {
  return ruleFiles().map((f) => ({ file: f.file, content: renderRuleFile(f) }));
}
