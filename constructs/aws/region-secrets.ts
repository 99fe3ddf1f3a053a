/**
 * Secret containers only. Terraform creates the secret and its encryption and access wiring; operators put the value
 * with `aws secretsmanager put-secret-value` (runbooks/rotate-rpc-api-key.md), so no value is ever in code or state.
 */
import { Construct } from "constructs";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { serviceTags, type DeploymentContext } from "../context";

export interface RegionSecretsProps {
  context: DeploymentContext;
  rpcSecretNames: string[];
  kmsKeyArn: string;
  deletionProtection: boolean;
}

/** Material only the executor holds: the order book's L2 API credentials (key, secret, passphrase). */
export const EXECUTOR_SECRET_NAMES = ["signer/clob-l2-credentials"] as const;

export class RegionSecrets extends Construct {
  readonly rpcSecrets: Map<string, SecretsmanagerSecret>;
  readonly executorSecrets: SecretsmanagerSecret[];

  constructor(scope: Construct, id: string, props: RegionSecretsProps) {
    super(scope, id);
    const { context } = props;
    const secret = (name: string, service: string) =>
      new SecretsmanagerSecret(this, name.replace(/\//g, "-"), {
        name: `${context.project}/${context.env}/${context.region}/${name}`,
        description: `Set out of band; see runbooks. (${service})`,
        kmsKeyId: props.kmsKeyArn,
        recoveryWindowInDays: props.deletionProtection ? 30 : 7,
        tags: serviceTags(service),
        lifecycle: { preventDestroy: props.deletionProtection },
      });
    this.rpcSecrets = new Map(props.rpcSecretNames.map((n) => [n, secret(n, "listener")]));
    this.executorSecrets = EXECUTOR_SECRET_NAMES.map((n) => secret(n, "executor"));
  }
}
