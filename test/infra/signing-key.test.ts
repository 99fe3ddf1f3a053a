/**
 * Cross-region exactly-once needs one signer per environment: the order's `signer` is part of the EIP-712 hash the
 * venue dedupes on. So every region's signing key must be the environment's multi-Region primary or a replica of it.
 */
import { Testing } from "cdktf";
import { PolysyncRegion } from "../../constructs/polysync-region";
import type { StackJson } from "../../stacks/policy";
import { TOPOLOGY, environment } from "../../stacks/topology";
import { resourcesOf, synthAll } from "./synth";

type Resources = Record<string, Record<string, Record<string, unknown>>>;

const { stacks } = synthAll();
const resources = (stack: StackJson) => (stack.resource ?? {}) as Resources;

/** Follows `${data.terraform_remote_state.X.outputs.Y}` to the producing stack's output, then to the resource it names. */
function resolveCrossStack(consumer: StackJson, expression: string): { stack: string; address: string } {
  const [, dataSource, output] = /^\$\{data\.terraform_remote_state\.([\w-]+)\.outputs\.([\w-]+)\}$/.exec(expression)!;
  const remote = (consumer.data as Record<string, Record<string, { config: { key: string } }>>).terraform_remote_state[dataSource];
  const [, stack] = /^polysync\/(.+)\.tfstate$/.exec(remote.config.key)!;
  const value = (stacks[stack].output as Record<string, { value: string }>)[output].value;
  const [, address] = /^\$\{(aws_kms_key\.[\w-]+)\.arn\}$/.exec(value)!;
  return { stack, address };
}

describe.each(TOPOLOGY.environments.map((e) => e.name))("%s order-signing keys", (envName) => {
  const env = environment(TOPOLOGY, envName);
  const primaryStack = `${envName}-${env.signingKeyPrimaryRegion}`;
  const regionStacks = env.regions.map((r) => `${envName}-${r.name}`);

  it("has one multi-Region secp256k1 primary, in the region the topology names", () => {
    const primaries = regionStacks.flatMap((name) =>
      Object.entries(resources(stacks[name]).aws_kms_key ?? {})
        .filter(([, k]) => k.key_usage === "SIGN_VERIFY")
        .map(([id, k]) => ({ name, address: `aws_kms_key.${id}`, multiRegion: k.multi_region, spec: k.customer_master_key_spec })),
    );
    expect(primaries).toEqual([{ name: primaryStack, address: expect.any(String), multiRegion: true, spec: "ECC_SECG_P256K1" }]);
  });

  it("signs in every other region with a replica of that one primary", () => {
    const [primaryId] = Object.entries(resources(stacks[primaryStack]).aws_kms_key).find(([, k]) => k.key_usage === "SIGN_VERIFY")!;
    for (const name of regionStacks.filter((n) => n !== primaryStack)) {
      const replicas = resourcesOf(stacks[name], "aws_kms_replica_key");
      expect({ name, replicas: replicas.length }).toEqual({ name, replicas: 1 });
      expect(resolveCrossStack(stacks[name], replicas[0].primary_key_arn as string)).toEqual({ stack: primaryStack, address: `aws_kms_key.${primaryId}` });
      // No key of its own that could sign.
      expect(resourcesOf(stacks[name], "aws_kms_key").filter((k) => k.key_usage === "SIGN_VERIFY")).toEqual([]);
    }
  });

  it("keeps each key sign-only for its own region's executor role, and lets administrators replicate the primary", () => {
    for (const name of regionStacks) {
      const key =
        resourcesOf(stacks[name], "aws_kms_replica_key")[0] ?? resourcesOf(stacks[name], "aws_kms_key").find((k) => k.key_usage === "SIGN_VERIFY")!;
      const policy = JSON.parse(key.policy as string) as { Statement: Array<{ Sid: string; Action: string[]; Principal: { AWS: unknown } }> };
      const sign = policy.Statement.find((s) => s.Sid === "SignOnlyForExecutors")!;
      expect(sign.Action).toEqual(["kms:Sign", "kms:GetPublicKey"]);
      expect(sign.Principal.AWS).toEqual([expect.stringMatching(/^\$\{aws_iam_role\.host-roles_executor-role_\w+\.arn\}$/)]);
      const admin = policy.Statement.find((s) => s.Sid === "KeyAdministration")!;
      expect(admin.Action).toContain("kms:ReplicateKey");
      expect(admin.Action).not.toContain("kms:Sign");
      expect(key.deletion_window_in_days).toBe(env.deletionProtection ? 30 : 7);
    }
  });
});

describe("PolysyncRegion signing-key wiring", () => {
  const production = environment(TOPOLOGY, "production");
  const props = { topology: TOPOLOGY, environment: production, monitoring: { sourceAddresses: [] }, bundles: {} };

  it("refuses a replica region without the primary's ARN, naming where it comes from", () => {
    expect(() => new PolysyncRegion(Testing.app(), { ...props, region: production.regions[1] })).toThrow(
      "production-us-east replicates the signing key of production-eu-central: pass that stack's keys.signingKey.arn as primarySigningKeyArn",
    );
  });

  it("refuses a primary ARN for the region that holds the primary", () => {
    expect(() => new PolysyncRegion(Testing.app(), { ...props, region: production.regions[0], primarySigningKeyArn: "arn:aws:kms:x" })).toThrow(
      "production-eu-central holds production's primary signing key: it takes no primarySigningKeyArn",
    );
  });
});
