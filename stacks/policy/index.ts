/** All synth-time policies over one stack's Terraform JSON. */
import { checkDeletionProtection } from "./deletion-protection";
import { checkEncryption } from "./encryption";
import { checkImdsV2 } from "./imds";
import { checkNetworkExposure } from "./network-exposure";
import { checkNoSecrets } from "./no-secrets";
import { checkTagging } from "./tagging";
import type { StackJson, Violation } from "./stack-json";

export type { StackJson, Violation } from "./stack-json";

export interface PolicyOptions {
  environment: string;
  /** SSH, metrics and monitoring API ports: never reachable from the internet. */
  adminPorts: number[];
}

export function evaluatePolicies(stack: StackJson, options: PolicyOptions): Violation[] {
  return [
    ...checkNetworkExposure(stack, options.adminPorts),
    ...checkTagging(stack),
    ...checkEncryption(stack),
    ...checkImdsV2(stack),
    ...checkNoSecrets(stack),
    ...checkDeletionProtection(stack, options.environment),
  ];
}

export function formatViolation(v: Violation): string {
  return `policy ${v.policy}: ${v.address}: ${v.message}`;
}
