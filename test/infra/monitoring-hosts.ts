/** The monitoring hosts of a synthesized global stack, with their user_data and config bundles as Terraform evaluates them. */
import { parse } from "yaml";
import type { StackJson } from "../../stacks/policy";
import type { MonitoringConfigBundle } from "../../constructs/monitoring/monitoring-config-apply";
import { resourcesOf } from "./synth";

/** Stands in for every reference (the monitoring hosts' addresses); any address is as good as another here. */
export const REFERENCE_VALUE = "203.0.113.1";

/**
 * A Terraform JSON string as Terraform reads it: `$${` and `%%{` are escapes, `${…}` is a reference. A `%{` directive
 * is never meant in our strings, so one left unescaped fails the caller.
 */
export function evaluateTemplate(text: string): string {
  return text.replace(/\$\$\{|%%\{|\$\{[^}]*\}|%\{/g, (m) => {
    if (m === "$${") return "${";
    if (m === "%%{") return "%{";
    if (m === "%{") throw new Error(`unescaped template directive in ${text.slice(0, 60)}…`);
    return REFERENCE_VALUE;
  });
}

export interface CloudConfig {
  packages: string[];
  users: Array<string | { name: string; homedir: string; ssh_authorized_keys: string[]; lock_passwd: boolean }>;
  write_files: Array<{ path: string; content: string; permissions: string; owner?: string }>;
  runcmd: string[][];
}

export interface MonitoringHost {
  userData: string;
  cloudConfig: CloudConfig;
  rollout: Record<string, unknown>;
  /** The bundle local's name and its value as uploaded. */
  bundleLocal: string;
  bundle: MonitoringConfigBundle;
}

export function monitoringHosts(stack: StackJson): MonitoringHost[] {
  const locals = (stack.locals ?? {}) as Record<string, string>;
  const rollouts = resourcesOf(stack, "terraform_data");
  return resourcesOf(stack, "hcloud_server").map((server) => {
    const userData = server.user_data as string;
    const name = (server["//"] as { metadata: { uniqueId: string } }).metadata.uniqueId;
    const rollout = rollouts.find((r) => JSON.stringify(r.triggers_replace).includes(`hcloud_server.${name}.id`));
    if (!rollout) throw new Error(`no rollout for ${name}`);
    const content = (rollout.provisioner as Array<{ file?: { content: string } }>).find((p) => p.file)!.file!.content;
    const bundleLocal = /^\$\{local\.([^}]+)\}$/.exec(content)![1];
    return {
      userData,
      cloudConfig: parse(evaluateTemplate(userData)) as CloudConfig,
      rollout,
      bundleLocal,
      bundle: JSON.parse(evaluateTemplate(locals[bundleLocal])) as MonitoringConfigBundle,
    };
  });
}

export function globalStacks(stacks: Record<string, StackJson>): Array<[string, StackJson]> {
  return Object.entries(stacks).filter(([name]) => name.endsWith("-global"));
}
