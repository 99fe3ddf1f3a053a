/** First-boot configuration of a Prometheus + Alertmanager host (Debian packages), as cloud-init YAML. */
import { stringify } from "yaml";
import { renderAlertmanagerConfig, renderPrometheusConfig, RULES_DIR, type PrometheusConfigInput } from "./prometheus-config";

export interface MonitoringHostInit extends PrometheusConfigInput {
  retentionDays: number;
  alertmanagerClusterPort: number;
  /** The other monitoring hosts, for Alertmanager's gossip cluster. */
  peers: string[];
}

export function renderMonitoringCloudInit(init: MonitoringHostInit): string {
  const clusterArgs = init.peers.map((p) => `--cluster.peer=${p}:${init.alertmanagerClusterPort}`).join(" ");
  const doc = {
    ssh_pwauth: false,
    disable_root: true,
    package_update: true,
    package_upgrade: true,
    packages: ["prometheus", "prometheus-alertmanager", "prometheus-node-exporter", "chrony"],
    write_files: [
      { path: "/etc/prometheus/prometheus.yml", permissions: "0644", content: renderPrometheusConfig(init) },
      { path: "/etc/prometheus/alertmanager.yml", permissions: "0644", content: renderAlertmanagerConfig() },
      { path: `${RULES_DIR}/.keep`, permissions: "0644", content: "" },
      {
        path: "/etc/default/prometheus",
        permissions: "0644",
        content: `ARGS="--storage.tsdb.retention.time=${init.retentionDays}d --web.enable-lifecycle"\n`,
      },
      {
        path: "/etc/default/prometheus-alertmanager",
        permissions: "0644",
        content: `ARGS="--cluster.listen-address=0.0.0.0:${init.alertmanagerClusterPort} ${clusterArgs}"\n`,
      },
    ],
    runcmd: [
      ["install", "-d", "-m", "0750", "-o", "prometheus", "-g", "prometheus", "/etc/prometheus/secrets"],
      // Secrets (Hetzner SD token, PagerDuty key, Slack URL) are copied in by the operator: runbooks/adding-a-region.md.
      ["systemctl", "enable", "--now", "chrony", "prometheus", "prometheus-alertmanager", "prometheus-node-exporter"],
    ],
  };
  return `#cloud-config\n${stringify(doc, { lineWidth: 0 })}`;
}
