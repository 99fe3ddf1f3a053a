import { Testing, type TerraformStack } from "cdktf";
import { Server } from "../../providers/gen/hcloud/server";
import { Firewall } from "../../providers/gen/hcloud/firewall";
import { PlacementGroup } from "../../providers/gen/hcloud/placement-group";
import { Network } from "../../providers/gen/hcloud/network";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp } from "../../stacks/app";
import { TOPOLOGY } from "../../stacks/topology";
import { PolysyncRegion } from "../../constructs/polysync-region";
import type { BundleSet, ServiceBundle } from "../../constructs/bundles";
import { sha256Hex } from "../../services/deploy/manifest";
import { resourcesOf, synthAll } from "./synth";

function regionStack(name: string, bundles: BundleSet = {}): TerraformStack {
  const app = buildApp({ outdir: Testing.app().outdir, bundles });
  const stack = app.node.findAll().find((c): c is PolysyncRegion => c instanceof PolysyncRegion && c.node.id === name);
  if (!stack) throw new Error(`no stack ${name}`);
  return stack;
}

/** A stand-in archive on disk (the stack uploads the file, so it must exist). */
function fakeBundle(version: string): ServiceBundle {
  const archive = join(mkdtempSync(join(tmpdir(), "polysync-bundle-")), `listener-${version}.tgz`);
  writeFileSync(archive, `listener ${version}`);
  return { version, sha256: sha256Hex(`listener ${version}`), archive };
}

describe("PolysyncRegion (production eu-central)", () => {
  const stack = regionStack("production-eu-central");
  const synth = Testing.synth(stack);
  const json = JSON.parse(synth);

  it("creates dedicated-vCPU listener, executor and latency exporter hosts in the paired Hetzner location, protected in production", () => {
    for (const service of ["listener", "executor"]) {
      expect(synth).toHaveResourceWithProperties(Server, {
        name: `polysync-production-eu-central-${service}-1`,
        server_type: "ccx23",
        location: "fsn1",
        image: "debian-12",
        delete_protection: true,
        rebuild_protection: true,
        lifecycle: { prevent_destroy: true },
        labels: expect.objectContaining({ env: "production", region: "eu-central", service, owner: "platform-sre" }),
      });
    }
    // The exporter has a small host of its own: its view of the providers must not share the listener's fate.
    expect(synth).toHaveResourceWithProperties(Server, {
      name: "polysync-production-eu-central-latency-exporter-1",
      server_type: "ccx13",
      location: "fsn1",
      labels: expect.objectContaining({ service: "latency-exporter" }),
    });
    expect(resourcesOf(json, "hcloud_server")).toHaveLength(5);
    expect(synth).toHaveResourceWithProperties(PlacementGroup, { type: "spread", name: "polysync-production-eu-central-listener-spread" });
  });

  it("puts hosts on the private network at fixed addresses", () => {
    expect(synth).toHaveResourceWithProperties(Network, { ip_range: "10.110.0.0/16", delete_protection: true });
    const ips = resourcesOf(json, "hcloud_server").map((s) => (s.network as Array<{ ip: string }>)[0].ip);
    expect(ips.sort()).toEqual(["10.110.1.10", "10.110.1.11", "10.110.1.20", "10.110.1.21", "10.110.1.30"]);
  });

  it("lets SSH in only from admin CIDRs and metrics only from the monitoring hosts", () => {
    expect(synth).toHaveResource(Firewall);
    // Cross-stack references are only wired by a full app synth.
    const [firewall] = resourcesOf(synthAll().stacks["production-eu-central"], "hcloud_firewall");
    const rules = firewall.rule as Array<{ protocol: string; port?: string; source_ips: string[] }>;
    expect(rules.find((r) => r.port === "22")!.source_ips).toEqual(TOPOLOGY.adminCidrs);
    for (const port of ["9464", "9465", "9466", "9100"]) {
      const sources = rules.find((r) => r.port === port)!.source_ips;
      expect(sources).toHaveLength(2);
      for (const s of sources) expect(s).toMatch(/^\$\{data\.terraform_remote_state\.cross-stack-reference-input-production-global\..*\}\/32$/);
    }
    expect(rules.map((r) => r.port ?? r.protocol).sort()).toEqual(["22", "9100", "9464", "9465", "9466", "icmp"]);
  });

  it("creates a sign-only secp256k1 key that only the executor role may use", () => {
    expect(synth).toHaveResourceWithProperties(KmsKey, {
      key_usage: "SIGN_VERIFY",
      customer_master_key_spec: "ECC_SECG_P256K1",
      deletion_window_in_days: 30,
      // production's primary: the other regions sign with replicas of it (test/infra/signing-key.test.ts).
      multi_region: true,
    });
    const signing = resourcesOf(json, "aws_kms_key").find((k) => k.key_usage === "SIGN_VERIFY")!;
    const policy = JSON.parse(signing.policy as string);
    const allowSign = policy.Statement.find((s: { Sid: string }) => s.Sid === "SignOnlyForExecutors");
    expect(allowSign.Action).toEqual(["kms:Sign", "kms:GetPublicKey"]);
    expect(allowSign.Principal.AWS).toEqual([expect.stringContaining("aws_iam_role.host-roles_executor-role")]);
    const admin = policy.Statement.find((s: { Sid: string }) => s.Sid === "KeyAdministration");
    expect(admin.Action).not.toContain("kms:Sign");
    expect(admin.Action).not.toContain("kms:*");
  });

  it("keeps an encrypted, versioned, private artifact bucket", () => {
    expect(synth).toHaveResourceWithProperties(S3BucketVersioningA, { versioning_configuration: { status: "Enabled" } });
    expect(synth).toHaveResourceWithProperties(S3BucketServerSideEncryptionConfigurationA, {
      rule: [expect.objectContaining({ apply_server_side_encryption_by_default: expect.objectContaining({ sse_algorithm: "aws:kms" }) })],
    });
    expect(synth).toHaveResourceWithProperties(S3BucketPublicAccessBlock, {
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
  });

  it("spreads the VPC over two availability zones", () => {
    const azs = new Set(resourcesOf(json, "aws_subnet").map((s) => s.availability_zone));
    expect([...azs].sort()).toEqual(["eu-central-1a", "eu-central-1b"]);
    expect(synth).toHaveResourceWithProperties(Subnet, { map_public_ip_on_launch: false });
  });

  it("creates secret containers for four RPC keys and the signer, but never a secret value", () => {
    expect(synth).toHaveResource(SecretsmanagerSecret);
    expect(synth).not.toHaveResource(SecretsmanagerSecretVersion);
    const names = resourcesOf(json, "aws_secretsmanager_secret").map((s) => s.name).sort();
    expect(names).toEqual([
      "polysync/production/eu-central/rpc/alchemy",
      "polysync/production/eu-central/rpc/drpc",
      "polysync/production/eu-central/rpc/infura",
      "polysync/production/eu-central/rpc/quicknode",
      "polysync/production/eu-central/signer/clob-l2-credentials",
    ]);
  });

  it("publishes the RPC provider configuration with key placeholders and secret references", () => {
    const param = resourcesOf(json, "aws_ssm_parameter").find((p) => String(p.name).endsWith("/rpc-providers"))!;
    const providers = JSON.parse(param.value as string) as Array<Record<string, unknown>>;
    expect(providers.map((p) => p.name)).toEqual(["alchemy", "quicknode", "infura", "drpc"]);
    for (const p of providers) {
      expect(p.apiKeySecretArn).toMatch(/^\$\{aws_secretsmanager_secret\..*\.arn\}$/);
      expect(String(p.http)).toMatch(/^https:\/\//);
      expect(String(p.ws)).toMatch(/^wss:\/\//);
    }
  });

  it("tags via provider defaults with env, region and owner", () => {
    expect(synth).toHaveProviderWithProperties(AwsProvider, {
      region: "eu-central-1",
      default_tags: [{ tags: expect.objectContaining({ env: "production", region: "eu-central", owner: "platform-sre" }) }],
    });
  });

  it("installs Node 20 and the bundle sync by cloud-init, without the bundle version or the service unit in user_data", () => {
    const [server] = resourcesOf(json, "hcloud_server");
    const userData = server.user_data as string;
    expect(userData.startsWith("#cloud-config\n")).toBe(true);
    expect(userData).toContain("node_20.x");
    expect(userData).toContain("sha256sum -c");
    expect(userData).toContain("/polysync/production/eu-central/bundles/");
    // The hardened unit arrives with each bundle (services/deploy/systemd.ts), so changing it replaces no server.
    expect(userData).not.toContain("ProtectSystem=strict");
    expect(userData).toContain('install -m 0644 "$target/$UNIT" "/etc/systemd/system/$UNIT"');
  });

  it("points hosts at the bundle through an SSM parameter, unreleased until a bundle is given", () => {
    const pointer = (j: typeof json, service: string) =>
      JSON.parse(resourcesOf(j, "aws_ssm_parameter").find((p) => String(p.name).endsWith(`/bundles/${service}`))!.value as string);
    expect(pointer(json, "listener")).toEqual({ version: "unreleased" });

    const listener = fakeBundle("1.2.3");
    const released = JSON.parse(Testing.synth(regionStack("production-eu-central", { listener })));
    const key = `bundles/listener/${listener.sha256}.tgz`;
    expect(pointer(released, "listener")).toEqual({ version: "1.2.3", sha256: listener.sha256, key });
    expect(pointer(released, "executor")).toEqual({ version: "unreleased" });
    const [object] = resourcesOf(released, "aws_s3_object");
    expect(object).toMatchObject({ key, source_hash: listener.sha256, checksum_algorithm: "SHA256", lifecycle: { create_before_destroy: true } });
    expect(resourcesOf(released, "aws_s3_object")).toHaveLength(1);
    // A new release must not replace servers: user_data stays byte-identical.
    expect(resourcesOf(released, "hcloud_server").map((s) => s.user_data)).toEqual(resourcesOf(json, "hcloud_server").map((s) => s.user_data));
  });

  it("stores state under its own key with S3 native locking", () => {
    expect(json.terraform.backend.s3).toEqual({
      bucket: "polysync-terraform-state",
      key: "polysync/production-eu-central.tfstate",
      region: "eu-central-1",
      encrypt: true,
      use_lockfile: true,
    });
  });
});

describe("PolysyncRegion (staging)", () => {
  const json = JSON.parse(Testing.synth(regionStack("staging-eu-central")));

  it("uses staging sizes and leaves deletion protection off", () => {
    const servers = resourcesOf(json, "hcloud_server");
    expect(servers).toHaveLength(3);
    expect(servers.every((s) => s.server_type === "ccx13" && s.delete_protection === false && s.location === "nbg1")).toBe(true);
    expect(resourcesOf(json, "aws_kms_key").every((k) => k.deletion_window_in_days === 7)).toBe(true);
  });
});
