import { parse } from "yaml";
import { hostAddress } from "../../constructs/hetzner/addressing";
import { SERVICE_DEPLOYMENTS } from "../../services/deploy/services";
import { renderServiceUnit } from "../../services/deploy/systemd";
import { TOPOLOGY, parseTopology } from "../../stacks/topology";
import { resourcesOf, synthAll } from "../infra/synth";
import { monitoringHosts } from "../infra/monitoring-hosts";

/** The exporter deployed like the other services: its own hosts per region, role, bundle pointer, port and scrape job. */
describe("latency exporter deployment", () => {
  const { stacks } = synthAll();
  const regionStacks = TOPOLOGY.environments.flatMap((e) => e.regions.map((r) => ({ env: e, region: r, stack: stacks[`${e.name}-${r.name}`] })));

  it("runs on one small dedicated host per region, in the region's location, apart from the listener's hosts", () => {
    for (const { env, region, stack } of regionStacks) {
      const servers = resourcesOf(stack, "hcloud_server");
      const exporters = servers.filter((s) => (s.labels as Record<string, string>).service === "latency-exporter");
      expect({ stack: `${env.name}-${region.name}`, exporters: exporters.map((s) => [s.name, s.server_type, s.location]) }).toEqual({
        stack: `${env.name}-${region.name}`,
        exporters: [[`polysync-${env.name}-${region.name}-latency-exporter-1`, "ccx13", region.hetzner.location]],
      });
      expect((exporters[0].network as Array<{ ip: string }>)[0].ip).toBe(hostAddress(region.hetzner.networkCidr, "latency-exporter", 0));
      const placement = resourcesOf(stack, "hcloud_placement_group").map((p) => p.name);
      expect(placement).toContain(`polysync-${env.name}-${region.name}-latency-exporter-spread`);
    }
  });

  it("writes the host's config at the service's path and follows its own bundle pointer", () => {
    const { stack } = regionStacks[0];
    const server = resourcesOf(stack, "hcloud_server").find((s) => (s.labels as Record<string, string>).service === "latency-exporter")!;
    const init = parse(String(server.user_data).replace(/\$\{[^}]+\}/g, "TOKEN"));
    const file = (path: string) => init.write_files.find((f: { path: string }) => f.path === path)?.content as string;
    expect(JSON.parse(file("/etc/polysync/latency-exporter.json"))).toMatchObject({ service: "latency-exporter", metricsPort: 9466 });
    expect(file("/etc/polysync/bundle.env")).toContain("UNIT=polysync-latency-exporter.service\n");
    expect(file("/etc/polysync/bundle.env")).toMatch(/BUNDLE_PARAMETER=\/polysync\/staging\/eu-central\/bundles\/latency-exporter\n/);
    const pointer = resourcesOf(stack, "aws_ssm_parameter").find((p) => String(p.name).endsWith("/bundles/latency-exporter"))!;
    expect(JSON.parse(pointer.value as string)).toEqual({ version: "unreleased" });
  });

  it("has a role that reads the RPC keys, its config and its bundle, and nothing of the executor's", () => {
    const { stack } = regionStacks[0];
    const policies = resourcesOf(stack, "aws_iam_role_policy");
    const exporter = policies.find((p) => String(p.role).includes("latency-exporter-role"))!;
    const statements = JSON.parse(exporter.policy as string).Statement as Array<{ Sid: string; Action: string[]; Resource: string[] }>;
    expect(statements.map((s) => s.Sid)).toEqual(["ReadOwnSecrets", "ReadConfig", "FetchBundles", "DecryptSecretsAndBundles"]);
    expect(statements[0].Resource).toHaveLength(4);
    expect(statements[0].Resource.every((arn) => /aws_secretsmanager_secret\.secrets_rpc/.test(arn))).toBe(true);
  });

  it("is scraped on its own port, which only the monitoring hosts may reach", () => {
    for (const env of TOPOLOGY.environments) {
      const prometheus = parse(monitoringHosts(stacks[`${env.name}-global`])[0].bundle.files["prometheus.yml"]);
      const job = prometheus.scrape_configs.find((j: { job_name: string }) => j.job_name === "latency-exporter");
      expect(job.hetzner_sd_configs[0].port).toBe(TOPOLOGY.ports.latencyExporterMetrics);
    }
    for (const { stack } of regionStacks) {
      const [firewall] = resourcesOf(stack, "hcloud_firewall");
      const rule = (firewall.rule as Array<{ port?: string; source_ips: string[] }>).find((r) => r.port === "9466")!;
      expect(rule.source_ips.every((s) => /^\$\{.*\}\/32$/.test(s))).toBe(true);
    }
  });

  it("is a small process: a tight memory bound, no listener flags, a short stop", () => {
    const d = SERVICE_DEPLOYMENTS["latency-exporter"];
    expect(d).toMatchObject({ entry: "services/latency-exporter/main.ts", nodeFlags: [] });
    expect(d.heapMaxMiB).toBeLessThan(d.memoryMaxMiB);
    expect(d.memoryMaxMiB).toBeLessThanOrEqual(256);
    expect(renderServiceUnit("latency-exporter")).toContain(`MemoryMax=${d.memoryMaxMiB}M\n`);
  });

  it("refuses a shared-vCPU exporter host type, naming the field", () => {
    const bad = JSON.parse(JSON.stringify(TOPOLOGY));
    bad.environments[0].latencyExporter.serverType = "cx22";
    expect(() => parseTopology(bad)).toThrow(/environments\.0\.latencyExporter\.serverType: a dedicated-vCPU type \(ccxNN\)/);
  });
});
