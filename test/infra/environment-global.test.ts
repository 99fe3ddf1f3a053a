import { App, Testing, TerraformStack } from "cdktf";
import { parse } from "yaml";
import { Dashboard } from "../../providers/gen/grafana/dashboard";
import { Folder } from "../../providers/gen/grafana/folder";
import { DataSource } from "../../providers/gen/grafana/data-source";
import { PrimaryIp } from "../../providers/gen/hcloud/primary-ip";
import { GrafanaProvider } from "../../providers/gen/grafana/provider";
import { GrafanaDashboards } from "../../constructs/monitoring/grafana-dashboards";
import { synthAll, resourcesOf } from "./synth";
import { monitoringHosts } from "./monitoring-hosts";

describe("environment global stacks", () => {
  const { stacks } = synthAll();
  const production = stacks["production-global"];

  it("runs one Prometheus + Alertmanager host per monitoring location on stable primary IPs", () => {
    const servers = resourcesOf(production, "hcloud_server");
    expect(servers.map((s) => s.location)).toEqual(["fsn1", "hel1"]);
    expect(resourcesOf(production, "hcloud_primary_ip")).toHaveLength(2);
    expect(JSON.stringify(production)).toContain(PrimaryIp.tfResourceType);
    expect(resourcesOf(stacks["staging-global"], "hcloud_server")).toHaveLength(1);
  });

  it("generates scrape jobs for every service from the topology, discovered by labels", () => {
    const prom = parse(monitoringHosts(production)[0].bundle.files["prometheus.yml"]);
    const jobs = Object.fromEntries(prom.scrape_configs.map((j: { job_name: string }) => [j.job_name, j]));
    expect(Object.keys(jobs).sort()).toEqual(["alertmanager", "executor", "latency-exporter", "listener", "node", "prometheus"]);
    expect(jobs.listener.hetzner_sd_configs[0].port).toBe(9464);
    expect(jobs.executor.hetzner_sd_configs[0].port).toBe(9465);
    expect(jobs["latency-exporter"].hetzner_sd_configs[0].port).toBe(9466);
    expect(jobs["latency-exporter"].relabel_configs).toContainEqual({ source_labels: ["__meta_hetzner_hcloud_label_service"], regex: "latency-exporter", action: "keep" });
    expect(jobs.listener.relabel_configs).toContainEqual({ source_labels: ["__meta_hetzner_hcloud_label_env"], regex: "production", action: "keep" });
    expect(prom.global.external_labels.env).toBe("production");
  });

  it("exposes Prometheus to Grafana and operators only, gossip only between monitoring hosts", () => {
    const [firewall] = resourcesOf(production, "hcloud_firewall");
    const rules = firewall.rule as Array<{ port?: string; protocol: string; source_ips: string[] }>;
    expect(rules.find((r) => r.port === "9090")!.source_ips).toEqual(["192.0.2.16/28", "198.51.100.0/28", "203.0.113.16/28"]);
    const gossip = rules.filter((r) => r.port === "9094");
    expect(gossip.map((r) => r.protocol).sort()).toEqual(["tcp", "udp"]);
    for (const r of gossip) expect(r.source_ips.every((s) => /^\$\{hcloud_primary_ip\..*\}\/32$/.test(s))).toBe(true);
  });

  it("configures Grafana with a folder and one data source per Prometheus replica", () => {
    expect(resourcesOf(production, "grafana_folder")).toEqual([expect.objectContaining({ uid: "polysync-production" })]);
    const sources = resourcesOf(production, "grafana_data_source");
    expect(sources.map((s) => s.is_default)).toEqual([true, false]);
    expect(sources.every((s) => /^http:\/\/\$\{hcloud_primary_ip\..*\}:9090$/.test(String(s.url)))).toBe(true);
  });

  it("deploys every dashboard definition it is given into the folder", () => {
    const app = new App({ outdir: Testing.app().outdir });
    const stack = new TerraformStack(app, "dashboards");
    new GrafanaProvider(stack, "grafana", { url: "https://example.grafana.net" });
    new GrafanaDashboards(stack, "dashboards", {
      project: "polysync",
      env: "staging",
      prometheusUrls: ["http://192.0.2.1:9090"],
      dashboards: [{ uid: "overview", title: "Overview", json: { uid: "overview", title: "Overview", panels: [] } }],
    });
    const synth = Testing.synth(stack);
    expect(synth).toHaveResource(Folder);
    expect(synth).toHaveResourceWithProperties(DataSource, { type: "prometheus", url: "http://192.0.2.1:9090" });
    expect(synth).toHaveResourceWithProperties(Dashboard, {
      config_json: JSON.stringify({ uid: "overview", title: "Overview", panels: [] }),
      folder: expect.stringMatching(/^\$\{grafana_folder\.dashboards_folder_[0-9A-F]+\.uid\}$/),
    });
  });

  it("never puts Grafana or Hetzner credentials into provider blocks", () => {
    const providers = production.provider as Record<string, Array<Record<string, unknown>>>;
    expect(providers.grafana).toEqual([{ url: "https://polysync.grafana.net" }]);
    expect(providers.hcloud).toEqual([{}]);
  });
});
