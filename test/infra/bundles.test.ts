/**
 * From `npm run bundle` to the hosts: a freshly built manifest synthesized into the real topology uploads each
 * archive by its hash and points every region's hosts at it, without touching user_data.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildBundles } from "../../services/deploy/bundle";
import { readBundleManifest, sha256Hex, type BundleManifest } from "../../services/deploy/manifest";
import type { StackJson } from "../../stacks/policy";
import { TOPOLOGY } from "../../stacks/topology";
import { resourcesOf, synthAll, type Synthesized } from "./synth";

jest.setTimeout(120_000);

const REGION_STACKS = TOPOLOGY.environments.flatMap((e) => e.regions.map((r) => `${e.name}-${r.name}`));

const pointer = (stack: StackJson, service: string) =>
  JSON.parse(resourcesOf(stack, "aws_ssm_parameter").find((p) => String(p.name).endsWith(`/bundles/${service}`))!.value as string);
const userData = (synth: Synthesized) =>
  Object.fromEntries(REGION_STACKS.map((name) => [name, resourcesOf(synth.stacks[name], "hcloud_server").map((s) => s.user_data)]));

describe("released bundles in the region stacks", () => {
  let manifest: BundleManifest;
  let released: Synthesized;
  let unreleased: Synthesized;
  beforeAll(async () => {
    // The listener stands for any service: the path from manifest to stack is the same for each.
    const outdir = join(mkdtempSync(join(tmpdir(), "polysync-dist-")), "dist");
    manifest = await buildBundles({ outdir, services: ["listener"] });
    released = synthAll({ bundles: readBundleManifest(join(outdir, "manifest.json")) });
    unreleased = synthAll();
  });

  it("uploads the current listener archive to every region's artifact bucket under its sha256", () => {
    const { sha256 } = manifest.services.listener!;
    for (const name of REGION_STACKS) {
      const objects = resourcesOf(released.stacks[name], "aws_s3_object");
      expect({ name, objects: objects.map((o) => [o.key, o.source_hash, o.bucket]) }).toEqual({
        name,
        objects: [[`bundles/listener/${sha256}.tgz`, sha256, expect.stringMatching(/^\$\{aws_s3_bucket\.artifacts_bucket_\w+\.id\}$/)]],
      });
      // The archive travels with the stack's synth output: what CI plans is what it uploads.
      const source = join(released.outdir, "stacks", name, objects[0].source as string);
      expect(sha256Hex(readFileSync(source))).toBe(sha256);
    }
  });

  it("points every region's hosts at that archive, and leaves a service without a bundle unreleased", () => {
    const { version, sha256 } = manifest.services.listener!;
    for (const name of REGION_STACKS) {
      const stack = released.stacks[name];
      expect({ name, pointer: pointer(stack, "listener") }).toEqual({ name, pointer: { version, sha256, key: `bundles/listener/${sha256}.tgz` } });
      expect({ name, pointer: pointer(stack, "executor") }).toEqual({ name, pointer: { version: "unreleased" } });
      // The pointer changes only after its object exists.
      const param = Object.values((stack.resource as Record<string, Record<string, Record<string, unknown>>>).aws_ssm_parameter).find((p) =>
        String(p.name).endsWith("/bundles/listener"),
      )!;
      expect(param.depends_on).toEqual([expect.stringMatching(/^aws_s3_object\./)]);
    }
  });

  it("changes no server's user_data: a release never replaces a host", () => {
    expect(userData(released)).toEqual(userData(unreleased));
    for (const name of REGION_STACKS) expect(resourcesOf(unreleased.stacks[name], "aws_s3_object")).toEqual([]);
  });
});
