/**
 * The deployment topology as code: environments × regions × RPC providers. Adding a region means adding one entry to
 * an environment's `regions`; the app turns each entry into one `PolysyncRegion`.
 */
import { parseTopology, type Region, type RpcProvider, type Topology } from "./schema";

export * from "./schema";

/** The same four providers everywhere; each region keeps its own keys (separate quotas, separate blast radius). */
function rpcProviders(quicknodeEndpoint: string): RpcProvider[] {
  return [
    {
      name: "alchemy",
      http: "https://polygon-mainnet.g.alchemy.com/v2/{apiKey}",
      ws: "wss://polygon-mainnet.g.alchemy.com/v2/{apiKey}",
      apiKeySecret: "rpc/alchemy",
      priority: 1,
      rateLimitRps: 330,
    },
    {
      name: "quicknode",
      http: `https://${quicknodeEndpoint}.matic.quiknode.pro/{apiKey}/`,
      ws: `wss://${quicknodeEndpoint}.matic.quiknode.pro/{apiKey}/`,
      apiKeySecret: "rpc/quicknode",
      priority: 1,
      rateLimitRps: 250,
    },
    {
      name: "infura",
      http: "https://polygon-mainnet.infura.io/v3/{apiKey}",
      ws: "wss://polygon-mainnet.infura.io/ws/v3/{apiKey}",
      apiKeySecret: "rpc/infura",
      priority: 2,
      rateLimitRps: 100,
    },
    {
      name: "drpc",
      http: "https://lb.drpc.org/ogrpc?network=polygon&dkey={apiKey}",
      ws: "wss://lb.drpc.org/ogws?network=polygon&dkey={apiKey}",
      apiKeySecret: "rpc/drpc",
      priority: 3,
      rateLimitRps: 100,
    },
  ];
}

interface RegionSpec {
  name: string;
  awsRegion: string;
  hetznerLocation: Region["hetzner"]["location"];
  networkZone: Region["hetzner"]["networkZone"];
  /** Second octet of the region's address space: AWS VPC 10.N.0.0/16, Hetzner network 10.(100+N).0.0/16. */
  octet: number;
  /** Dedicated-vCPU type and count, the same for listener and executor hosts. */
  hosts: { serverType: string; count: number };
  quicknodeEndpoint: string;
}

/** One row per region: the parts that differ. Address plans are derived so regions can never overlap by typo. */
function region(spec: RegionSpec): Region {
  return {
    name: spec.name,
    aws: {
      region: spec.awsRegion,
      availabilityZones: [`${spec.awsRegion}a`, `${spec.awsRegion}b`],
      vpcCidr: `10.${spec.octet}.0.0/16`,
    },
    hetzner: {
      location: spec.hetznerLocation,
      networkZone: spec.networkZone,
      networkCidr: `10.${100 + spec.octet}.0.0/16`,
      listener: spec.hosts,
      executor: spec.hosts,
    },
    rpcProviders: rpcProviders(spec.quicknodeEndpoint),
  };
}

const PRODUCTION_HOSTS = { serverType: "ccx23", count: 2 };

export const REGIONS = {
  euCentral: region({
    name: "eu-central",
    awsRegion: "eu-central-1",
    hetznerLocation: "fsn1",
    networkZone: "eu-central",
    octet: 10,
    hosts: PRODUCTION_HOSTS,
    quicknodeEndpoint: "polysync-eu",
  }),
  usEast: region({
    name: "us-east",
    awsRegion: "us-east-1",
    hetznerLocation: "ash",
    networkZone: "us-east",
    octet: 20,
    hosts: PRODUCTION_HOSTS,
    quicknodeEndpoint: "polysync-us",
  }),
  apSoutheast: region({
    name: "ap-southeast",
    awsRegion: "ap-southeast-1",
    hetznerLocation: "sin",
    networkZone: "ap-southeast",
    octet: 30,
    hosts: PRODUCTION_HOSTS,
    quicknodeEndpoint: "polysync-ap",
  }),
  stagingEuCentral: region({
    name: "eu-central",
    awsRegion: "eu-central-1",
    hetznerLocation: "nbg1",
    networkZone: "eu-central",
    octet: 50,
    hosts: { serverType: "ccx13", count: 1 },
    quicknodeEndpoint: "polysync-staging",
  }),
} satisfies Record<string, Region>;

export const TOPOLOGY: Topology = parseTopology({
  project: "polysync",
  owner: "platform-sre",
  // Documentation ranges (RFC 5737) stand in for the office and VPN egress ranges until they are filled in.
  adminCidrs: ["198.51.100.0/28", "203.0.113.16/28"],
  sshKeys: ["platform-sre-ops"],
  state: { bucket: "polysync-terraform-state", region: "eu-central-1" },
  rolesAnywhereTrustAnchorArn:
    "arn:aws:rolesanywhere:eu-central-1:111122223333:trust-anchor/6f1f5c6e-4a8d-4c1e-9b7a-2d5e8f3a1b90",
  ports: {
    ssh: 22,
    listenerMetrics: 9464,
    executorMetrics: 9465,
    latencyExporterMetrics: 9466,
    nodeExporter: 9100,
    prometheus: 9090,
    alertmanager: 9093,
    alertmanagerCluster: 9094,
  },
  environments: [
    {
      name: "staging",
      deletionProtection: false,
      monitoring: {
        locations: ["nbg1"],
        serverType: "cx32",
        retentionDays: 7,
        deployPublicKey:
          "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKfkX1yINdaDf7S5O3ko2YdEnLOFD2hJ5DHYKUH7ENn6 polysync-staging-monitoring-deploy",
      },
      latencyExporter: { serverType: "ccx13", count: 1 },
      grafana: { url: "https://polysync-staging.grafana.net", sourceCidrs: ["192.0.2.0/28"] },
      regions: [REGIONS.stagingEuCentral],
      signingKeyPrimaryRegion: "eu-central",
    },
    {
      name: "production",
      deletionProtection: true,
      monitoring: {
        locations: ["fsn1", "hel1"],
        serverType: "ccx23",
        retentionDays: 30,
        deployPublicKey:
          "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIL+DR7b/9O1/N82w5VNE3w/DCqu+rIJvSYUJy7sFN/DG polysync-production-monitoring-deploy",
      },
      // The smallest dedicated-vCPU type: shared vCPUs' scheduling jitter would show up as provider latency.
      latencyExporter: { serverType: "ccx13", count: 1 },
      grafana: { url: "https://polysync.grafana.net", sourceCidrs: ["192.0.2.16/28"] },
      regions: [REGIONS.euCentral, REGIONS.usEast, REGIONS.apSoutheast],
      signingKeyPrimaryRegion: "eu-central",
    },
  ],
});

export function environment(topology: Topology, name: string) {
  const env = topology.environments.find((e) => e.name === name);
  if (!env)
    throw new Error(`unknown environment "${name}": have ${topology.environments.map((e) => e.name).join(", ")}`);
  return env;
}
