/**
 * `npm run bundle [-- <service>…]`: the deployable artifacts.
 *
 * | output                          | what                                                                   |
 * |---------------------------------|------------------------------------------------------------------------|
 * | dist/<service>.mjs (+ .map)     | one self-contained ESM file per service (esbuild, node 20)             |
 * | dist/<tool>.mjs (+ .map)        | operator commands a service's archive carries (services.ts `tools`)    |
 * | dist/native/secp256k1.node      | libsecp256k1's addon, for a service that signs with it (the executor)  |
 * | dist/irq-to-cpu0.sh             | moves device interrupts to CPU 0, for the latency-critical services    |
 * | dist/polysync-<service>.service | its systemd unit (systemd.ts)                                          |
 * | dist/<service>-<version>.tgz    | the above, reproducible: the same sources give the same sha256         |
 * | dist/manifest.json              | version, commit, sha256 and size per service: the stacks' input        |
 *
 * Reproducible because hosts install an archive by its hash: a rebuild of unchanged sources must not be a release.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { build, type Plugin } from "esbuild";
import { create as createTar } from "tar";
import { SERVICE_NAMES, type ServiceName } from "../../stacks/topology/schema";
import { DEFAULT_BUNDLE_DIR, REPO_ROOT, sha256Hex, type BundleManifest } from "./manifest";
import { SERVICE_DEPLOYMENTS } from "./services";
import { IRQ_SCRIPT, renderServiceUnit, unitName } from "./systemd";

/** CommonJS dependencies (pino, prom-client, nats, ws) still call require() inside the ESM bundle. */
const REQUIRE_BANNER = [
  'import { createRequire as __polysyncCreateRequire } from "node:module";',
  "const require = __polysyncCreateRequire(import.meta.url);",
].join("\n");

/**
 * The `secp256k1` package's addon as the bundle ships it. Its `bindings` entry finds the addon under node_modules,
 * which hosts do not have; in the bundle it loads this file, next to the script, instead. The prebuilt binary for
 * the service hosts (Hetzner x86-64, Debian 12, glibc) comes from the locked package, so the archive is the same
 * whatever machine builds it.
 */
const NATIVE_SECP256K1 = {
  specifier: "secp256k1/bindings",
  prebuilt: "node_modules/secp256k1/prebuilds/linux-x64/secp256k1.glibc.node",
  shipped: "native/secp256k1.node",
} as const;

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
    const { script, tools, addons } = await bundleService(service, outdir);
    const unit = unitName(service);
    writeFile(join(outdir, unit), renderServiceUnit(service));
    const irqScript = SERVICE_DEPLOYMENTS[service].deviceInterruptsOnCpu0 ? [IRQ_SCRIPT.shipped] : [];
    for (const file of irqScript) writeFile(join(outdir, file), readFileSync(join(REPO_ROOT, IRQ_SCRIPT.source)));
    const file = `${service}-${version}.tgz`;
    createTar(
      { file: join(outdir, file), cwd: outdir, sync: true, gzip: { level: 9 }, portable: true, mtime: ARCHIVE_MTIME },
      [script, `${script}.map`, ...tools.flatMap((t) => [t, `${t}.map`]), ...addons, ...irqScript, unit],
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

/**
 * esbuild → <service>.mjs and each of its tools as <tool>.mjs (self-contained, with source maps) and the native addons
 * they load, in outdir; returns their file names.
 */
async function bundleService(service: ServiceName, outdir: string): Promise<{ script: string; tools: string[]; addons: string[] }> {
  const script = `${service}.mjs`;
  const { entry, tools = {} } = SERVICE_DEPLOYMENTS[service];
  const secp256k1 = nativeSecp256k1Plugin();
  const result = await build({
    entryPoints: Object.fromEntries(
      [[service, entry], ...Object.entries(tools)].map(([name, source]) => [name, join(REPO_ROOT, source)]),
    ),
    // Paths esbuild writes into the output (module comments, source map sources) are relative to these two, so
    // they are fixed here rather than taken from the caller's cwd and outdir.
    absWorkingDir: REPO_ROOT,
    outdir: join(REPO_ROOT, "dist"),
    outExtension: { ".js": ".mjs" },
    write: false,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    sourcemap: "linked",
    banner: { js: REQUIRE_BANNER },
    plugins: [secp256k1.plugin],
    logLevel: "warning",
  });
  for (const output of result.outputFiles) writeFile(join(outdir, basename(output.path)), output.contents);
  const toolScripts = Object.keys(tools).map((name) => `${name}.mjs`);
  if (!secp256k1.used()) return { script, tools: toolScripts, addons: [] };
  const prebuilt = join(REPO_ROOT, NATIVE_SECP256K1.prebuilt);
  if (!existsSync(prebuilt)) throw new Error(`${service}: ${NATIVE_SECP256K1.prebuilt} is missing (is secp256k1 installed?)`);
  mkdirSync(join(outdir, dirname(NATIVE_SECP256K1.shipped)), { recursive: true });
  writeFile(join(outdir, NATIVE_SECP256K1.shipped), readFileSync(prebuilt));
  return { script, tools: toolScripts, addons: [NATIVE_SECP256K1.shipped] };
}

/**
 * Replaces `secp256k1/bindings` with a module that loads the shipped addon relative to the script (the banner's
 * require is createRequire(import.meta.url)) and wraps it in the package's own JS API, as the original entry does.
 */
function nativeSecp256k1Plugin(): { plugin: Plugin; used: () => boolean } {
  let used = false;
  const plugin: Plugin = {
    name: "native-secp256k1",
    setup(b) {
      b.onResolve({ filter: /^secp256k1\/bindings$/ }, () => ({ path: NATIVE_SECP256K1.specifier, namespace: "native-secp256k1" }));
      b.onResolve({ filter: /^\.\/native\/secp256k1\.node$/ }, (args) => ({ path: args.path, external: true }));
      b.onLoad({ filter: /.*/, namespace: "native-secp256k1" }, () => {
        used = true;
        const addon = `require(${JSON.stringify(`./${NATIVE_SECP256K1.shipped}`)})`;
        return { contents: `module.exports = require("secp256k1/lib/index.js")(new (${addon}).Secp256k1());\n`, loader: "js", resolveDir: REPO_ROOT };
      });
    },
  };
  return { plugin, used: () => used };
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
