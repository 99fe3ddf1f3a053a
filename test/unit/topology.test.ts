import { TOPOLOGY, environment, parseTopology } from "../../stacks/topology";

const clone = () => JSON.parse(JSON.stringify(TOPOLOGY));

describe("topology", () => {
  it("has staging with one region and production with three, each with four RPC providers", () => {
    expect(environment(TOPOLOGY, "staging").regions.map((r) => r.name)).toEqual(["eu-central"]);
    expect(environment(TOPOLOGY, "production").regions.map((r) => `${r.aws.region}+${r.hetzner.location}`)).toEqual([
      "eu-central-1+fsn1",
      "us-east-1+ash",
      "ap-southeast-1+sin",
    ]);
    for (const env of TOPOLOGY.environments) for (const r of env.regions) expect(r.rpcProviders).toHaveLength(4);
  });

  it("names the path of every bad field", () => {
    const bad = clone();
    bad.environments[1].regions[0].hetzner.listener.serverType = "cx22";
    bad.environments[1].regions[2].rpcProviders[1].ws = "https://example.com/{apiKey}";
    bad.adminCidrs = ["not-a-cidr"];
    expect(() => parseTopology(bad)).toThrow(
      new RegExp(
        [
          "invalid topology:",
          "  adminCidrs\\.0: an IPv4 or IPv6 CIDR such as 203\\.0\\.113\\.0/24",
          "  environments\\.1\\.regions\\.0\\.hetzner\\.listener\\.serverType: a dedicated-vCPU type \\(ccxNN\\)",
          "  environments\\.1\\.regions\\.2\\.rpcProviders\\.1\\.ws: must use wss:",
        ].join("\\n"),
      ),
    );
  });

  it("refuses an endpoint with an API key written into it", () => {
    const bad = clone();
    bad.environments[0].regions[0].rpcProviders[0].http = "https://polygon-mainnet.g.alchemy.com/v2/Zk3xQ9vLm2Rt8Yp4Wn6Bc1Df5Gh7Jk0a";
    expect(() => parseTopology(bad)).toThrow(/rpcProviders\.0\.http: looks like it embeds an API key: write \{apiKey\} where the key goes/);
  });

  it("requires exactly four providers per region", () => {
    const bad = clone();
    bad.environments[0].regions[0].rpcProviders.pop();
    expect(() => parseTopology(bad)).toThrow(/environments\.0\.regions\.0\.rpcProviders: exactly four RPC providers per region/);
  });

  it("requires the signing key's primary region to be one of the environment's regions", () => {
    const bad = clone();
    bad.environments[1].signingKeyPrimaryRegion = "us-west";
    expect(() => parseTopology(bad)).toThrow(/environments\.1\.signingKeyPrimaryRegion: must name one of the environment's regions/);
  });

  it("reports an unknown environment by name", () => {
    expect(() => environment(TOPOLOGY, "prod")).toThrow('unknown environment "prod": have staging, production');
  });
});
