/** Entry point for the cdktf CLI (`cdktf diff` / `cdktf deploy` in CI): deploys the bundles `npm run bundle` built. */
import { readBundleManifest } from "../services/deploy/manifest";
import { buildApp } from "./app";

buildApp({ bundles: readBundleManifest() }).synth();
