/** Remote state: one S3 key per stack, encrypted, with S3's native lock file (no DynamoDB table to keep). */
import { S3Backend, TerraformStack } from "cdktf";

export interface StateConfig {
  bucket: string;
  region: string;
}

export function stateKey(project: string, stackName: string): string {
  return `${project}/${stackName}.tfstate`;
}

export function configureBackend(stack: TerraformStack, project: string, stackName: string, state: StateConfig): void {
  new S3Backend(stack, { bucket: state.bucket, key: stateKey(project, stackName), region: state.region, encrypt: true });
  // cdktf 0.21's S3Backend predates Terraform 1.10's use_lockfile, so it is set as an override.
  stack.addOverride("terraform.backend.s3.use_lockfile", true);
}
