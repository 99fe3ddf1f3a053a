import { rmSync } from "node:fs";
import { TerraformStack, Testing, Token } from "cdktf";
import { PROVIDERS, ProviderSchemaFile, loadProviderSchema } from "../../providers/catalogue";
import { Firewall } from "../../providers/gen/hcloud/firewall";
import { HcloudProvider } from "../../providers/gen/hcloud/provider";
import { Server } from "../../providers/gen/hcloud/server";
import {
  SchemaViolation,
  formatViolation,
  validateStack,
  validateSynthOutput,
} from "../../stacks/verify/schema-validation";

const schemas = PROVIDERS.map((p) => loadProviderSchema(p.name));

const validServer = {
  name: "listener-1",
  server_type: "cx22",
  image: "ubuntu-24.04",
  labels: { role: "listener" },
  ssh_keys: ["${hcloud_ssh_key.ops.id}"],
  // Terraform converts numeric and boolean strings, and cdktf emits references as strings for number attributes.
  placement_group_id: "${hcloud_placement_group.spread.id}",
  firewall_ids: ["${hcloud_firewall.edge.id}", 42],
  backups: "true",
  public_net: [{ ipv4_enabled: true, ipv6_enabled: false }],
  network: [{ network_id: "123", ip: "10.0.1.5" }],
  timeouts: { create: "10m" },
  depends_on: ["hcloud_network_subnet.private"],
  lifecycle: { ignore_changes: ["ssh_keys"] },
  "//": { metadata: { path: "net/listener_1" } },
};

const validFirewall = {
  name: "edge",
  rule: [
    { direction: "in", protocol: "tcp", port: "443", source_ips: ["0.0.0.0/0", "::/0"] },
    { direction: "in", protocol: "icmp", source_ips: ["0.0.0.0/0"] },
  ],
  apply_to: { label_selector: "role=listener" },
};

const validDashboard = {
  config_json: JSON.stringify({ title: "Syncer" }),
  folder: "${grafana_folder.ops.uid}",
  overwrite: true,
};

function stackWith(resources: Record<string, Record<string, unknown>>, provider?: Record<string, unknown[]>): unknown {
  return {
    provider: provider ?? { hcloud: [{ token: "${var.hcloud_token}" }], grafana: [{ url: "https://grafana.example" }] },
    resource: resources,
  };
}

function violationsOf(resources: Record<string, Record<string, unknown>>, provider?: Record<string, unknown[]>) {
  return validateStack("net", stackWith(resources, provider), schemas).map(formatViolation);
}

describe("validateStack", () => {
  it("passes valid hcloud_server, hcloud_firewall and grafana_dashboard resources", () => {
    const violations = violationsOf({
      hcloud_server: { listener_1: validServer },
      hcloud_firewall: { edge: validFirewall },
      grafana_dashboard: { syncer: validDashboard },
      // Other providers are not ours to check.
      aws_instance: { anything: { whatever: { nested: true } } },
    });
    expect(violations).toEqual([]);
  });

  it("reports an unknown attribute", () => {
    expect(violationsOf({ hcloud_server: { listener_1: { ...validServer, bogus: 1 } } })).toEqual([
      "net: hcloud_server.listener_1.bogus: unknown attribute or block (not in the provider schema)",
    ]);
  });

  it("reports a missing required attribute, also when set to null", () => {
    const { server_type: _omitted, ...withoutType } = validServer;
    expect(violationsOf({ hcloud_server: { listener_1: withoutType } })).toEqual([
      "net: hcloud_server.listener_1.server_type: required attribute is missing",
    ]);
    expect(violationsOf({ grafana_dashboard: { syncer: { ...validDashboard, config_json: null } } })).toEqual([
      "net: grafana_dashboard.syncer.config_json: required attribute is missing",
    ]);
  });

  it("reports a string for a bool and an object for a list of strings", () => {
    expect(
      violationsOf({ hcloud_server: { listener_1: { ...validServer, backups: "yes", ssh_keys: { key: "ops" } } } }),
    ).toEqual([
      'net: hcloud_server.listener_1.ssh_keys: expected list(string), got object',
      'net: hcloud_server.listener_1.backups: expected bool, got string "yes"',
    ]);
  });

  it("reports a wrong element type inside a collection", () => {
    expect(violationsOf({ hcloud_server: { listener_1: { ...validServer, firewall_ids: [1, "one"] } } })).toEqual([
      'net: hcloud_server.listener_1.firewall_ids[1]: expected number, got string "one"',
    ]);
  });

  it("reports too many blocks where max_items is 1", () => {
    // hcloud_server.public_net has no max_items in this schema; hcloud_load_balancer.algorithm (a list) has max_items 1.
    const loadBalancer = {
      name: "ingress",
      load_balancer_type: "lb11",
      algorithm: [{ type: "round_robin" }, { type: "least_connections" }],
    };
    expect(violationsOf({ hcloud_load_balancer: { ingress: loadBalancer } })).toEqual([
      "net: hcloud_load_balancer.ingress.algorithm: at most 1 block(s) allowed, got 2",
    ]);
  });

  it("reports too few blocks where min_items is set", () => {
    const ruleGroup = { name: "syncer", folder_uid: "ops", interval_seconds: 60 };
    expect(violationsOf({ grafana_rule_group: { syncer: ruleGroup } })).toEqual([
      "net: grafana_rule_group.syncer.rule: at least 1 block(s) required, got 0",
    ]);
  });

  it("reports an unknown attribute inside a nested block with its index", () => {
    const firewall = { ...validFirewall, rule: [validFirewall.rule[0], { ...validFirewall.rule[1], ports: "22" }] };
    expect(violationsOf({ hcloud_firewall: { edge: firewall } })).toEqual([
      "net: hcloud_firewall.edge.rule[1].ports: unknown attribute or block (not in the provider schema)",
    ]);
  });

  it("reports a computed-only attribute that is set, at top level and in a block", () => {
    const server = { ...validServer, ipv4_address: "1.2.3.4", network: { network_id: 1, mac_address: "aa:bb" } };
    expect(violationsOf({ hcloud_server: { listener_1: server } })).toEqual([
      "net: hcloud_server.listener_1.ipv4_address: computed-only attribute cannot be set",
      "net: hcloud_server.listener_1.network.mac_address: computed-only attribute cannot be set",
    ]);
  });

  it("reports resource and data source types the provider schema does not have", () => {
    const violations = validateStack(
      "net",
      {
        resource: { hcloud_certificate: { tls: { name: "tls" } } },
        data: { hcloud_server: { existing: { name: "x" } } },
      },
      schemas,
    ).map(formatViolation);
    expect(violations).toEqual([
      "net: hcloud_certificate.tls: resource type not in the provider schema",
      "net: data.hcloud_server.existing: data source type not in the provider schema",
    ]);
  });

  it("reports bad provider block attributes, naming the alias", () => {
    const violations = violationsOf(
      {},
      { hcloud: [{ tokn: "x" }, { alias: "eu", poll_interval: 5, endpoint: ["a"] }], grafana: [{ retries: "many" }] },
    );
    expect(violations).toEqual([
      "net: provider.hcloud.tokn: unknown attribute or block (not in the provider schema)",
      "net: provider.hcloud.eu.endpoint: expected string, got array",
      'net: provider.grafana.retries: expected number, got string "many"',
    ]);
  });

  it("checks the content of dynamic blocks but not their count", () => {
    const loadBalancer = {
      name: "ingress",
      load_balancer_type: "lb11",
      algorithm: [{ type: "round_robin" }],
      dynamic: {
        algorithm: { for_each: "${var.algorithms}", iterator: "each", content: { type: "${each.value}" } },
        target: { for_each: "${var.targets}", iterator: "each", content: { type: "server", server: "${each.value}" } },
      },
    };
    expect(violationsOf({ hcloud_load_balancer: { ingress: loadBalancer } })).toEqual([
      "net: hcloud_load_balancer.ingress.dynamic.target.content.server: " +
        "unknown attribute or block (not in the provider schema)",
    ]);
  });

  it("checks nested attribute types and object types", () => {
    // The catalogued schemas have neither, so this uses a minimal provider of its own.
    const demo: ProviderSchemaFile = {
      format_version: "1.0",
      provider_schemas: {
        "registry.terraform.io/example/demo": {
          provider: { block: {} },
          resource_schemas: {
            demo_thing: {
              block: {
                attributes: {
                  endpoint: { type: ["object", { host: "string", port: "number" }, ["port"]], optional: true },
                  rules: {
                    nested_type: { nesting_mode: "list", attributes: { name: { type: "string", required: true } } },
                    optional: true,
                  },
                },
              },
            },
          },
        },
      },
    };
    const stack = {
      resource: {
        demo_thing: {
          ok: { endpoint: { host: "a" }, rules: [{ name: "r" }] },
          bad: { endpoint: { port: 1, scheme: "https" }, rules: [{ nme: "r" }] },
        },
      },
    };
    expect(validateStack("demo", stack, [demo]).map(formatViolation)).toEqual([
      "demo: demo_thing.bad.endpoint.scheme: not an attribute of this object type",
      "demo: demo_thing.bad.endpoint.host: required object attribute is missing",
      "demo: demo_thing.bad.rules[0].nme: unknown attribute (not in the provider schema)",
      "demo: demo_thing.bad.rules[0].name: required attribute is missing",
    ]);
  });
});

describe("formatViolation", () => {
  it("leaves out the attribute when the whole block is meant", () => {
    const v: SchemaViolation = { stack: "s", address: "hcloud_x.y", attribute: "", message: "m" };
    expect(formatViolation(v)).toBe("s: hcloud_x.y: m");
  });
});

describe("synthesized cdktf stacks", () => {
  function buildStack(): { stack: TerraformStack; server: Server } {
    const stack = new TerraformStack(Testing.app(), "edge");
    new HcloudProvider(stack, "hcloud", { token: "token" });
    const firewall = new Firewall(stack, "edge_fw", {
      name: "edge",
      rule: [{ direction: "in", protocol: "tcp", port: "443", sourceIps: ["0.0.0.0/0"] }],
    });
    const server = new Server(stack, "listener_1", {
      name: "listener-1",
      serverType: "cx22",
      firewallIds: [Token.asNumber(firewall.id)],
      publicNet: [{ ipv4Enabled: true, ipv6Enabled: true }],
      timeouts: { create: "10m" },
    });
    return { stack, server };
  }

  it("validates a stack built with the generated bindings clean", () => {
    const { stack } = buildStack();
    expect(validateStack("edge", JSON.parse(Testing.synth(stack)), schemas)).toEqual([]);
  });

  it("reports an attribute added through an override", () => {
    const { stack, server } = buildStack();
    server.addOverride("bogus_attr", 1);
    expect(validateStack("edge", JSON.parse(Testing.synth(stack)), schemas).map(formatViolation)).toEqual([
      "edge: hcloud_server.listener_1.bogus_attr: unknown attribute or block (not in the provider schema)",
    ]);
  });

  it("validates every stack of a cdktf output directory", () => {
    const { stack, server } = buildStack();
    server.addOverride("backups", "sometimes");
    const outdir = Testing.fullSynth(stack);
    try {
      expect(validateSynthOutput(outdir).map(formatViolation)).toEqual([
        'edge: hcloud_server.listener_1.backups: expected bool, got string "sometimes"',
      ]);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
