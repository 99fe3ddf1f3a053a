/**
 * The shape of the deployment topology. Everything the stacks create is derived from one validated value of this
 * type, so a typo fails before synth with the path of the bad field instead of as a Terraform plan error later.
 */
import { z } from "zod";

const name = z.string().regex(/^[a-z][a-z0-9-]{1,30}[a-z0-9]$/, "lower-case letters, digits and '-', 3-32 chars");
const cidr = z
  .string()
  .regex(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$|^[0-9a-f:]+\/\d{1,3}$/i, "an IPv4 or IPv6 CIDR such as 203.0.113.0/24");
const port = z.number().int().min(1).max(65535);

/** `ssh-ed25519 <base64 key blob> [comment]`, the blob being the 51 bytes of an ed25519 key in SSH wire format. */
function isEd25519PublicKey(key: string): boolean {
  const match = /^ssh-ed25519 ([A-Za-z0-9+/]{68})( [^\r\n]*)?$/.exec(key);
  if (!match) return false;
  const blob = Buffer.from(match[1], "base64");
  const prefix = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from("ssh-ed25519"), Buffer.from([0, 0, 0, 32])]);
  return blob.length === prefix.length + 32 && blob.subarray(0, prefix.length).equals(prefix);
}

/** Services deployed to every region's Hetzner hosts, each on hosts of its own. */
export const SERVICE_NAMES = ["listener", "executor", "latency-exporter"] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** Endpoints carry `{apiKey}` where the provider wants the key in the URL; the key itself never enters the topology. */
const endpoint = (schemes: string[]) =>
  z
    .string()
    .url()
    .refine((u) => schemes.includes(new URL(u.replace("{apiKey}", "KEY")).protocol), {
      message: `must use ${schemes.join(" or ")}`,
    })
    .refine((u) => !/[0-9a-f]{24,}|[A-Za-z0-9_-]{32,}/.test(u.replace("{apiKey}", "")), {
      message: "looks like it embeds an API key: write {apiKey} where the key goes",
    });

export const RpcProviderSchema = z.object({
  name,
  http: endpoint(["https:"]),
  ws: endpoint(["wss:"]),
  /** Name of the Secrets Manager secret (under the region's prefix) that holds the key, set out of band. */
  apiKeySecret: z.string().regex(/^rpc\/[a-z0-9-]+$/, "of the form rpc/<provider>"),
  priority: z.number().int().min(1).max(10),
  rateLimitRps: z.number().int().positive(),
});
export type RpcProvider = z.infer<typeof RpcProviderSchema>;

const hostGroup = z.object({
  /** Dedicated-vCPU types only: shared vCPUs add scheduling jitter to the latency paths. */
  serverType: z.string().regex(/^ccx\d{2}$/, "a dedicated-vCPU type (ccxNN)"),
  count: z.number().int().min(1).max(10),
});
export type HostGroup = z.infer<typeof hostGroup>;

export const RegionSchema = z.object({
  name,
  aws: z.object({
    region: z.string().regex(/^[a-z]{2}-[a-z]+-\d$/, "an AWS region such as eu-central-1"),
    availabilityZones: z.array(z.string()).min(2, "at least two availability zones"),
    vpcCidr: cidr,
  }),
  hetzner: z.object({
    location: z.enum(["fsn1", "nbg1", "hel1", "ash", "hil", "sin"]),
    networkZone: z.enum(["eu-central", "us-east", "us-west", "ap-southeast"]),
    networkCidr: cidr,
    listener: hostGroup,
    executor: hostGroup,
  }),
  rpcProviders: z
    .array(RpcProviderSchema)
    .length(4, "exactly four RPC providers per region")
    .refine((ps) => new Set(ps.map((p) => p.name)).size === ps.length, { message: "provider names must be unique" }),
});
export type Region = z.infer<typeof RegionSchema>;

export const EnvironmentSchema = z
  .object({
    name: z.enum(["staging", "production"]),
    /** Stateful resources refuse deletion (provider flags and Terraform prevent_destroy). */
    deletionProtection: z.boolean(),
    monitoring: z.object({
      /** One Prometheus + Alertmanager host per location; two locations give an HA pair. */
      locations: z.array(z.enum(["fsn1", "nbg1", "hel1", "ash", "hil", "sin"])).min(1),
      serverType: z.string().regex(/^cc?x\d{2}$/),
      retentionDays: z.number().int().min(1).max(90),
      /**
       * Public half of the key the deploy's config rollout logs in to the monitoring hosts with; the private half is
       * the deploy job's TF_VAR_monitoring_deploy_ssh_private_key. One line, so it cannot smuggle in a second key.
       */
      deployPublicKey: z.string().refine(isEd25519PublicKey, "an OpenSSH ssh-ed25519 public key on one line"),
    }),
    /**
     * The latency exporter's hosts, the same in every region of the environment: apart from the listener's hosts (in
     * the region's location), so "is it the RPC?" is answered by a machine that does not share the listener's fate.
     */
    latencyExporter: hostGroup,
    grafana: z.object({
      url: z.string().url(),
      /** Source addresses of the Grafana instance, the only outside callers allowed to query Prometheus. */
      sourceCidrs: z.array(cidr).min(1),
    }),
    regions: z
      .array(RegionSchema)
      .min(1)
      .refine((rs) => new Set(rs.map((r) => r.name)).size === rs.length, { message: "region names must be unique" }),
    /**
     * The region holding the environment's multi-Region order-signing key; the others replicate it, so every region
     * signs as the same `signer`. Named, not implied by list order: moving the primary means replacing the key.
     */
    signingKeyPrimaryRegion: name,
  })
  .refine((e) => e.regions.some((r) => r.name === e.signingKeyPrimaryRegion), {
    message: "must name one of the environment's regions",
    path: ["signingKeyPrimaryRegion"],
  });
export type Environment = z.infer<typeof EnvironmentSchema>;

export const TopologySchema = z.object({
  project: name,
  owner: name,
  /** Operators' networks: the only sources allowed to reach SSH. */
  adminCidrs: z.array(cidr).min(1),
  /** Hetzner SSH key names registered out of band; cloud-init has no password logins. */
  sshKeys: z.array(z.string().min(1)).min(1),
  state: z.object({ bucket: z.string().min(3), region: z.string() }),
  /** Where hosts get AWS credentials from: an IAM Roles Anywhere trust anchor created out of band. */
  rolesAnywhereTrustAnchorArn: z.string().regex(/^arn:aws:rolesanywhere:[a-z0-9-]+:\d{12}:trust-anchor\/[0-9a-f-]+$/),
  ports: z.object({
    ssh: port,
    listenerMetrics: port,
    executorMetrics: port,
    latencyExporterMetrics: port,
    nodeExporter: port,
    prometheus: port,
    alertmanager: port,
    alertmanagerCluster: port,
  }),
  environments: z.array(EnvironmentSchema).min(1),
});
export type Topology = z.infer<typeof TopologySchema>;

/** Where each service serves /metrics (and /healthz, /readyz): firewalls and Prometheus's scrape jobs read this. */
export function metricsPorts(topology: Topology): Record<ServiceName, number> {
  return {
    listener: topology.ports.listenerMetrics,
    executor: topology.ports.executorMetrics,
    "latency-exporter": topology.ports.latencyExporterMetrics,
  };
}

/** The host group of a service in a region. */
export function hostGroupOf(environment: Environment, region: Region, service: ServiceName): HostGroup {
  return service === "latency-exporter" ? environment.latencyExporter : region.hetzner[service];
}

/** Parses a topology and turns zod's issues into one message naming every bad field by path. */
export function parseTopology(input: unknown): Topology {
  const result = TopologySchema.safeParse(input);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  ${i.path.join(".") || "(root)"}: ${i.message}`);
  throw new Error(`invalid topology:\n${lines.join("\n")}`);
}
