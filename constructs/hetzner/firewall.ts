/** A Hetzner firewall from rule specs, applied to servers by label selector so new hosts are covered on creation. */
import { Construct } from "constructs";
import { Firewall } from "../../providers/gen/hcloud/firewall";
import { hcloudLabels, resourceName, type DeploymentContext } from "../context";
import type { FirewallRuleSpec } from "./firewall-rules";

export interface HostFirewallProps {
  context: DeploymentContext;
  role: string;
  rules: FirewallRuleSpec[];
  /** Label selector of the servers this firewall protects. */
  applyToLabelSelector: string;
}

export class HostFirewall extends Construct {
  readonly firewall: Firewall;

  constructor(scope: Construct, id: string, props: HostFirewallProps) {
    super(scope, id);
    this.firewall = new Firewall(this, "firewall", {
      name: resourceName(props.context, props.role, "fw"),
      labels: hcloudLabels(props.context, props.role),
      rule: props.rules.map((r) => ({
        direction: r.direction,
        protocol: r.protocol,
        port: r.port,
        sourceIps: r.sourceIps,
        description: r.description,
      })),
      applyTo: [{ labelSelector: props.applyToLabelSelector }],
    });
  }
}
