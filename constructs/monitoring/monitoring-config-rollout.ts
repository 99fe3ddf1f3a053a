/**
 * Rolls a monitoring host's configuration out in place: the deploy uploads one bundle (prometheus.yml,
 * alertmanager.yml, the rule files) over SSH and runs the host's apply script, which checks everything before it
 * installs anything and then reloads. A rule or scrape change thus replaces this terraform_data, never the server.
 *
 * The deploy runner's SSH connection goes through the monitoring firewall, which admits SSH from the topology's
 * adminCidrs only: the runner's egress address must be inside adminCidrs (a self-hosted runner or one with a static
 * egress IP), or the provisioners time out.
 */
import { Construct } from "constructs";
import { DataResource, Fn, TerraformLocal } from "cdktf";
import type { Server } from "../../providers/gen/hcloud/server";
import type { RenderedRuleFile } from "../../alerts/render";
import { APPLY_SCRIPT_PATH, BUNDLE_PATH, DEPLOY_USER, type MonitoringConfigBundle } from "./monitoring-config-apply";
import { renderAlertmanagerConfig, renderPrometheusConfig, RULES_DIR, CONFIG_DIR, type PrometheusConfigInput } from "./prometheus-config";

/** The bundle as JSON; its paths are relative to CONFIG_DIR, so the rule files land in RULES_DIR. */
export function renderMonitoringConfigBundle(config: PrometheusConfigInput, ruleFiles: RenderedRuleFile[]): string {
  const rulesPrefix = `${RULES_DIR.slice(CONFIG_DIR.length + 1)}/`;
  const bundle: MonitoringConfigBundle = {
    files: {
      "prometheus.yml": renderPrometheusConfig(config),
      "alertmanager.yml": renderAlertmanagerConfig(),
      ...Object.fromEntries(ruleFiles.map(({ file, content }) => [`${rulesPrefix}${file}`, content])),
    },
  };
  return JSON.stringify(bundle);
}

/**
 * Terraform reads `${` and `%{` in any string as template syntax, and PromQL text may contain them (label_replace's
 * "${1}"). cdktf's own unresolved references (`${TfToken[…]}`) are left alone: it turns them into Terraform ones.
 */
export function escapeTerraformTemplate(text: string): string {
  // Replacer functions: in a replacement string "$$" would itself mean "$".
  return text.replace(/\$\{(?!TfToken\[)/g, () => "$${").replace(/%\{/g, () => "%%{");
}

export interface MonitoringConfigRolloutProps {
  server: Server;
  /** The host's primary IPv4. */
  host: string;
  sshPort: number;
  /** renderMonitoringConfigBundle's output; may reference other resources (the Alertmanager addresses). */
  bundle: string;
  /** A reference to a sensitive variable, never a literal key. */
  privateKey: string;
}

export class MonitoringConfigRollout extends Construct {
  readonly bundle: TerraformLocal;
  readonly apply: DataResource;

  constructor(scope: Construct, id: string, props: MonitoringConfigRolloutProps) {
    super(scope, id);
    // A local, so the bundle is written once and hashed by Terraform after the references in it are resolved.
    this.bundle = new TerraformLocal(this, "bundle", escapeTerraformTemplate(props.bundle));
    this.apply = new DataResource(this, "apply", {
      // The server id too: a replaced server boots on the Debian defaults and needs the bundle again.
      triggersReplace: { server_id: props.server.id, bundle_sha256: Fn.sha256(this.bundle.asString) },
      connection: { type: "ssh", host: props.host, port: props.sshPort, user: DEPLOY_USER, privateKey: props.privateKey },
      provisioners: [
        { type: "file", content: this.bundle.asString, destination: BUNDLE_PATH },
        {
          type: "remote-exec",
          inline: [
            // SSH answers as soon as cloud-init has created the deploy user, before it has installed promtool and
            // amtool. Its exit status is not ours to judge: the apply script fails clearly if a tool is missing.
            "cloud-init status --wait >/dev/null || true",
            // -n: a broken sudoers rule fails at once instead of waiting for a password nobody types.
            `sudo -n ${APPLY_SCRIPT_PATH}`,
          ],
        },
      ],
    });
  }
}
