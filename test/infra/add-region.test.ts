import { TOPOLOGY, type Region, type Topology } from "../../stacks/topology";
import { parseTopology } from "../../stacks/topology/schema";
import { synthAll } from "./synth";

/** A fourth production region, as an engineer would add it. */
const US_WEST: Region = {
  ...TOPOLOGY.environments[1].regions[1],
  name: "us-west",
  aws: { region: "us-west-2", availabilityZones: ["us-west-2a", "us-west-2b"], vpcCidr: "10.40.0.0/16" },
  hetzner: { ...TOPOLOGY.environments[1].regions[1].hetzner, location: "hil", networkZone: "us-west", networkCidr: "10.140.0.0/16" },
};

function withRegion(topology: Topology, envName: string, region: Region): Topology {
  return parseTopology({
    ...topology,
    environments: topology.environments.map((e) => (e.name === envName ? { ...e, regions: [...e.regions, region] } : e)),
  });
}

describe("adding a region", () => {
  const before = synthAll();
  const after = synthAll({ topology: withRegion(TOPOLOGY, "production", US_WEST) });

  it("adds exactly one stack for the new region", () => {
    const added = Object.keys(after.stacks).filter((s) => !(s in before.stacks));
    expect(added).toEqual(["production-us-west"]);
    expect(Object.keys(before.stacks).filter((s) => !(s in after.stacks))).toEqual([]);
  });

  it("leaves every existing stack byte-for-byte unchanged", () => {
    for (const name of Object.keys(before.stacks)) {
      expect({ name, json: after.stacks[name] }).toEqual({ name, json: before.stacks[name] });
    }
  });

  it("creates the region's own hosts, keys, secrets and network", () => {
    const stack = after.stacks["production-us-west"];
    const resource = stack.resource as Record<string, Record<string, Record<string, unknown>>>;
    // Two listeners, two executors and the environment's one latency exporter host, all in the new location.
    expect(Object.values(resource.hcloud_server).map((s) => s.location)).toEqual(["hil", "hil", "hil", "hil", "hil"]);
    // Its own data key, and a replica of production's signing key rather than a key of its own.
    expect(Object.keys(resource.aws_kms_key)).toHaveLength(1);
    expect(Object.keys(resource.aws_kms_replica_key)).toHaveLength(1);
    expect(Object.keys(resource.aws_secretsmanager_secret)).toHaveLength(5);
    expect(Object.values(resource.hcloud_network)[0].ip_range).toBe("10.140.0.0/16");
    expect((stack.terraform as { backend: { s3: { key: string } } }).backend.s3.key).toBe("polysync/production-us-west.tfstate");
  });

  it("refuses a region whose name is already taken", () => {
    expect(() => withRegion(TOPOLOGY, "production", { ...US_WEST, name: "eu-central" })).toThrow(
      /environments\.1\.regions: region names must be unique/,
    );
  });
});
