/** A region's private Hetzner network: service hosts talk to each other here, never over public addresses. */
import { Construct } from "constructs";
import { Token } from "cdktf";
import { Network } from "../../providers/gen/hcloud/network";
import { NetworkSubnet } from "../../providers/gen/hcloud/network-subnet";
import { hcloudLabels, resourceName, type DeploymentContext } from "../context";
import { servicesSubnet } from "./addressing";

export interface RegionNetworkProps {
  context: DeploymentContext;
  ipRange: string;
  networkZone: string;
  deletionProtection: boolean;
}

export class RegionNetwork extends Construct {
  readonly network: Network;
  readonly subnet: NetworkSubnet;

  constructor(scope: Construct, id: string, props: RegionNetworkProps) {
    super(scope, id);
    this.network = new Network(this, "network", {
      name: resourceName(props.context, "net"),
      ipRange: props.ipRange,
      labels: hcloudLabels(props.context, "network"),
      deleteProtection: props.deletionProtection,
      lifecycle: { preventDestroy: props.deletionProtection },
    });
    this.subnet = new NetworkSubnet(this, "services", {
      networkId: Token.asNumber(this.network.id),
      type: "cloud",
      networkZone: props.networkZone,
      ipRange: servicesSubnet(props.ipRange),
    });
  }
}
