/**
 * Everything one region needs, in one stack: instantiate this once per (environment, region) and the region exists.
 *
 * | part                        | where   | construct       |
 * |-----------------------------|---------|-----------------|
 * | hosts, a group per service  | Hetzner | ServiceHosts    |
 * | private network, firewall   | Hetzner | RegionNetwork, HostFirewall |
 * | VPC in ≥2 AZs, jobs SG      | AWS     | RegionVpc       |
 * | signing key, data key       | AWS     | RegionKeys      |
 * | RPC + signer secret slots   | AWS     | RegionSecrets   |
 * | artifact bucket             | AWS     | ArtifactBucket  |
 * | released bundles            | AWS S3  | BundleObject    |
 * | host identities             | AWS     | HostRoles       |
 * | RPC config, bundle pointers | AWS SSM | (below)         |
 */
import { Construct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { HcloudProvider } from "../providers/gen/hcloud/provider";
import {
  SERVICE_NAMES,
  hostGroupOf,
  metricsPorts,
  type Environment,
  type Region,
  type ServiceName,
  type Topology,
} from "../stacks/topology/schema";
import { configureBackend } from "../stacks/backend";
import { PolicyGuard } from "../stacks/policy/guard";
import { resourceName, serviceTags, stackTags, type DeploymentContext } from "./context";
import { bundlePointer, type BundleSet } from "./bundles";
import { RegionVpc } from "./aws/region-vpc";
import { RegionKeys } from "./aws/region-keys";
import { RegionSecrets } from "./aws/region-secrets";
import { ArtifactBucket } from "./aws/artifact-bucket";
import { BundleObject } from "./aws/bundle-object";
import { HostRoles } from "./aws/host-roles";
import { RegionNetwork } from "./hetzner/region-network";
import { HostFirewall } from "./hetzner/firewall";
import { serviceHostRules } from "./hetzner/firewall-rules";
import { ServiceHosts } from "./hetzner/service-hosts";
import { renderServiceHostCloudInit } from "./hetzner/cloud-init";

/** What a region needs from its environment's global stack. */
export interface MonitoringEndpoints {
  /** Public IPv4 addresses of the Prometheus hosts (may be tokens from the global stack). */
  sourceAddresses: string[];
}

export interface PolysyncRegionProps {
  topology: Topology;
  environment: Environment;
  region: Region;
  monitoring: MonitoringEndpoints;
  /** Service bundles the hosts must run; a missing entry leaves that service unreleased in this region. */
  bundles: BundleSet;
  /**
   * The environment's multi-Region signing key (`keys.signingKey.arn` of the region stack named by
   * `environment.signingKeyPrimaryRegion`), which this region replicates. Only that region itself passes none.
   */
  primarySigningKeyArn?: string;
}

export function regionStackName(environment: Environment, region: Region): string {
  return `${environment.name}-${region.name}`;
}

export class PolysyncRegion extends TerraformStack {
  readonly context: DeploymentContext;
  readonly hosts: Record<ServiceName, ServiceHosts>;
  readonly artifacts: ArtifactBucket;
  readonly keys: RegionKeys;

  constructor(scope: Construct, props: PolysyncRegionProps) {
    const name = regionStackName(props.environment, props.region);
    super(scope, name);
    const { topology, environment, region } = props;
    const holdsPrimaryKey = environment.signingKeyPrimaryRegion === region.name;
    if (holdsPrimaryKey !== (props.primarySigningKeyArn === undefined)) {
      throw new Error(
        holdsPrimaryKey
          ? `${name} holds ${environment.name}'s primary signing key: it takes no primarySigningKeyArn`
          : `${name} replicates the signing key of ${environment.name}-${environment.signingKeyPrimaryRegion}: ` +
            "pass that stack's keys.signingKey.arn as primarySigningKeyArn",
      );
    }
    const protect = environment.deletionProtection;
    const ctx: DeploymentContext = { project: topology.project, owner: topology.owner, env: environment.name, region: region.name };
    this.context = ctx;

    configureBackend(this, topology.project, name, topology.state);
    PolicyGuard.attach(this, { environment: environment.name, adminPorts: adminPorts(topology) });
    new AwsProvider(this, "aws", { region: region.aws.region, defaultTags: [{ tags: stackTags(ctx) }] });
    // The token comes from HCLOUD_TOKEN in the deploying job's environment, never from configuration.
    new HcloudProvider(this, "hcloud", {});
    const accountId = new DataAwsCallerIdentity(this, "account").accountId;

    const roles = new HostRoles(this, "host-roles", {
      context: ctx,
      trustAnchorArn: topology.rolesAnywhereTrustAnchorArn,
      services: SERVICE_NAMES,
    });
    this.keys = new RegionKeys(this, "keys", {
      context: ctx,
      accountId,
      awsRegion: region.aws.region,
      primarySigningKeyArn: props.primarySigningKeyArn,
      signerRoleArns: [roles.role("executor").arn],
      readerRoleArns: [...roles.roles.values()].map((r) => r.arn),
      deletionProtection: protect,
    });
    const secrets = new RegionSecrets(this, "secrets", {
      context: ctx,
      rpcSecretNames: region.rpcProviders.map((p) => p.apiKeySecret),
      kmsKeyArn: this.keys.dataKey.arn,
      deletionProtection: protect,
    });
    this.artifacts = new ArtifactBucket(this, "artifacts", {
      context: ctx,
      accountId,
      kmsKeyArn: this.keys.dataKey.arn,
      deletionProtection: protect,
    });

    const parameterPrefix = `/${topology.project}/${environment.name}/${region.name}`;
    const rpcConfigName = `${parameterPrefix}/rpc-providers`;
    const bundleParameterName = (service: ServiceName) => `${parameterPrefix}/bundles/${service}`;
    const rpcConfig = new SsmParameter(this, "rpc-providers", {
      name: rpcConfigName,
      type: "String",
      description: "RPC providers of this region: endpoints with an {apiKey} placeholder and the secret holding the key",
      value: JSON.stringify(
        region.rpcProviders.map((p) => ({
          name: p.name,
          http: p.http,
          ws: p.ws,
          apiKeySecretArn: secrets.rpcSecrets.get(p.apiKeySecret)!.arn,
          priority: p.priority,
          rateLimitRps: p.rateLimitRps,
        })),
      ),
      tags: serviceTags("listener"),
    });
    const bundleParameters = Object.fromEntries(
      SERVICE_NAMES.map((service) => {
        const bundle = props.bundles[service];
        const upload =
          bundle && new BundleObject(this, `bundle-${service}-upload`, { service, bundle, bucket: this.artifacts.bucket.id });
        const pointer = new SsmParameter(this, `bundle-${service}`, {
          name: bundleParameterName(service),
          type: "String",
          description: `Bundle ${service} hosts run; hosts follow changes without being replaced`,
          value: bundlePointer(service, bundle),
          tags: serviceTags(service),
          // Hosts act on a new pointer within a minute: it may only name an object that is already uploaded.
          dependsOn: upload ? [upload.object] : undefined,
        });
        return [service, pointer];
      }),
    ) as Record<ServiceName, SsmParameter>;

    // Every service reads the RPC keys: the listener and executor to follow the chain, the exporter to probe it.
    const rpcSecretArns = [...secrets.rpcSecrets.values()].map((s) => s.arn);
    const secretArnsFor = (service: ServiceName) =>
      service === "executor" ? [...rpcSecretArns, ...secrets.executorSecrets.map((s) => s.arn)] : rpcSecretArns;
    for (const service of SERVICE_NAMES) {
      roles.grant(service, {
        secretArns: secretArnsFor(service),
        parameterArns: [rpcConfig.arn, bundleParameters[service].arn],
        artifactBucketArn: this.artifacts.bucket.arn,
        dataKeyArn: this.keys.dataKey.arn,
        signingKeyArn: service === "executor" ? this.keys.signingKey.arn : undefined,
      });
    }

    new RegionVpc(this, "vpc", { context: ctx, cidr: region.aws.vpcCidr, availabilityZones: region.aws.availabilityZones });

    const network = new RegionNetwork(this, "hetzner-network", {
      context: ctx,
      ipRange: region.hetzner.networkCidr,
      networkZone: region.hetzner.networkZone,
      deletionProtection: protect,
    });
    new HostFirewall(this, "service-firewall", {
      context: ctx,
      role: "service-hosts",
      rules: serviceHostRules({
        sshPort: topology.ports.ssh,
        adminCidrs: topology.adminCidrs,
        monitoringSources: props.monitoring.sourceAddresses.map((ip) => `${ip}/32`),
        metricsPorts: [...Object.values(metricsPorts(topology)), topology.ports.nodeExporter],
      }),
      applyToLabelSelector: `project=${ctx.project},env=${ctx.env},region=${ctx.region}`,
    });

    const metricsPort = metricsPorts(topology);
    this.hosts = Object.fromEntries(
      SERVICE_NAMES.map((service) => {
        const group = hostGroupOf(environment, region, service);
        const hosts = new ServiceHosts(this, `${service}-hosts`, {
          context: ctx,
          service,
          serverType: group.serverType,
          count: group.count,
          location: region.hetzner.location,
          network,
          networkCidr: region.hetzner.networkCidr,
          sshKeys: topology.sshKeys,
          deletionProtection: protect,
          userData: renderServiceHostCloudInit({
            service,
            env: ctx.env,
            region: ctx.region,
            awsRegion: region.aws.region,
            metricsPort: metricsPort[service],
            // Literal names, not resource attributes: user_data must not change when a parameter is re-created.
            bundleParameter: bundleParameterName(service),
            artifactBucket: this.artifacts.bucket.bucket,
            rpcConfigParameter: rpcConfigName,
            secretArns: secretArnsFor(service),
            rolesAnywhere: {
              trustAnchorArn: topology.rolesAnywhereTrustAnchorArn,
              profileArn: roles.profile.arn,
              roleArn: roles.role(service).arn,
            },
          }),
        });
        new TerraformOutput(this, `${service}-ipv4`, { value: hosts.servers.map((s) => s.ipv4Address) });
        return [service, hosts];
      }),
    ) as Record<ServiceName, ServiceHosts>;
    new TerraformOutput(this, "signing-key-alias", { value: `alias/${resourceName(ctx, "order-signing")}` });
  }
}

/** Ports that must never be reachable from the internet: SSH, metrics and every monitoring API. */
export function adminPorts(topology: Topology): number[] {
  return Object.values(topology.ports);
}
