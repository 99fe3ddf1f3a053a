/** Prometheus rule files as data: what alerts/render.ts writes as YAML and the tests inspect. */
import type { Severity } from "./jobs";

export interface RecordingRule {
  record: string;
  expr: string;
  labels?: Record<string, string>;
}

export interface AlertingRule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: Severity } & Record<string, string>;
  annotations: { summary: string; description: string; runbook_url: string };
}

export type Rule = RecordingRule | AlertingRule;

export interface RuleGroup {
  name: string;
  /** Evaluation interval when the global one (15 s) would be waste, e.g. for 28-day windows. */
  interval?: string;
  rules: Rule[];
}

export interface RuleFile {
  /** File name under the rules directory, `*.yml` (what prometheus.yml's rule_files glob loads). */
  file: string;
  groups: RuleGroup[];
}

export function isAlertingRule(rule: Rule): rule is AlertingRule {
  return "alert" in rule;
}
