/**
 * The region's KMS keys: an asymmetric secp256k1 key that signs Polymarket orders (its private half never leaves
 * KMS), and a symmetric key that encrypts the region's secrets and artifacts.
 */
import { Construct } from "constructs";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { resourceName, serviceTags, type DeploymentContext } from "../context";
import { dataKeyPolicy, signingKeyPolicy } from "./kms-policies";

export interface RegionKeysProps {
  context: DeploymentContext;
  accountId: string;
  awsRegion: string;
  signerRoleArns: string[];
  readerRoleArns: string[];
  deletionProtection: boolean;
}

export class RegionKeys extends Construct {
  readonly signingKey: KmsKey;
  readonly dataKey: KmsKey;

  constructor(scope: Construct, id: string, props: RegionKeysProps) {
    super(scope, id);
    const { context } = props;
    // 30 days is KMS's maximum: the longest window to notice and cancel a mistaken deletion.
    const deletionWindowInDays = props.deletionProtection ? 30 : 7;
    const lifecycle = { preventDestroy: props.deletionProtection };

    this.signingKey = new KmsKey(this, "signing-key", {
      description: `Order signing key (${context.env}/${context.region})`,
      keyUsage: "SIGN_VERIFY",
      customerMasterKeySpec: "ECC_SECG_P256K1",
      deletionWindowInDays,
      policy: signingKeyPolicy(props.accountId, props.signerRoleArns),
      tags: serviceTags("executor"),
      lifecycle,
    });
    new KmsAlias(this, "signing-key-alias", {
      name: `alias/${resourceName(context, "order-signing")}`,
      targetKeyId: this.signingKey.keyId,
    });

    this.dataKey = new KmsKey(this, "data-key", {
      description: `Secrets and artifacts encryption (${context.env}/${context.region})`,
      keyUsage: "ENCRYPT_DECRYPT",
      customerMasterKeySpec: "SYMMETRIC_DEFAULT",
      enableKeyRotation: true,
      deletionWindowInDays,
      policy: dataKeyPolicy(props.accountId, props.readerRoleArns, props.awsRegion),
      tags: serviceTags("platform"),
      lifecycle,
    });
    new KmsAlias(this, "data-key-alias", {
      name: `alias/${resourceName(context, "data")}`,
      targetKeyId: this.dataKey.keyId,
    });
  }
}
