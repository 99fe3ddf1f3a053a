/**
 * The region's KMS keys: an asymmetric secp256k1 key that signs Polymarket orders (its private half never leaves
 * KMS), and a symmetric key that encrypts the region's secrets and artifacts.
 *
 * | key         | kind                                                 | used by                                    |
 * |-------------|------------------------------------------------------|--------------------------------------------|
 * | signing key | multi-Region: the environment's primary or a replica | the region's executor role (Sign only)     |
 * | data key    | regional, rotated yearly                             | the region's hosts, via Secrets Manager/S3 |
 *
 * Every region of an environment signs with the same key material, so an order has the same `signer` (and the same
 * EIP-712 hash, which the venue dedupes on) whichever region executes it. Key policies are not replicated: each
 * replica carries its own sign-only policy naming its own region's executor role.
 */
import { Construct } from "constructs";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { KmsReplicaKey } from "@cdktf/provider-aws/lib/kms-replica-key";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { resourceName, serviceTags, type DeploymentContext } from "../context";
import { dataKeyPolicy, signingKeyPolicy } from "./kms-policies";

export interface RegionKeysProps {
  context: DeploymentContext;
  accountId: string;
  awsRegion: string;
  /** Absent: this region holds the environment's primary signing key. Otherwise the primary's ARN, replicated here. */
  primarySigningKeyArn?: string;
  signerRoleArns: string[];
  readerRoleArns: string[];
  deletionProtection: boolean;
}

export class RegionKeys extends Construct {
  readonly signingKey: KmsKey | KmsReplicaKey;
  readonly dataKey: KmsKey;

  constructor(scope: Construct, id: string, props: RegionKeysProps) {
    super(scope, id);
    const { context } = props;
    // 30 days is KMS's maximum: the longest window to notice and cancel a mistaken deletion.
    const deletionWindowInDays = props.deletionProtection ? 30 : 7;
    const lifecycle = { preventDestroy: props.deletionProtection };

    const signing = {
      deletionWindowInDays,
      policy: signingKeyPolicy(props.accountId, props.signerRoleArns),
      tags: serviceTags("executor"),
      lifecycle,
    };
    this.signingKey =
      props.primarySigningKeyArn === undefined
        ? new KmsKey(this, "signing-key", {
            ...signing,
            description: `Order signing key (${context.env}, multi-Region primary in ${context.region})`,
            keyUsage: "SIGN_VERIFY",
            customerMasterKeySpec: "ECC_SECG_P256K1",
            multiRegion: true,
          })
        : new KmsReplicaKey(this, "signing-key", {
            ...signing,
            description: `Order signing key (${context.env}, replica in ${context.region})`,
            primaryKeyArn: props.primarySigningKeyArn,
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
