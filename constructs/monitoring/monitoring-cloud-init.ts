/**
 * First-boot configuration of a Prometheus + Alertmanager host (Debian packages), as cloud-init YAML.
 *
 * Bootstrap only. On hcloud any change to user_data replaces the server, which would throw away the TSDB (and with it
 * the 28-day SLO error budget) and which production's prevent_destroy refuses anyway. So prometheus.yml,
 * alertmanager.yml and the rule files are not here: Prometheus starts on the Debian default config and every deploy
 * installs the generated one over SSH (monitoring-config-rollout.ts). This document changes only when the bootstrap
 * itself does, the apply script included.
 */
import { stringify } from "yaml";
import { APPLY_SCRIPT, APPLY_SCRIPT_PATH, DEPLOY_HOME, DEPLOY_USER, SUDOERS_PATH, SUDOERS_RULE } from "./monitoring-config-apply";

export interface MonitoringHostInit {
  retentionDays: number;
  alertmanagerClusterPort: number;
  /** The other monitoring hosts, for Alertmanager's gossip cluster. */
  peers: string[];
  /** OpenSSH public key the deploy's config rollout logs in with (as DEPLOY_USER). */
  deployPublicKey: string;
}

export function renderMonitoringCloudInit(init: MonitoringHostInit): string {
  const clusterArgs = init.peers.map((p) => `--cluster.peer=${p}:${init.alertmanagerClusterPort}`).join(" ");
  const doc = {
    ssh_pwauth: false,
    disable_root: true,
    package_update: true,
    package_upgrade: true,
    packages: ["prometheus", "prometheus-alertmanager", "prometheus-node-exporter", "chrony", "sudo"],
    users: [
      // "default" keeps the image's own user list, which a `users` key would otherwise replace.
      "default",
      {
        name: DEPLOY_USER,
        gecos: "monitoring config rollout",
        homedir: DEPLOY_HOME,
        shell: "/bin/sh",
        lock_passwd: true,
        ssh_authorized_keys: [init.deployPublicKey],
      },
    ],
    write_files: [
      { path: APPLY_SCRIPT_PATH, owner: "root:root", permissions: "0755", content: APPLY_SCRIPT },
      // sudo refuses a sudoers file that is not root's or is world-writable; 0440 root:root is what visudo writes.
      { path: SUDOERS_PATH, owner: "root:root", permissions: "0440", content: SUDOERS_RULE },
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
