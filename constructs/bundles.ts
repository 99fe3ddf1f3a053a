/**
 * The input through which service bundles reach the infrastructure. `npm run bundle` builds them and writes
 * dist/manifest.json (services/deploy/); until a service has a bundle, its pointer says "unreleased" and hosts install
 * nothing for it.
 */
export interface ServiceBundle {
  version: string;
  /** sha256 of the bundle archive: also its S3 key, so an object can never change under a pointer. */
  sha256: string;
  /** Path of the archive on disk; the region stack uploads it. */
  archive: string;
}

export type BundleSet = Partial<Record<string, ServiceBundle>>;

/** The S3 key a bundle is uploaded under. */
export function bundleKey(service: string, bundle: ServiceBundle): string {
  return `bundles/${service}/${bundle.sha256}.tgz`;
}

/**
 * What the SSM bundle pointer of a service holds (read by polysync-sync-bundle on the hosts). No commit or build time:
 * the pointer changes exactly when the bundle does, so a commit that leaves a service's code alone releases nothing.
 */
export function bundlePointer(service: string, bundle: ServiceBundle | undefined): string {
  if (!bundle) return JSON.stringify({ version: "unreleased" });
  if (!/^[0-9a-f]{64}$/.test(bundle.sha256)) {
    throw new Error(`bundle for ${service} ${bundle.version}: sha256 must be 64 lower-case hex characters`);
  }
  return JSON.stringify({ version: bundle.version, sha256: bundle.sha256, key: bundleKey(service, bundle) });
}
