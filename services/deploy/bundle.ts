/**
 * `npm run bundle [-- <service>…]`: the deployable artifacts.
 *
 * | output                          | what                                                                   |
 * |---------------------------------|------------------------------------------------------------------------|
 * | dist/<service>.mjs (+ .map)     | one self-contained ESM file per service (esbuild, node 20)             |
 * | dist/polysync-<service>.service | its systemd unit (systemd.ts)                                          |
 * | dist/<service>-<version>.tgz    | the three above, reproducible: the same sources give the same sha256   |
 * | dist/manifest.json              | version, commit, sha256 and size per service: the stacks' input        |
 *
 * Reproducible because hosts install an archive by its hash: a rebuild of unchanged sources must not be a release.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { build } from "esbuild";
import { create as createTar } from "tar";
import { SERVICE_NAMES, type ServiceName } from "../../stacks/topology/schema";
import { DEFAULT_BUNDLE_DIR, REPO_ROOT, sha256Hex, type BundleManifest } from "./manifest";
import { SERVICE_DEPLOYMENTS } from "./services";
import { renderServiceUnit, unitName } from "./systemd";

/** CommonJS dependencies (pino, prom-client, nats, ws) still call require() inside the ESM bundle. */
const REQUIRE_BANNER = [
  'import { createRequire as __polysyncCreateRequire } from "node:module";',
  "const require = __polysyncCreateRequire(import.meta.url);",
].join("\n");

/** Every archive entry gets this mtime (and fixed mode, no owner), so the archive depends on contents alone. */
const ARCHIVE_MTIME = new Date("2000-01-01T00:00:00Z");

export interface BundleOptions {
  /** Emptied and filled; default dist/. */
  outdir?: string;
  /** Default: every service (SERVICE_NAMES). */
  services?: readonly ServiceName[];
}

export async function buildBundles(options: BundleOptions = {}): Promise<BundleManifest> {
  const outdir = options.outdir ?? DEFAULT_BUNDLE_DIR;
  const services = options.services ?? SERVICE_NAMES;
  for (const service of services) {
    const { entry } = SERVICE_DEPLOYMENTS[service];
    if (!existsSync(join(REPO_ROOT, entry))) {
      const others = services.filter((s) => s !== service);
      throw new Error(
        `${service}: entry point ${entry} does not exist` +
          (others.length > 0 ? ` (to bundle the others: npm run bundle -- ${others.join(" ")})` : ""),
      );
    }
  }
  const version = packageVersion();
  const gitCommit = currentCommit();
  // A bundle of a service that is no longer asked for must not linger next to the new manifest.
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });

  const manifest: BundleManifest = { services: {}, builtAt: new Date().toISOString() };
  for (const service of services) {
    const script = await bundleService(service, outdir);
    const unit = unitName(service);
    writeFile(join(outdir, unit), renderServiceUnit(service));
    const file = `${service}-${version}.tgz`;
    createTar(
      { file: join(outdir, file), cwd: outdir, sync: true, gzip: { level: 9 }, portable: true, mtime: ARCHIVE_MTIME },
      [script, `${script}.map`, unit],
    );
    const archive = readFileSync(join(outdir, file));
    manifest.services[service] = {
      version,
      gitCommit,
      file,
      sha256: sha256Hex(archive),
      bundleSha256: sha256Hex(readFileSync(join(outdir, script))),
      bytes: archive.length,
    };
  }
  writeFileSync(join(outdir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** esbuild → <service>.mjs and its source map in outdir; returns the script's file name. */
async function bundleService(service: ServiceName, outdir: string): Promise<string> {
  const script = `${service}.mjs`;
  const result = await build({
    entryPoints: [join(REPO_ROOT, SERVICE_DEPLOYMENTS[service].entry)],
    // Paths esbuild writes into the output (module comments, source map sources) are relative to these two, so
    // they are fixed here rather than taken from the caller's cwd and outdir.
    absWorkingDir: REPO_ROOT,
    outfile: join(REPO_ROOT, "dist", script),
    write: false,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    sourcemap: "linked",
    banner: { js: REQUIRE_BANNER },
    logLevel: "warning",
  });
  for (const output of result.outputFiles) writeFile(join(outdir, basename(output.path)), output.contents);
  return script;
}

/** Written with a fixed mode: the archive records it, and the caller's umask must not change the hash. */
function writeFile(path: string, contents: string | Uint8Array): void {
  writeFileSync(path, contents);
  chmodSync(path, 0o644);
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;
}

function currentCommit(): string {
  const git = (...args: string[]) => execFileSync("git", args, { cwd: REPO_ROOT, encoding: "utf8" }).trim();
  let commit: string;
  try {
    commit = git("rev-parse", "HEAD");
  } catch (err) {
    throw new Error(`cannot read the git commit of ${REPO_ROOT}: ${(err as Error).message}`);
  }
  return git("status", "--porcelain").length > 0 ? `${commit}-dirty` : commit;
}

function parseServices(args: string[]): ServiceName[] | undefined {
  if (args.length === 0) return undefined;
  for (const arg of args) {
    if (!(SERVICE_NAMES as readonly string[]).includes(arg)) {
      throw new Error(`unknown service "${arg}": have ${SERVICE_NAMES.join(", ")}\nusage: npm run bundle [-- <service>…]`);
    }
  }
  return args as ServiceName[];
}

if (require.main === module) {
  Promise.resolve()
    .then(() => buildBundles({ services: parseServices(process.argv.slice(2)) }))
    .then((manifest) => {
      for (const [service, b] of Object.entries(manifest.services)) {
        if (!b) continue;
        const size = `${(b.bytes / 1e6).toFixed(1)} MB`;
        console.log(`  ${service} ${b.version} (${b.gitCommit.slice(0, 12)})  ${b.file}  ${size}  sha256 ${b.sha256}`);
      }
      console.log(`wrote ${join(DEFAULT_BUNDLE_DIR, "manifest.json")}`);
    })
    .catch((err: Error) => {
      console.error(`bundle: ${err.message}`);
      process.exit(1);
    });
}
