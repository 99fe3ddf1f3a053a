/**
 * Makes a stack refuse to synthesize while it breaks a policy. Runs as a construct validation, i.e. after aspects
 * and cross-stack wiring and before anything is written, so a bad change never produces Terraform to apply.
 */
import { TerraformStack } from "cdktf";
import { evaluatePolicies, formatViolation, type PolicyOptions, type StackJson } from "./index";

export class PolicyGuard {
  static attach(stack: TerraformStack, options: PolicyOptions): void {
    stack.node.addValidation({
      validate: () => evaluatePolicies(stack.toTerraform() as StackJson, options).map(formatViolation),
    });
  }
}
