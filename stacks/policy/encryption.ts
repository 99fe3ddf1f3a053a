/** Data at rest is encrypted: every S3 bucket has an encryption configuration and every EBS volume is encrypted. */
import { blocks, isTrue, resources, type StackJson, type Violation } from "./stack-json";

export function checkEncryption(stack: StackJson): Violation[] {
  const all = resources(stack);
  const encryptedBuckets = new Set(
    all
      .filter((r) => r.type === "aws_s3_bucket_server_side_encryption_configuration")
      .filter((r) => blocks(r.attrs.rule).some((rule) => blocks(rule.apply_server_side_encryption_by_default).length > 0))
      .map((r) => String(r.attrs.bucket)),
  );
  const violations: Violation[] = [];
  for (const { type, name, address, attrs } of all) {
    if (type === "aws_s3_bucket") {
      const refs = [`\${aws_s3_bucket.${name}.id}`, `\${aws_s3_bucket.${name}.bucket}`, String(attrs.bucket)];
      if (!refs.some((ref) => encryptedBuckets.has(ref))) {
        violations.push({ policy: "encryption-at-rest", address, message: "S3 bucket has no server-side encryption configuration" });
      }
    }
    if (type === "aws_ebs_volume" && !isTrue(attrs.encrypted)) {
      violations.push({ policy: "encryption-at-rest", address, message: "EBS volume is not encrypted (encrypted = true)" });
    }
    if (type === "aws_instance") {
      const devices = [...blocks(attrs.root_block_device), ...blocks(attrs.ebs_block_device)];
      if (blocks(attrs.root_block_device).length === 0 || devices.some((d) => !isTrue(d.encrypted))) {
        violations.push({ policy: "encryption-at-rest", address, message: "instance volumes must set encrypted = true (root_block_device and every ebs_block_device)" });
      }
    }
    if (type === "aws_launch_template") {
      const ebs = blocks(attrs.block_device_mappings).flatMap((m) => blocks(m.ebs));
      if (ebs.some((d) => !isTrue(d.encrypted))) {
        violations.push({ policy: "encryption-at-rest", address, message: "launch template EBS mappings must set encrypted = true" });
      }
    }
  }
  return violations;
}
