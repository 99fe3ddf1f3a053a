/**
 * Prometheus and Alertmanager configuration generated from the topology. Targets are discovered through Hetzner's API
 * by label (project, env, service), so adding a region needs no change here: its hosts carry the labels and are
 * scraped as soon as they exist. Credentials are read from files placed out of band, never templated in.
 */
import { stringify } from "yaml";

export interface ScrapedService {
  /** Value of the hosts' `service` label, also the job name. */
  service: string;
  port: number;
}

export interface PrometheusConfigInput {
  project: string;
  env: string;
  /** Identifies this replica of the HA pair; Grafana and Alertmanager deduplicate on it. */
  replica: string;
  services: ScrapedService[];
  nodeExporterPort: number;
  alertmanagers: string[];
  alertmanagerPort: number;
  prometheusPort: number;
}

export const HCLOUD_SD_TOKEN_FILE = "/etc/prometheus/secrets/hcloud-sd-token";
/** Where the Debian packages read prometheus.yml and alertmanager.yml; a config bundle's paths are relative to it. */
export const CONFIG_DIR = "/etc/prometheus";
export const RULES_DIR = `${CONFIG_DIR}/rules`;

export function renderPrometheusConfig(input: PrometheusConfigInput): string {
  const discovered = (job: string, port: number, serviceRegex: string) => ({
    job_name: job,
    scrape_interval: "15s",
    scrape_timeout: "5s",
    hetzner_sd_configs: [
      { role: "hcloud", port, refresh_interval: "60s", authorization: { credentials_file: HCLOUD_SD_TOKEN_FILE } },
    ],
    relabel_configs: [
      { source_labels: ["__meta_hetzner_hcloud_label_project"], regex: input.project, action: "keep" },
      { source_labels: ["__meta_hetzner_hcloud_label_env"], regex: input.env, action: "keep" },
      { source_labels: ["__meta_hetzner_hcloud_label_service"], regex: serviceRegex, action: "keep" },
      { source_labels: ["__meta_hetzner_public_ipv4"], target_label: "__address__", replacement: `$1:${port}` },
      { source_labels: ["__meta_hetzner_hcloud_label_region"], target_label: "region" },
      { source_labels: ["__meta_hetzner_hcloud_label_service"], target_label: "service" },
      { source_labels: ["__meta_hetzner_server_name"], target_label: "instance" },
    ],
  });
  const config = {
    global: {
      scrape_interval: "15s",
      evaluation_interval: "15s",
      external_labels: { project: input.project, env: input.env, replica: input.replica },
    },
    alerting: {
      alert_relabel_configs: [{ regex: "replica", action: "labeldrop" }],
      alertmanagers: [{ static_configs: [{ targets: input.alertmanagers.map((a) => `${a}:${input.alertmanagerPort}`) }] }],
    },
    rule_files: [`${RULES_DIR}/*.yml`],
    scrape_configs: [
      ...input.services.map((s) => discovered(s.service, s.port, s.service)),
      discovered("node", input.nodeExporterPort, ".+"),
      { job_name: "prometheus", static_configs: [{ targets: [`localhost:${input.prometheusPort}`] }] },
      { job_name: "alertmanager", static_configs: [{ targets: input.alertmanagers.map((a) => `${a}:${input.alertmanagerPort}`) }] },
    ],
  };
  return stringify(config, { lineWidth: 0 });
}

export const PAGERDUTY_KEY_FILE = "/etc/prometheus/secrets/pagerduty-routing-key";
export const SLACK_WEBHOOK_FILE = "/etc/prometheus/secrets/slack-webhook-url";

/** Pages go to PagerDuty, tickets to Slack; both credentials come from files. */
export function renderAlertmanagerConfig(): string {
  return stringify(
    {
      route: {
        receiver: "ticket",
        group_by: ["alertname", "env", "region"],
        group_wait: "30s",
        group_interval: "5m",
        repeat_interval: "4h",
        routes: [{ receiver: "page", matchers: ['severity="page"'], group_wait: "10s", repeat_interval: "1h" }],
      },
      inhibit_rules: [
        { source_matchers: ['severity="page"'], target_matchers: ['severity="ticket"'], equal: ["alertname", "env", "region"] },
      ],
      receivers: [
        { name: "page", pagerduty_configs: [{ routing_key_file: PAGERDUTY_KEY_FILE, send_resolved: true }] },
        { name: "ticket", slack_configs: [{ api_url_file: SLACK_WEBHOOK_FILE, send_resolved: true }] },
      ],
    },
    { lineWidth: 0 },
  );
}
