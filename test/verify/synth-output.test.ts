import { Testing } from "cdktf";
import { buildApp } from "../../stacks/app";
import { PolysyncRegion } from "../../constructs/polysync-region";
import { validateSynthOutput, formatViolation } from "../../stacks/verify/schema-validation";
import { synthAll } from "../infra/synth";
import { Server } from "../../providers/gen/hcloud/server";

describe("schema validation of the real topology", () => {
  it("every hcloud and grafana resource of every stack matches the provider schema", () => {
    const { outdir, stacks } = synthAll();
    expect(Object.keys(stacks)).toHaveLength(6);
    expect(validateSynthOutput(outdir).map(formatViolation)).toEqual([]);
  });

  it("names the stack, resource and attribute of a bad attribute on a real construct", () => {
    const outdir = Testing.app().outdir;
    const app = buildApp({ outdir });
    const region = app.node.findAll().find((c): c is PolysyncRegion => c instanceof PolysyncRegion && c.node.id === "staging-eu-central")!;
    const server = region.hosts.listener.servers[0];
    expect(server).toBeInstanceOf(Server);
    server.addOverride("server_typo", "ccx13");
    server.addOverride("backups", "sometimes");
    app.synth();
    const lines = validateSynthOutput(outdir).map(formatViolation);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^staging-eu-central: hcloud_server\.listener-hosts_host-1_[0-9A-F]+\.server_typo: .*not/i),
        expect.stringMatching(/^staging-eu-central: hcloud_server\.listener-hosts_host-1_[0-9A-F]+\.backups: expected bool/),
      ]),
    );
    expect(lines).toHaveLength(2);
  });
});
