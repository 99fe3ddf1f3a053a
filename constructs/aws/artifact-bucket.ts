/**
 * Where service bundles live, keyed by content hash. Versioned so a bad release can be rolled back to the exact
 * previous object; encrypted with the region's data key; never public; TLS only.
 */
import { Construct } from "constructs";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { resourceName, serviceTags, type DeploymentContext } from "../context";

export interface ArtifactBucketProps {
  context: DeploymentContext;
  accountId: string;
  kmsKeyArn: string;
  deletionProtection: boolean;
}

export class ArtifactBucket extends Construct {
  readonly bucket: S3Bucket;

  constructor(scope: Construct, id: string, props: ArtifactBucketProps) {
    super(scope, id);
    this.bucket = new S3Bucket(this, "bucket", {
      // Bucket names are global: the account id keeps two accounts deploying the same topology apart.
      bucket: `${resourceName(props.context, "artifacts")}-${props.accountId}`,
      forceDestroy: false,
      tags: serviceTags("artifacts"),
      lifecycle: { preventDestroy: props.deletionProtection },
    });
    new S3BucketVersioningA(this, "versioning", {
      bucket: this.bucket.id,
      versioningConfiguration: { status: "Enabled" },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket: this.bucket.id,
      rule: [
        {
          applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: props.kmsKeyArn },
          bucketKeyEnabled: true,
        },
      ],
    });
    new S3BucketPublicAccessBlock(this, "public-access-block", {
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, "ownership", {
      bucket: this.bucket.id,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });
    new S3BucketPolicy(this, "tls-only", {
      bucket: this.bucket.id,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [this.bucket.arn, `${this.bucket.arn}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ],
      }),
    });
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket: this.bucket.id,
      rule: [
        {
          id: "expire-old-versions",
          status: "Enabled",
          filter: [{ prefix: "" }],
          noncurrentVersionExpiration: [{ noncurrentDays: 90, newerNoncurrentVersions: 5 }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 2 }],
        },
      ],
    });
  }
}
