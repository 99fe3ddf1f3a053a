/** Instances accept only IMDSv2 session tokens: the v1 endpoint is the classic SSRF path to instance credentials. */
import { blocks, resources, type StackJson, type Violation } from "./stack-json";

export function checkImdsV2(stack: StackJson): Violation[] {
  return resources(stack)
    .filter((r) => r.type === "aws_instance" || r.type === "aws_launch_template")
    .filter((r) => !blocks(r.attrs.metadata_options).some((m) => m.http_tokens === "required"))
    .map((r) => ({
      policy: "imdsv2-required",
      address: r.address,
      message: 'metadata_options.http_tokens must be "required" (IMDSv2 only)',
    }));
}
