/**
 * What an environment shares across its regions: the Prometheus + Alertmanager hosts and Grafana. Region stacks
 * depend on it (they allow-list the monitoring addresses), never the other way round, so adding a region leaves it
 * untouched.
 */
import { Construct } from "constructs";
import { TerraformOutput, TerraformStack, TerraformVariable } from "cdktf";
import { HcloudProvider } from "../providers/gen/hcloud/provider";
import { GrafanaProvider } from "../providers/gen/grafana/provider";
import { MonitoringHosts } from "../constructs/monitoring/monitoring-hosts";
import { GrafanaDashboards } from "../constructs/monitoring/grafana-dashboards";
import { adminPorts, type MonitoringEndpoints } from "../constructs/polysync-region";
import type { DeploymentContext } from "../constructs/context";
import { DASHBOARDS } from "../dashboards";
import { renderRuleFiles } from "../alerts/render";
import { configureBackend } from "./backend";
import { PolicyGuard } from "./policy/guard";
import { SERVICE_NAMES, metricsPorts, type Environment, type Topology } from "./topology/schema";

export interface EnvironmentGlobalProps {
  topology: Topology;
  environment: Environment;
}

export function globalStackName(environment: Environment): string {
  return `${environment.name}-global`;
}

export class EnvironmentGlobal extends TerraformStack {
  readonly monitoring: MonitoringHosts;

  constructor(scope: Construct, props: EnvironmentGlobalProps) {
    const name = globalStackName(props.environment);
    super(scope, name);
    const { topology, environment } = props;
    const ctx: DeploymentContext = { project: topology.project, owner: topology.owner, env: environment.name, region: "global" };

    configureBackend(this, topology.project, name, topology.state);
    PolicyGuard.attach(this, { environment: environment.name, adminPorts: adminPorts(topology) });
    // Credentials come from HCLOUD_TOKEN and GRAFANA_AUTH in the deploying job's environment.
    new HcloudProvider(this, "hcloud", {});
    new GrafanaProvider(this, "grafana", { url: environment.grafana.url });

    // At stack scope so that its name is exactly this, the TF_VAR_ suffix the deploy job sets. Empty by default:
    // pull-request plans run without the key, and only apply (the rollout's SSH connection) needs it.
    const deployKey = new TerraformVariable(this, "monitoring_deploy_ssh_private_key", {
      type: "string",
      sensitive: true,
      default: "",
      description: "OpenSSH private key matching the topology's monitoring.deployPublicKey, for the config rollout",
    });

    this.monitoring = new MonitoringHosts(this, "monitoring", {
      context: ctx,
      locations: environment.monitoring.locations,
      serverType: environment.monitoring.serverType,
      retentionDays: environment.monitoring.retentionDays,
      sshKeys: topology.sshKeys,
      adminCidrs: topology.adminCidrs,
      grafanaSourceCidrs: environment.grafana.sourceCidrs,
      // One scrape job per deployed service: a service added to the topology is scraped without a change here.
      services: SERVICE_NAMES.map((service) => ({ service, port: metricsPorts(topology)[service] })),
      ports: topology.ports,
      deletionProtection: environment.deletionProtection,
      ruleFiles: renderRuleFiles(),
      configDeploy: { publicKey: environment.monitoring.deployPublicKey, privateKey: deployKey.stringValue },
    });

    new GrafanaDashboards(this, "dashboards", {
      project: topology.project,
      env: environment.name,
      prometheusUrls: this.monitoring.addresses.map((a) => `http://${a.ipAddress}:${topology.ports.prometheus}`),
      dashboards: DASHBOARDS,
    });
    new TerraformOutput(this, "monitoring-ipv4", { value: this.monitoring.addresses.map((a) => a.ipAddress) });
  }

  endpoints(): MonitoringEndpoints {
    return { sourceAddresses: this.monitoring.addresses.map((a) => a.ipAddress) };
  }
}
