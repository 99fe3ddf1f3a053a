/**
 * In production, stateful resources refuse deletion twice: the provider's own protection flag (guards against the
 * console and API) and Terraform's prevent_destroy (guards against a plan that would replace or destroy them).
 */
import { blocks, isTrue, resources, type Attrs, type StackJson, type Violation } from "./stack-json";

type Check = (attrs: Attrs) => string | undefined;

const STATEFUL: Record<string, Check> = {
  aws_kms_key: kmsDeletionWindow,
  aws_kms_replica_key: kmsDeletionWindow,
  aws_s3_bucket: (a) => (isTrue(a.force_destroy) ? "force_destroy must not be true" : undefined),
  aws_secretsmanager_secret: (a) =>
    Number(a.recovery_window_in_days ?? 30) >= 7 ? undefined : "recovery_window_in_days must be at least 7",
  aws_db_instance: (a) => (isTrue(a.deletion_protection) ? undefined : "deletion_protection must be true"),
  aws_dynamodb_table: (a) => (isTrue(a.deletion_protection_enabled) ? undefined : "deletion_protection_enabled must be true"),
  hcloud_server: (a) =>
    isTrue(a.delete_protection) && isTrue(a.rebuild_protection) ? undefined : "delete_protection and rebuild_protection must be true",
  hcloud_primary_ip: hcloudDeleteProtection,
  hcloud_floating_ip: hcloudDeleteProtection,
  hcloud_volume: hcloudDeleteProtection,
  hcloud_network: hcloudDeleteProtection,
  hcloud_load_balancer: hcloudDeleteProtection,
};

function kmsDeletionWindow(a: Attrs): string | undefined {
  return Number(a.deletion_window_in_days ?? 30) >= 30 ? undefined : "deletion_window_in_days must be 30";
}

function hcloudDeleteProtection(a: Attrs): string | undefined {
  return isTrue(a.delete_protection) ? undefined : "delete_protection must be true";
}

export function checkDeletionProtection(stack: StackJson, environment: string): Violation[] {
  if (environment !== "production") return [];
  const violations: Violation[] = [];
  for (const { type, address, attrs } of resources(stack)) {
    const check = STATEFUL[type];
    if (!check) continue;
    const problems = [check(attrs), blocks(attrs.lifecycle).some((l) => isTrue(l.prevent_destroy)) ? undefined : "lifecycle.prevent_destroy must be true"];
    for (const problem of problems.filter((p): p is string => p !== undefined)) {
      violations.push({ policy: "deletion-protection", address, message: `stateful resource in production: ${problem}` });
    }
  }
  return violations;
}
