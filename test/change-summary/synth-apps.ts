/**
 * Two versions of a small multi-stack cdktf app, synthesized for real so that the change summary is tested against
 * what cdktf actually writes (nulls in nested blocks, `//` metadata, provider lists, the default local backend).
 */
import { App, S3Backend, TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { Route53Zone } from "@cdktf/provider-aws/lib/route53-zone";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { SecurityGroup, type SecurityGroupIngress } from "@cdktf/provider-aws/lib/security-group";
import { HcloudProvider } from "../../providers/gen/hcloud/provider";
import { Server } from "../../providers/gen/hcloud/server";
import { GrafanaProvider } from "../../providers/gen/grafana/provider";
import { ContactPoint } from "../../providers/gen/grafana/contact-point";

export type Variant = "base" | "head";

/** Values that must never reach the rendered summary, whichever rule is supposed to catch them. */
export const SECRETS = {
  awsKeyInTagValue: "AKIAIOSFODNN7EXAMPLE",
  awsKeyAsTagKey: "AKIAI44QH8DHBEXAMPLE",
  dbPassword: { base: "base-Pa55word-value", head: "head-Pa55word-value" },
  hcloudToken: { base: "hcloud-base-token-value", head: "hcloud-head-token-value" },
  // Sensitive only per the grafana provider schema: neither its name ("url") nor its shape looks secret.
  slackWebhook: {
    base: "https://hooks.slack.com/services/T000/B000/baseWebhookPath",
    head: "https://hooks.slack.com/services/T000/B000/headWebhookPath",
  },
};

export const USER_DATA = {
  base: "#cloud-config\nruncmd:\n  - systemctl enable --now polysync-listener\n",
  head:
    "#cloud-config\npackages: [chrony]\nruncmd:\n" +
    "  - systemctl enable --now chrony\n  - systemctl enable --now polysync-listener\n",
};

/** Enough rules that the changed paths of one security group overflow the per-resource cap. */
export const WIDE_RULES = 15;

export function synthApp(outdir: string, variant: Variant): void {
  const app = new App({ outdir });
  network(app, variant);
  compute(app, variant);
  alerting(app, variant);
  dns(app, variant);
  if (variant === "base") legacy(app);
  if (variant === "head") edge(app);
  app.synth();
}

function network(app: App, variant: Variant): void {
  const stack = new TerraformStack(app, "network");
  new AwsProvider(stack, "aws", { region: "eu-central-1" });
  if (variant === "head") {
    new S3Backend(stack, { bucket: "polysync-tfstate", key: "network.tfstate", region: "eu-central-1" });
    stack.addOverride("terraform.required_providers.aws.version", "6.26.0");
  }

  const artifacts = new S3Bucket(stack, "artifacts", {
    bucket: "polysync-artifacts",
    tags:
      variant === "base"
        ? { service: "listener", owner: "sre", pipeline: "build|test" }
        : {
            service: "executor",
            owner: "sre",
            pipeline: "build|test|deploy",
            leaked_by: SECRETS.awsKeyInTagValue,
            [SECRETS.awsKeyAsTagKey]: "x",
          },
  });
  if (variant === "base") new S3Bucket(stack, "logs", { bucket: "polysync-logs" });
  if (variant === "head") new S3Bucket(stack, "backups", { bucket: "polysync-backups" });

  const rule = (port: number, cidrBlocks = ["10.0.0.0/8"]): SecurityGroupIngress => ({
    fromPort: port,
    toPort: port,
    protocol: "tcp",
    cidrBlocks,
  });
  new SecurityGroup(stack, "listener", {
    name: "listener",
    ingress:
      variant === "base"
        ? [rule(22), rule(443), rule(8545)]
        : [rule(22), rule(443, ["10.0.0.0/8", "10.1.0.0/16"]), rule(8546)],
  });
  const widePortBase = variant === "base" ? 1000 : 2000;
  new SecurityGroup(stack, "wide", {
    name: "wide",
    ingress: Array.from({ length: WIDE_RULES }, (_, i) => rule(widePortBase + i)),
  });

  const db = new DbInstance(stack, "db", {
    engine: "postgres",
    instanceClass: variant === "base" ? "db.t3.micro" : "db.t3.small",
    allocatedStorage: 20,
    username: "polysync",
    password: SECRETS.dbPassword[variant],
  });
  new TerraformOutput(stack, "bucket_arn", { value: artifacts.arn });
  if (variant === "head") new TerraformOutput(stack, "db_endpoint", { value: db.endpoint });
}

function compute(app: App, variant: Variant): void {
  const stack = new TerraformStack(app, "compute");
  new HcloudProvider(stack, "hcloud", { token: SECRETS.hcloudToken[variant] });
  new Server(stack, "listener", {
    name: "listener-1",
    serverType: variant === "base" ? "ccx23" : "ccx33",
    image: "ubuntu-24.04",
    location: "fsn1",
    userData: USER_DATA[variant],
    labels: { role: "listener" },
  });
}

function alerting(app: App, variant: Variant): void {
  const stack = new TerraformStack(app, "alerting");
  new GrafanaProvider(stack, "grafana", { url: "https://grafana.example.com" });
  new ContactPoint(stack, "oncall", {
    name: "oncall",
    slack: [{ url: SECRETS.slackWebhook[variant], recipient: "#oncall" }],
  });
}

/** Unchanged infrastructure, but head moves the zone into a wrapper construct so that its `//` metadata differs. */
function dns(app: App, variant: Variant): void {
  const stack = new TerraformStack(app, "dns");
  new AwsProvider(stack, "aws", { region: "eu-central-1" });
  const scope = variant === "base" ? stack : new Construct(stack, "zones");
  new Route53Zone(scope, "zone", { name: "polysync.example.com" }).overrideLogicalId("zone");
}

function legacy(app: App): void {
  const stack = new TerraformStack(app, "legacy");
  new AwsProvider(stack, "aws", { region: "eu-central-1" });
  new S3Bucket(stack, "old", { bucket: "polysync-legacy" });
}

function edge(app: App): void {
  const stack = new TerraformStack(app, "edge");
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  new S3Bucket(stack, "static", { bucket: "polysync-edge" });
}
