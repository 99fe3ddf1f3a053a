/**
 * The region's AWS network: public and private subnets in at least two availability zones, the default security
 * group stripped of its allow-all rules, and an egress-only group for regional jobs (the monthly chaos run).
 */
import { Construct } from "constructs";
import { Fn } from "cdktf";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { resourceName, serviceTags, type DeploymentContext } from "../context";

export interface RegionVpcProps {
  context: DeploymentContext;
  cidr: string;
  availabilityZones: string[];
}

export class RegionVpc extends Construct {
  readonly vpc: Vpc;
  readonly publicSubnets: Subnet[];
  readonly privateSubnets: Subnet[];
  readonly jobsSecurityGroup: SecurityGroup;

  constructor(scope: Construct, id: string, props: RegionVpcProps) {
    super(scope, id);
    const { context } = props;
    const tags = (name: string) => ({ ...serviceTags("network"), Name: resourceName(context, name) });
    if (props.availabilityZones.length < 2) {
      throw new Error(`RegionVpc ${context.env}/${context.region}: needs at least two availability zones`);
    }

    this.vpc = new Vpc(this, "vpc", {
      cidrBlock: props.cidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: tags("vpc"),
    });
    new DefaultSecurityGroup(this, "default-sg", { vpcId: this.vpc.id, tags: tags("default-sg-locked") });

    const igw = new InternetGateway(this, "igw", { vpcId: this.vpc.id, tags: tags("igw") });
    const publicRoutes = new RouteTable(this, "public-routes", {
      vpcId: this.vpc.id,
      route: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }],
      tags: tags("public-rt"),
    });
    const privateRoutes = new RouteTable(this, "private-routes", { vpcId: this.vpc.id, tags: tags("private-rt") });

    // /20 subnets: public ones in the first half of the VPC range, private ones after them.
    const subnet = (kind: "public" | "private", az: string, i: number) =>
      new Subnet(this, `${kind}-${az}`, {
        vpcId: this.vpc.id,
        availabilityZone: az,
        cidrBlock: Fn.cidrsubnet(props.cidr, 4, kind === "public" ? i : 8 + i),
        mapPublicIpOnLaunch: false,
        tags: tags(`${kind}-${az}`),
      });
    this.publicSubnets = props.availabilityZones.map((az, i) => subnet("public", az, i));
    this.privateSubnets = props.availabilityZones.map((az, i) => subnet("private", az, i));
    this.publicSubnets.forEach(
      (s, i) => new RouteTableAssociation(this, `public-assoc-${i}`, { subnetId: s.id, routeTableId: publicRoutes.id }),
    );
    this.privateSubnets.forEach(
      (s, i) => new RouteTableAssociation(this, `private-assoc-${i}`, { subnetId: s.id, routeTableId: privateRoutes.id }),
    );

    this.jobsSecurityGroup = new SecurityGroup(this, "jobs-sg", {
      name: resourceName(context, "jobs"),
      description: "Regional jobs: no inbound, HTTPS out only",
      vpcId: this.vpc.id,
      egress: [{ description: "https out", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"] }],
      tags: { ...serviceTags("chaos"), Name: resourceName(context, "jobs") },
    });
  }
}
