/**
 * An environment's Prometheus + Alertmanager hosts, one per configured location. Their public addresses are primary
 * IPs owned by this construct, so they survive server replacement and regions can allow-list them in firewalls.
 */
import { Construct } from "constructs";
import { Token } from "cdktf";
import { PrimaryIp } from "../../providers/gen/hcloud/primary-ip";
import { Server } from "../../providers/gen/hcloud/server";
import { PlacementGroup } from "../../providers/gen/hcloud/placement-group";
import { hcloudLabels, resourceName, type DeploymentContext } from "../context";
import { HostFirewall } from "../hetzner/firewall";
import { monitoringHostRules } from "../hetzner/firewall-rules";
import { SERVER_IMAGE } from "../hetzner/service-hosts";
import type { RenderedRuleFile } from "../../alerts/render";
import { renderMonitoringCloudInit } from "./monitoring-cloud-init";
import { MonitoringConfigRollout, renderMonitoringConfigBundle } from "./monitoring-config-rollout";
import type { ScrapedService } from "./prometheus-config";

export interface MonitoringHostsProps {
  context: DeploymentContext;
  locations: string[];
  serverType: string;
  retentionDays: number;
  sshKeys: string[];
  adminCidrs: string[];
  grafanaSourceCidrs: string[];
  services: ScrapedService[];
  ports: { ssh: number; prometheus: number; alertmanager: number; alertmanagerCluster: number; nodeExporter: number };
  deletionProtection: boolean;
  /** Alert and recording rules, installed by the config rollout. */
  ruleFiles: RenderedRuleFile[];
  /** The key pair the config rollout logs in with: the public half as it stands, the private one as a reference. */
  configDeploy: { publicKey: string; privateKey: string };
}

export class MonitoringHosts extends Construct {
  readonly addresses: PrimaryIp[];
  readonly servers: Server[];
  readonly rollouts: MonitoringConfigRollout[];

  constructor(scope: Construct, id: string, props: MonitoringHostsProps) {
    super(scope, id);
    const { context, ports } = props;
    const labels = hcloudLabels(context, "monitoring");
    this.addresses = props.locations.map(
      (location, i) =>
        new PrimaryIp(this, `ipv4-${i + 1}`, {
          name: resourceName(context, "monitoring", i + 1, "ipv4"),
          type: "ipv4",
          location,
          assigneeType: "server",
          autoDelete: false,
          deleteProtection: props.deletionProtection,
          labels,
          lifecycle: { preventDestroy: props.deletionProtection },
        }),
    );
    const ips = this.addresses.map((a) => a.ipAddress);
    const placement = new PlacementGroup(this, "spread", { name: resourceName(context, "monitoring", "spread"), type: "spread", labels });

    new HostFirewall(this, "firewall", {
      context,
      role: "monitoring",
      rules: monitoringHostRules({
        sshPort: ports.ssh,
        adminCidrs: props.adminCidrs,
        peerSources: ips.map((ip) => `${ip}/32`),
        grafanaSources: props.grafanaSourceCidrs,
        prometheusPort: ports.prometheus,
        alertmanagerPort: ports.alertmanager,
        alertmanagerClusterPort: ports.alertmanagerCluster,
        nodeExporterPort: ports.nodeExporter,
      }),
      applyToLabelSelector: `project=${context.project},env=${context.env},service=monitoring`,
    });

    this.servers = props.locations.map((location, i) => {
      const replica = resourceName(context, "monitoring", i + 1);
      return new Server(this, `host-${i + 1}`, {
        name: replica,
        serverType: props.serverType,
        image: SERVER_IMAGE,
        location,
        sshKeys: props.sshKeys,
        labels,
        placementGroupId: Token.asNumber(placement.id),
        publicNet: [{ ipv4Enabled: true, ipv4: Token.asNumber(this.addresses[i].id), ipv6Enabled: true }],
        userData: renderMonitoringCloudInit({
          retentionDays: props.retentionDays,
          alertmanagerClusterPort: ports.alertmanagerCluster,
          peers: ips.filter((_, j) => j !== i),
          deployPublicKey: props.configDeploy.publicKey,
        }),
        deleteProtection: props.deletionProtection,
        rebuildProtection: props.deletionProtection,
        shutdownBeforeDeletion: true,
        lifecycle: { preventDestroy: props.deletionProtection },
      });
    });
    this.rollouts = this.servers.map(
      (server, i) =>
        new MonitoringConfigRollout(this, `config-${i + 1}`, {
          server,
          host: ips[i],
          sshPort: ports.ssh,
          bundle: renderMonitoringConfigBundle(
            {
              project: context.project,
              env: context.env,
              replica: resourceName(context, "monitoring", i + 1),
              services: props.services,
              nodeExporterPort: ports.nodeExporter,
              alertmanagers: ips,
              alertmanagerPort: ports.alertmanager,
              prometheusPort: ports.prometheus,
            },
            props.ruleFiles,
          ),
          privateKey: props.configDeploy.privateKey,
        }),
    );
  }
}
