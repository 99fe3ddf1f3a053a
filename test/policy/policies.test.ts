import { App, TerraformStack, Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { EbsVolume } from "@cdktf/provider-aws/lib/ebs-volume";
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { KmsReplicaKey } from "@cdktf/provider-aws/lib/kms-replica-key";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { HcloudProvider } from "../../providers/gen/hcloud/provider";
import { Firewall } from "../../providers/gen/hcloud/firewall";
import { Server } from "../../providers/gen/hcloud/server";
import { PolicyGuard } from "../../stacks/policy/guard";
import { hcloudLabels, stackTags, type DeploymentContext } from "../../constructs/context";
import { synthAll } from "../infra/synth";
import { evaluatePolicies } from "../../stacks/policy";

const ADMIN_PORTS = [22, 9464, 9465, 9100, 9090, 9093, 9094];
const ctx: DeploymentContext = { project: "polysync", owner: "platform-sre", env: "production", region: "eu-central" };
const labels = hcloudLabels(ctx, "test");
const tags = { service: "test" };

/** A stack with the policy guard and compliant providers: each test adds one bad (or good) construct. */
function guarded(environment = "production", defaultTags: Record<string, string> = stackTags(ctx)) {
  const app = new App({ outdir: Testing.app().outdir });
  const stack = new TerraformStack(app, "policy-test");
  PolicyGuard.attach(stack, { environment, adminPorts: ADMIN_PORTS });
  new AwsProvider(stack, "aws", { region: "eu-central-1", defaultTags: [{ tags: defaultTags }] });
  new HcloudProvider(stack, "hcloud", {});
  return { app, stack, synth: () => app.synth() };
}

function firewall(stack: TerraformStack, rule: { protocol: string; port?: string; sourceIps: string[] }) {
  return new Firewall(stack, "fw", { name: "fw", labels, rule: [{ direction: "in", ...rule }] });
}

describe("synth-time policies", () => {
  it("the full topology synthesizes with no violation", () => {
    const { stacks } = synthAll();
    for (const [name, json] of Object.entries(stacks)) {
      const environment = name.startsWith("production") ? "production" : "staging";
      expect({ name, violations: evaluatePolicies(json, { environment, adminPorts: ADMIN_PORTS }) }).toEqual({ name, violations: [] });
    }
  });

  describe("no public ingress except documented ports", () => {
    it("rejects a Hetzner firewall opening an undocumented port to the internet", () => {
      const t = guarded();
      firewall(t.stack, { protocol: "tcp", port: "8080", sourceIps: ["0.0.0.0/0"] });
      expect(t.synth).toThrow(/\[policy-test\] policy no-public-ingress: hcloud_firewall\.fw: tcp 8080 is open to 0\.0\.0\.0\/0 and is not a documented public port/);
    });

    it("rejects an AWS security group open to ::/0", () => {
      const t = guarded();
      new SecurityGroup(t.stack, "sg", {
        tags,
        ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, ipv6CidrBlocks: ["::/0"] }],
      });
      expect(t.synth).toThrow(/policy no-public-ingress: aws_security_group\.sg: tcp 443 is open to ::\/0/);
    });

    it("allows the documented ICMP rule and private sources", () => {
      const t = guarded();
      new Firewall(t.stack, "fw", {
        name: "fw",
        labels,
        rule: [
          { direction: "in", protocol: "icmp", sourceIps: ["0.0.0.0/0", "::/0"] },
          { direction: "in", protocol: "tcp", port: "9464", sourceIps: ["10.0.0.0/8", "198.51.100.7/32"] },
        ],
      });
      expect(t.synth).not.toThrow();
    });
  });

  describe("admin and metrics ports are never public", () => {
    it("rejects a metrics port open to the internet", () => {
      const t = guarded();
      firewall(t.stack, { protocol: "tcp", port: "9464", sourceIps: ["::/0"] });
      expect(t.synth).toThrow(/policy admin-ports-never-public: hcloud_firewall\.fw: admin\/metrics port 9464 is open to ::\/0/);
    });

    it("rejects a port range that covers SSH, even from a broad public prefix", () => {
      const t = guarded();
      firewall(t.stack, { protocol: "tcp", port: "1-1024", sourceIps: ["8.0.0.0/8"] });
      expect(t.synth).toThrow(/policy admin-ports-never-public: hcloud_firewall\.fw: admin\/metrics port 22 is open to 8\.0\.0\.0\/8/);
    });
  });

  describe("required tags and labels", () => {
    it("rejects a Hetzner server without labels", () => {
      const t = guarded();
      new Server(t.stack, "srv", { name: "srv", serverType: "ccx13", image: "debian-12", labels: { env: "production" } });
      expect(t.synth).toThrow(/policy required-tags: hcloud_server\.srv: missing labels region, service, owner/);
    });

    it("counts the provider's default_tags, and rejects what neither supplies", () => {
      const t = guarded("production", { env: "production", region: "eu-central" });
      const bucket = new S3Bucket(t.stack, "bucket", { bucket: "b", tags, lifecycle: { preventDestroy: true } });
      new S3BucketServerSideEncryptionConfigurationA(t.stack, "sse", {
        bucket: bucket.id,
        rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
      });
      expect(t.synth).toThrow(/policy required-tags: aws_s3_bucket\.bucket: missing tags owner/);
    });
  });

  describe("encryption at rest", () => {
    it("rejects an S3 bucket without server-side encryption", () => {
      const t = guarded();
      new S3Bucket(t.stack, "bucket", { bucket: "b", tags, lifecycle: { preventDestroy: true } });
      expect(t.synth).toThrow(/policy encryption-at-rest: aws_s3_bucket\.bucket: S3 bucket has no server-side encryption configuration/);
    });

    it("rejects an unencrypted EBS volume", () => {
      const t = guarded();
      new EbsVolume(t.stack, "vol", { availabilityZone: "eu-central-1a", size: 10, tags });
      expect(t.synth).toThrow(/policy encryption-at-rest: aws_ebs_volume\.vol: EBS volume is not encrypted/);
    });
  });

  describe("IMDSv2", () => {
    const instance = (stack: TerraformStack, httpTokens: string) =>
      new Instance(stack, "vm", {
        ami: "ami-12345678",
        instanceType: "t3.micro",
        rootBlockDevice: { encrypted: true },
        metadataOptions: { httpTokens },
        tags,
      });

    it("rejects an instance that still accepts IMDSv1", () => {
      const t = guarded();
      instance(t.stack, "optional");
      expect(t.synth).toThrow(/policy imdsv2-required: aws_instance\.vm: metadata_options\.http_tokens must be "required"/);
    });

    it("accepts an IMDSv2-only instance with encrypted volumes", () => {
      const t = guarded();
      instance(t.stack, "required");
      expect(t.synth).not.toThrow();
    });
  });

  describe("no secrets in synthesized output", () => {
    it("rejects a secret-looking literal anywhere", () => {
      const t = guarded();
      new Firewall(t.stack, "fw", { name: "fw", labels: { ...labels, note: "AKIAIOSFODNN7EXAMPLE" } });
      expect(t.synth).toThrow(/policy no-secrets: hcloud_firewall\.fw: labels\.note looks like a AWS access key id \(AKIA…\(20 chars\)\)/);
    });

    it("rejects a secret value resource and never prints the value", () => {
      const t = guarded();
      new SecretsmanagerSecretVersion(t.stack, "v", { secretId: "x", secretString: "hunter2-but-longer" });
      expect(t.synth).toThrow(/policy no-secrets: aws_secretsmanager_secret_version\.v: aws_secretsmanager_secret_version is not allowed/);
      expect(t.synth).toThrow(/attribute "secret_string" is set/);
      expect(t.synth).not.toThrow(/hunter2/);
    });

    it("rejects credentials in a provider block", () => {
      const app = new App({ outdir: Testing.app().outdir });
      const stack = new TerraformStack(app, "policy-test");
      PolicyGuard.attach(stack, { environment: "staging", adminPorts: ADMIN_PORTS });
      new HcloudProvider(stack, "hcloud", { token: "a".repeat(64) });
      expect(() => app.synth()).toThrow(/policy no-secrets: provider\.hcloud: attribute "token" is set/);
    });
  });

  describe("deletion protection in production", () => {
    const key = (stack: TerraformStack, preventDestroy: boolean) =>
      new KmsKey(stack, "key", { deletionWindowInDays: 30, tags, lifecycle: { preventDestroy } });

    it("rejects a stateful resource without prevent_destroy in production", () => {
      const t = guarded("production");
      key(t.stack, false);
      expect(t.synth).toThrow(/policy deletion-protection: aws_kms_key\.key: stateful resource in production: lifecycle\.prevent_destroy must be true/);
    });

    it("treats a replica of a multi-Region key like a key: a 30-day deletion window and prevent_destroy", () => {
      const t = guarded("production");
      new KmsReplicaKey(t.stack, "replica", { primaryKeyArn: "arn:aws:kms:eu-central-1:111122223333:key/mrk-1", deletionWindowInDays: 7, tags });
      expect(t.synth).toThrow(/policy deletion-protection: aws_kms_replica_key\.replica: stateful resource in production: deletion_window_in_days must be 30/);
      expect(t.synth).toThrow(/aws_kms_replica_key\.replica: stateful resource in production: lifecycle\.prevent_destroy must be true/);
    });

    it("rejects a production server without Hetzner's delete protection", () => {
      const t = guarded("production");
      new Server(t.stack, "srv", { name: "srv", serverType: "ccx13", image: "debian-12", labels, lifecycle: { preventDestroy: true } });
      expect(t.synth).toThrow(/policy deletion-protection: hcloud_server\.srv: stateful resource in production: delete_protection and rebuild_protection must be true/);
    });

    it("does not require it in staging", () => {
      const t = guarded("staging");
      key(t.stack, false);
      expect(t.synth).not.toThrow();
    });
  });
});
