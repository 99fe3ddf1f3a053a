/** First-boot configuration of a Prometheus + Alertmanager host (Debian packages), as cloud-init YAML. */
import { stringify } from "yaml";
import { renderRuleFiles } from "../../alerts/render";
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
      ...renderRuleFiles().map(({ file, content }) => ({ path: `${RULES_DIR}/${file}`, permissions: "0644", content })),
      { path: `/etc/systemd/system/${RULES_RELOAD}.path`, permissions: "0644", content: RULES_RELOAD_PATH_UNIT },
      { path: `/etc/systemd/system/${RULES_RELOAD}.service`, permissions: "0644", content: RULES_RELOAD_SERVICE_UNIT },
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
      ["systemctl", "daemon-reload"],
      // Secrets (Hetzner SD token, PagerDuty key, Slack URL) are copied in by the operator: runbooks/adding-a-region.md.
      ["systemctl", "enable", "--now", "chrony", "prometheus", "prometheus-alertmanager", "prometheus-node-exporter"],
      ["systemctl", "enable", "--now", `${RULES_RELOAD}.path`],
    ],
  };
  // Sequences unindented: the rule files make this document big, and Hetzner caps user_data at 32 KiB.
  return `#cloud-config\n${stringify(doc, { lineWidth: 0, indentSeq: false })}`;
}

export const RULES_RELOAD = "prometheus-rules-reload";

/**
 * Prometheus reads rule files only at start and on reload. Watching the directory makes any change to the rules
 * (a new file, an edit, a removal) take effect within seconds, whoever makes it.
 */
const RULES_RELOAD_PATH_UNIT = `[Unit]
Description=Reload Prometheus when a file in ${RULES_DIR} changes

[Path]
PathChanged=${RULES_DIR}

[Install]
WantedBy=multi-user.target
`;

/**
 * Checked before the reload: Prometheus keeps its old rules when a reload fails, but only its log says so, while a
 * failed unit shows in `systemctl --failed` with promtool's message in its journal.
 */
const RULES_RELOAD_SERVICE_UNIT = `[Unit]
Description=Check the Prometheus rule files and reload Prometheus

[Service]
Type=oneshot
ExecStart=/bin/sh -c 'exec /usr/bin/promtool check rules ${RULES_DIR}/*.yml'
ExecStart=/bin/systemctl reload prometheus.service
`;
