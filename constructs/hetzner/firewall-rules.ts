/**
 * Firewall rules as data. Pure, so the policy on who may reach which port is unit-tested without synthesizing, and
 * hosts get nothing inbound that is not listed here (Hetzner firewalls deny unlisted inbound traffic).
 */

export interface FirewallRuleSpec {
  direction: "in";
  protocol: "tcp" | "udp" | "icmp";
  port?: string;
  sourceIps: string[];
  description: string;
}

const ANYWHERE = ["0.0.0.0/0", "::/0"];

/** Ports deliberately reachable from anywhere, with the reason. Everything else is restricted by source. */
export const DOCUMENTED_PUBLIC_PORTS: ReadonlyArray<{ protocol: FirewallRuleSpec["protocol"]; port?: string; reason: string }> = [
  { protocol: "icmp", reason: "path-MTU discovery and reachability checks" },
];

export interface ServiceHostFirewallInput {
  sshPort: number;
  adminCidrs: string[];
  /** Addresses (host CIDRs) of the monitoring hosts: the only callers of metrics and admin ports. */
  monitoringSources: string[];
  metricsPorts: number[];
}

export function serviceHostRules(input: ServiceHostFirewallInput): FirewallRuleSpec[] {
  return [
    ...icmpRules(),
    { direction: "in", protocol: "tcp", port: String(input.sshPort), sourceIps: input.adminCidrs, description: "ssh from operators" },
    ...input.metricsPorts.map(
      (port): FirewallRuleSpec => ({
        direction: "in",
        protocol: "tcp",
        port: String(port),
        sourceIps: input.monitoringSources,
        description: `metrics ${port} from monitoring`,
      }),
    ),
  ];
}

export interface MonitoringFirewallInput {
  sshPort: number;
  adminCidrs: string[];
  /** The monitoring hosts themselves: Alertmanager gossip and Prometheus HA peers. */
  peerSources: string[];
  grafanaSources: string[];
  prometheusPort: number;
  alertmanagerPort: number;
  alertmanagerClusterPort: number;
  nodeExporterPort: number;
}

export function monitoringHostRules(input: MonitoringFirewallInput): FirewallRuleSpec[] {
  const tcp = (port: number, sourceIps: string[], description: string): FirewallRuleSpec => ({
    direction: "in",
    protocol: "tcp",
    port: String(port),
    sourceIps,
    description,
  });
  return [
    ...icmpRules(),
    tcp(input.sshPort, input.adminCidrs, "ssh from operators"),
    tcp(input.prometheusPort, [...input.grafanaSources, ...input.adminCidrs], "prometheus queries from grafana and operators"),
    tcp(input.alertmanagerPort, [...input.peerSources, ...input.adminCidrs], "alertmanager api from prometheus and operators"),
    tcp(input.alertmanagerClusterPort, input.peerSources, "alertmanager gossip (tcp)"),
    { ...tcp(input.alertmanagerClusterPort, input.peerSources, "alertmanager gossip (udp)"), protocol: "udp" },
    tcp(input.nodeExporterPort, input.peerSources, "node exporter from prometheus"),
  ];
}

function icmpRules(): FirewallRuleSpec[] {
  return [{ direction: "in", protocol: "icmp", sourceIps: ANYWHERE, description: DOCUMENTED_PUBLIC_PORTS[0].reason }];
}
