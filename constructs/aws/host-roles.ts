/**
 * AWS identities for the Hetzner hosts. Hosts have no instance profile, so they trade an X.509 certificate for
 * short-lived credentials through IAM Roles Anywhere; each service gets its own role with only what it reads.
 */
import { Construct } from "constructs";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { RolesanywhereProfile } from "@cdktf/provider-aws/lib/rolesanywhere-profile";
import { resourceName, serviceTags, type DeploymentContext } from "../context";

export interface HostRolesProps {
  context: DeploymentContext;
  trustAnchorArn: string;
  services: readonly string[];
}

export interface ServiceGrants {
  secretArns: string[];
  parameterArns: string[];
  artifactBucketArn: string;
  dataKeyArn: string;
  /** Only the executor signs. */
  signingKeyArn?: string;
}

export class HostRoles extends Construct {
  readonly roles: Map<string, IamRole>;
  readonly profile: RolesanywhereProfile;
  private readonly context: DeploymentContext;

  constructor(scope: Construct, id: string, props: HostRolesProps) {
    super(scope, id);
    this.context = props.context;
    this.roles = new Map(
      props.services.map((service) => [
        service,
        new IamRole(this, `${service}-role`, {
          name: resourceName(props.context, service, "host"),
          assumeRolePolicy: rolesAnywhereTrust(props.trustAnchorArn, resourceName(props.context, service)),
          maxSessionDuration: 3600,
          tags: serviceTags(service),
        }),
      ]),
    );
    this.profile = new RolesanywhereProfile(this, "profile", {
      name: resourceName(props.context, "hosts"),
      roleArns: [...this.roles.values()].map((r) => r.arn),
      durationSeconds: 3600,
      enabled: true,
      tags: serviceTags("platform"),
    });
  }

  role(service: string): IamRole {
    const role = this.roles.get(service);
    if (!role) throw new Error(`no host role for service "${service}" in ${this.context.env}/${this.context.region}`);
    return role;
  }

  /** Attach the service's permissions; separate from the role so the KMS key policy can name the role first. */
  grant(service: string, grants: ServiceGrants): void {
    const statements: object[] = [
      { Sid: "ReadOwnSecrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: grants.secretArns },
      { Sid: "ReadConfig", Effect: "Allow", Action: ["ssm:GetParameter"], Resource: grants.parameterArns },
      { Sid: "FetchBundles", Effect: "Allow", Action: ["s3:GetObject"], Resource: [`${grants.artifactBucketArn}/*`] },
      { Sid: "DecryptSecretsAndBundles", Effect: "Allow", Action: ["kms:Decrypt"], Resource: [grants.dataKeyArn] },
    ];
    if (grants.signingKeyArn) {
      statements.push({
        Sid: "SignOrders",
        Effect: "Allow",
        Action: ["kms:Sign", "kms:GetPublicKey"],
        Resource: [grants.signingKeyArn],
      });
    }
    new IamRolePolicy(this, `${service}-policy`, {
      name: "least-privilege",
      role: this.role(service).id,
      policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }),
    });
  }
}

/** Only certificates issued for this exact service and region (subject CN) under our trust anchor may assume the role. */
function rolesAnywhereTrust(trustAnchorArn: string, commonName: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "rolesanywhere.amazonaws.com" },
        Action: ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
        Condition: {
          ArnEquals: { "aws:SourceArn": trustAnchorArn },
          StringEquals: { "aws:PrincipalTag/x509Subject/CN": commonName },
        },
      },
    ],
  });
}
