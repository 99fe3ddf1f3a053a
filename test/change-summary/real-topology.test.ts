import { TOPOLOGY, type Topology } from "../../stacks/topology";
import { parseTopology } from "../../stacks/topology/schema";
import { diffSynthOutputs } from "../../stacks/change-summary/diff";
import { renderMarkdown } from "../../stacks/change-summary/render";
import { loadSynthOutput } from "../../stacks/change-summary/load";
import { synthAll } from "../infra/synth";

function variant(edit: (t: Topology) => void): Topology {
  const copy = JSON.parse(JSON.stringify(TOPOLOGY)) as Topology;
  edit(copy);
  return parseTopology(copy);
}

describe("change summary on the project's own synth output", () => {
  const base = loadSynthOutput(synthAll().outdir);

  it("reports nothing for an identical topology", () => {
    const changes = diffSynthOutputs(base, loadSynthOutput(synthAll().outdir));
    expect(changes.every((c) => c.status === "unchanged")).toBe(true);
  });

  it("shows a resized production listener as a server_type change in that stack only", () => {
    const head = loadSynthOutput(
      synthAll({ topology: variant((t) => (t.environments[1].regions[0].hetzner.listener.serverType = "ccx33")) }).outdir,
    );
    const changes = diffSynthOutputs(base, head).filter((c) => c.status !== "unchanged");
    expect(changes.map((c) => c.stack)).toEqual(["production-eu-central"]);
    expect(changes[0].resources.map((r) => [r.action, r.changedPaths])).toEqual([
      ["change", ["server_type"]],
      ["change", ["server_type"]],
    ]);
    const markdown = renderMarkdown(changes);
    expect(markdown).toContain("### production-eu-central");
    expect(markdown).toContain("`server_type`: `ccx23` → `ccx33`");
  });

  it("shows a new region as one added stack and an SSH CIDR change on every firewall", () => {
    const head = loadSynthOutput(
      synthAll({
        topology: variant((t) => {
          t.adminCidrs = [...t.adminCidrs, "192.0.2.128/28"];
          t.environments[0].regions.push({ ...t.environments[0].regions[0], name: "us-east", hetzner: { ...t.environments[0].regions[0].hetzner, location: "ash", networkZone: "us-east" }, aws: { ...t.environments[0].regions[0].aws, region: "us-east-1", availabilityZones: ["us-east-1a", "us-east-1b"] } });
        }),
      }).outdir,
    );
    const changes = diffSynthOutputs(base, head);
    expect(changes.find((c) => c.stack === "staging-us-east")!.status).toBe("added");
    const firewallChanges = changes
      .flatMap((c) => c.resources.map((r) => ({ stack: c.stack, ...r })))
      .filter((r) => r.address.startsWith("hcloud_firewall."));
    expect(firewallChanges.filter((r) => r.action === "change")).toHaveLength(6);
    for (const r of firewallChanges.filter((r) => r.action === "change")) expect(r.changedPaths.join(" ")).toMatch(/^rule\[1\]\.source_ips\[2\]/);
    expect(renderMarkdown(changes)).not.toMatch(/AKIA|BEGIN [A-Z ]*PRIVATE KEY/);
  });
});
