/**
 * One service bundle in the artifact bucket, under its content hash (`bundles/<service>/<sha256>.tgz`). The archive
 * travels inside the synthesized stack as a cdktf asset, so the output CI planned is the one it uploads.
 */
import { Construct } from "constructs";
import { AssetType, TerraformAsset } from "cdktf";
import { S3Object } from "@cdktf/provider-aws/lib/s3-object";
import { bundleKey, type ServiceBundle } from "../bundles";
import { serviceTags } from "../context";

export interface BundleObjectProps {
  service: string;
  bundle: ServiceBundle;
  /** Bucket name (or its token). */
  bucket: string;
}

export class BundleObject extends Construct {
  readonly object: S3Object;

  constructor(scope: Construct, id: string, props: BundleObjectProps) {
    super(scope, id);
    const { service, bundle } = props;
    const archive = new TerraformAsset(this, "archive", {
      path: bundle.archive,
      type: AssetType.FILE,
      // Content-addressed like the S3 key: the asset's folder in the synth output changes exactly when the bundle does.
      assetHash: bundle.sha256,
    });
    this.object = new S3Object(this, "object", {
      bucket: props.bucket,
      key: bundleKey(service, bundle),
      source: archive.path,
      // Not etag: under SSE-KMS it is no MD5 of the content, so it cannot tell Terraform the file changed.
      sourceHash: bundle.sha256,
      // S3 checks the upload against a SHA-256 the provider computes, so a corrupted transfer fails the apply.
      checksumAlgorithm: "SHA256",
      contentType: "application/gzip",
      tags: serviceTags(service),
      // A new release is a new key: upload it before the old object goes, so a pointer never names a missing object.
      lifecycle: { createBeforeDestroy: true },
    });
  }
}
