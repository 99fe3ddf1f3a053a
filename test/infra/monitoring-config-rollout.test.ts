import { App, TerraformStack, TerraformVariable, Testing } from "cdktf";
import { renderRuleFiles, type RenderedRuleFile } from "../../alerts/render";
import { APPLY_SCRIPT_PATH, BUNDLE_PATH, DEPLOY_USER } from "../../constructs/monitoring/monitoring-config-apply";
import { MonitoringConfigRollout } from "../../constructs/monitoring/monitoring-config-rollout";
import { HcloudProvider } from "../../providers/gen/hcloud/provider";
import { Server } from "../../providers/gen/hcloud/server";
import { diffSynthOutputs } from "../../stacks/change-summary/diff";
import { PolicyGuard } from "../../stacks/policy/guard";
import { checkNoSecrets } from "../../stacks/policy/no-secrets";
import { TOPOLOGY } from "../../stacks/topology";
import { parseTopology } from "../../stacks/topology/schema";
import { PROVIDERS, loadProviderSchema } from "../../providers/catalogue";
import { validateStack } from "../../stacks/verify/schema-validation";
import { synthAll } from "./synth";
import { globalStacks, monitoringHosts } from "./monitoring-hosts";

// The rules as the stacks see them, swappable per synth: a rule change must not reach the servers.
jest.mock("../../alerts/render", () => {
  const actual = jest.requireActual("../../alerts/render");
  return { ...actual, renderRuleFiles: jest.fn(actual.renderRuleFiles) };
});
const realRuleFiles: () => RenderedRuleFile[] = jest.requireActual("../../alerts/render").renderRuleFiles;

describe("monitoring config rollout", () => {
  const { stacks } = synthAll();
  const production = stacks["production-global"];

  it("uploads the bundle over SSH as the deploy user and runs the apply script, once per host", () => {
    const hosts = monitoringHosts(production);
    expect(hosts).toHaveLength(2);
    for (const { rollout, bundleLocal } of hosts) {
      expect(rollout.connection).toEqual({
        type: "ssh",
        host: expect.stringMatching(/^\$\{hcloud_primary_ip\.monitoring_ipv4-\d_\w+\.ip_address\}$/),
        port: TOPOLOGY.ports.ssh,
        user: DEPLOY_USER,
        private_key: "${var.monitoring_deploy_ssh_private_key}",
      });
      expect(rollout.provisioner).toEqual([
        { file: { content: `\${local.${bundleLocal}}`, destination: BUNDLE_PATH } },
        { "remote-exec": { inline: [expect.stringContaining("cloud-init status --wait"), `sudo -n ${APPLY_SCRIPT_PATH}`] } },
      ]);
      // Replaced, and so run again, whenever the uploaded bytes or the server change.
      expect(rollout.triggers_replace).toEqual({
        bundle_sha256: `\${sha256(local.${bundleLocal})}`,
        server_id: expect.stringMatching(/^\$\{hcloud_server\.monitoring_host-\d_\w+\.id\}$/),
      });
    }
    expect(new Set(hosts.map((h) => h.bundle.files["prometheus.yml"])).size).toBe(2);
  });

  it("takes the private key from a sensitive variable that plans without a value", () => {
    expect(production.variable).toEqual({
      monitoring_deploy_ssh_private_key: expect.objectContaining({ type: "string", sensitive: true, default: "" }),
    });
    expect(checkNoSecrets(production)).toEqual([]);
  });

  it("passes schema validation, which knows terraform_data", () => {
    const schemas = PROVIDERS.map((p) => loadProviderSchema(p.name));
    for (const [name, stack] of Object.entries(stacks)) expect(validateStack(name, stack, schemas)).toEqual([]);
    const typo = { resource: { terraform_data: { r: { trigger_replace: { a: "b" } } } } };
    expect(validateStack("typo", typo, schemas)).toEqual([
      { stack: "typo", address: "terraform_data.r", attribute: "trigger_replace", message: "unknown attribute or block (not in the provider schema)" },
    ]);
  });

  it("changes only the bundles when the rules change: the servers' user_data stays as it was", () => {
    const changed = (): RenderedRuleFile[] => [
      ...realRuleFiles().map((f, i) => (i === 0 ? { ...f, content: `${f.content}# changed\n` } : f)),
      { file: "added.yml", content: "groups: []\n" },
    ];
    (renderRuleFiles as jest.Mock).mockImplementation(changed);
    try {
      const after = synthAll().stacks;
      for (const [name, stack] of globalStacks(stacks)) {
        const [before, head] = [monitoringHosts(stack), monitoringHosts(after[name])];
        expect(head.map((h) => h.userData)).toEqual(before.map((h) => h.userData));
        expect(head.map((h) => Object.keys(h.bundle.files).filter((p) => p.startsWith("rules/")).length)).toEqual(
          before.map((h) => Object.keys(h.bundle.files).filter((p) => p.startsWith("rules/")).length + 1),
        );
      }
      const changes = diffSynthOutputs({ stacks }, { stacks: after }).flatMap((s) => s.resources.map((r) => `${s.stack} ${r.address}`));
      const bundles = globalStacks(stacks).flatMap(([name, stack]) => monitoringHosts(stack).map((h) => `${name} local.${h.bundleLocal}`));
      expect(changes.sort()).toEqual(bundles.sort());
    } finally {
      (renderRuleFiles as jest.Mock).mockImplementation(realRuleFiles);
    }
  });

  it("escapes Terraform template syntax in rule text and resolves its own references", () => {
    const app = new App({ outdir: Testing.app().outdir });
    const stack = new TerraformStack(app, "escape");
    new HcloudProvider(stack, "hcloud", {});
    const server = new Server(stack, "s", { name: "s", serverType: "cx22", image: "debian-12" });
    const rollout = new MonitoringConfigRollout(stack, "r", {
      server,
      host: server.ipv4Address,
      sshPort: 22,
      bundle: `label_replace(up, "x", "\${1}", "y", "(.*)") %{if} at ${server.ipv4Address}`,
      privateKey: "${var.k}",
    });
    const locals = stack.toTerraform().locals as Record<string, string>;
    expect(locals[rollout.bundle.friendlyUniqueId]).toBe(
      'label_replace(up, "x", "$${1}", "y", "(.*)") %%{if} at ${hcloud_server.s.ipv4_address}',
    );
  });

  it("refuses a private key that is not a sensitive variable", () => {
    const app = new App({ outdir: Testing.app().outdir });
    const stack = new TerraformStack(app, "leaky");
    PolicyGuard.attach(stack, { environment: "staging", adminPorts: [22] });
    new HcloudProvider(stack, "hcloud", {});
    const key = new TerraformVariable(stack, "key", { type: "string" });
    const server = new Server(stack, "s", { name: "s", serverType: "cx22", image: "debian-12" });
    new MonitoringConfigRollout(stack, "r", { server, host: server.ipv4Address, sshPort: 22, bundle: "{}", privateKey: key.stringValue });
    expect(() => app.synth()).toThrow(/policy no-secrets: terraform_data\.r_apply_\w+: attribute "private_key" is set/);
  });
});

describe("the deploy public key in the topology", () => {
  const withKey = (deployPublicKey: string) => () =>
    parseTopology({
      ...TOPOLOGY,
      environments: TOPOLOGY.environments.map((e) => ({ ...e, monitoring: { ...e.monitoring, deployPublicKey } })),
    });
  const valid = TOPOLOGY.environments[0].monitoring.deployPublicKey;

  it("accepts an ssh-ed25519 key with or without a comment", () => {
    expect(withKey(valid)).not.toThrow();
    expect(withKey(valid.split(" ").slice(0, 2).join(" "))).not.toThrow();
  });

  it("refuses other key types, damaged keys and a second line", () => {
    const message = /monitoring\.deployPublicKey: an OpenSSH ssh-ed25519 public key on one line/;
    expect(withKey(valid.replace("ssh-ed25519", "ssh-rsa"))).toThrow(message);
    expect(withKey(valid.replace("AAAAC3NzaC1lZDI1NTE5", "AAAAC3NzaC1lZDI1NTE4"))).toThrow(message);
    expect(withKey(`${valid}\nssh-ed25519 ${valid.split(" ")[1]} intruder`)).toThrow(message);
    expect(withKey("-----BEGIN OPENSSH PRIVATE KEY-----")).toThrow(message);
  });
});
