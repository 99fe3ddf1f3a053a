/** Builds the whole topology: per environment one global stack and one PolysyncRegion per region. */
import { App } from "cdktf";
import { PolysyncRegion } from "../constructs/polysync-region";
import type { BundleSet } from "../constructs/bundles";
import { EnvironmentGlobal } from "./environment-global";
import { TOPOLOGY, type Region, type Topology } from "./topology";

export interface AppOptions {
  outdir?: string;
  topology?: Topology;
  /** Service bundles to deploy (readBundleManifest); absent: every service stays "unreleased". */
  bundles?: BundleSet;
}

export function buildApp(options: AppOptions = {}): App {
  const topology = options.topology ?? TOPOLOGY;
  // Without an explicit outdir, App honours CDKTF_OUTDIR, which the cdktf CLI sets when it runs stacks/main.ts.
  const app = new App(options.outdir ? { outdir: options.outdir } : {});
  for (const environment of topology.environments) {
    const global = new EnvironmentGlobal(app, { topology, environment });
    const regionStack = (region: Region, primarySigningKeyArn?: string) =>
      new PolysyncRegion(app, {
        topology,
        environment,
        region,
        monitoring: global.endpoints(),
        bundles: options.bundles ?? {},
        primarySigningKeyArn,
      });
    // The region holding the multi-Region signing key comes first; the others replicate it (a cross-stack reference).
    const primary = regionStack(environment.regions.find((r) => r.name === environment.signingKeyPrimaryRegion)!);
    for (const region of environment.regions) {
      if (region.name !== environment.signingKeyPrimaryRegion) regionStack(region, primary.keys.signingKey.arn);
    }
  }
  return app;
}
