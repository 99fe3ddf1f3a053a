/** Every Prometheus rule file the monitoring hosts load, as data. */
import { executorRuleGroups } from "./executor-rules";
import { providerRuleGroups } from "./provider-rules";
import type { RuleFile } from "./rule-types";
import { serviceRuleGroups } from "./service-rules";
import { sloRuleGroups } from "./slo-rules";

export function ruleFiles(): RuleFile[] {
  return [
    { file: "slos.yml", groups: sloRuleGroups() },
    { file: "rpc-providers.yml", groups: providerRuleGroups() },
    { file: "executor.yml", groups: executorRuleGroups() },
    { file: "services.yml", groups: serviceRuleGroups() },
  ];
}
