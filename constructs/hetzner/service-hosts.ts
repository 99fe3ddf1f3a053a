/**
 * The dedicated-vCPU servers of one service in one region: spread over physical hosts by a placement group, attached
 * to the region's private network at fixed addresses, configured by cloud-init.
 */
import { Construct } from "constructs";
import { Token } from "cdktf";
import { PlacementGroup } from "../../providers/gen/hcloud/placement-group";
import { Server } from "../../providers/gen/hcloud/server";
import { hcloudLabels, resourceName, type DeploymentContext } from "../context";
import { hostAddress } from "./addressing";
import type { RegionNetwork } from "./region-network";

export const SERVER_IMAGE = "debian-12";

export interface ServiceHostsProps {
  context: DeploymentContext;
  service: string;
  serverType: string;
  count: number;
  location: string;
  network: RegionNetwork;
  networkCidr: string;
  sshKeys: string[];
  userData: string;
  deletionProtection: boolean;
}

export class ServiceHosts extends Construct {
  readonly placementGroup: PlacementGroup;
  readonly servers: Server[];

  constructor(scope: Construct, id: string, props: ServiceHostsProps) {
    super(scope, id);
    const labels = hcloudLabels(props.context, props.service);
    this.placementGroup = new PlacementGroup(this, "spread", {
      name: resourceName(props.context, props.service, "spread"),
      type: "spread",
      labels,
    });
    this.servers = Array.from({ length: props.count }, (_, i) => {
      const server = new Server(this, `host-${i + 1}`, {
        name: resourceName(props.context, props.service, i + 1),
        serverType: props.serverType,
        image: SERVER_IMAGE,
        location: props.location,
        sshKeys: props.sshKeys,
        userData: props.userData,
        labels,
        placementGroupId: Token.asNumber(this.placementGroup.id),
        publicNet: [{ ipv4Enabled: true, ipv6Enabled: true }],
        network: [
          { networkId: Token.asNumber(props.network.network.id), ip: hostAddress(props.networkCidr, props.service, i) },
        ],
        deleteProtection: props.deletionProtection,
        rebuildProtection: props.deletionProtection,
        shutdownBeforeDeletion: true,
        // The server must not come up before its subnet exists, or the network attachment fails.
        dependsOn: [props.network.subnet],
        lifecycle: { preventDestroy: props.deletionProtection },
      });
      return server;
    });
  }
}
