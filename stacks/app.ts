/** Builds the whole topology: per environment one global stack and one PolysyncRegion per region. */
import { App } from "cdktf";
import { PolysyncRegion } from "../constructs/polysync-region";
import type { BundleSet } from "../constructs/bundles";
import { EnvironmentGlobal } from "./environment-global";
import { TOPOLOGY, type Topology } from "./topology";

export interface AppOptions {
  outdir?: string;
  topology?: Topology;
  /** Service bundles to deploy. Empty until the services publish bundles: every service stays "unreleased". */
  bundles?: BundleSet;
}

export function buildApp(options: AppOptions = {}): App {
  const topology = options.topology ?? TOPOLOGY;
  // Without an explicit outdir, App honours CDKTF_OUTDIR, which the cdktf CLI sets when it runs stacks/main.ts.
  const app = new App(options.outdir ? { outdir: options.outdir } : {});
  for (const environment of topology.environments) {
    const global = new EnvironmentGlobal(app, { topology, environment });
    for (const region of environment.regions) {
      new PolysyncRegion(app, {
        topology,
        environment,
        region,
        monitoring: global.endpoints(),
        bundles: options.bundles ?? {},
      });
    }
  }
  return app;
}
