/**
 * `dist/manifest.json`: what `npm run bundle` built, and what the stacks deploy (stacks/main.ts, stacks/synth.ts).
 * One schema for the writer and the reader, so a manifest the stacks accept is one the bundler could have written.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { z } from "zod";
import { SERVICE_NAMES } from "../../stacks/topology/schema";
import type { BundleSet } from "../../constructs/bundles";

export const REPO_ROOT = resolve(__dirname, "../..");
export const DEFAULT_BUNDLE_DIR = join(REPO_ROOT, "dist");
export const DEFAULT_MANIFEST = join(DEFAULT_BUNDLE_DIR, "manifest.json");

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, "64 lower-case hex characters");

export const bundleEntrySchema = z
  .object({
    /** package.json version. Informational: the sha256 is the identity. */
    version: z.string().regex(/^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]+)?$/, "a semver version such as 1.2.3"),
    gitCommit: z.string().regex(/^[0-9a-f]{40}(-dirty)?$/, 'a 40-hex git commit, "-dirty" if the tree changed'),
    /** The archive, next to the manifest. */
    file: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*\.tgz$/, "a .tgz file name next to the manifest, no directories"),
    /** sha256 of the archive: the S3 key and what hosts verify before unpacking. */
    sha256,
    /** sha256 of the service's .mjs inside the archive. */
    bundleSha256: sha256,
    bytes: z.number().int().positive(),
  })
  .strict();

export const bundleManifestSchema = z
  .object({
    services: z.partialRecord(z.enum(SERVICE_NAMES), bundleEntrySchema),
    builtAt: z.iso.datetime(),
  })
  .strict();

export type BundleManifest = z.infer<typeof bundleManifestSchema>;

export function sha256Hex(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/**
 * The bundles a manifest releases, each checked against its archive on disk. No manifest: nothing is released and
 * every service stays "unreleased". A malformed one fails with the path of every bad field.
 */
export function readBundleManifest(file: string = DEFAULT_MANIFEST): BundleSet {
  if (!existsSync(file)) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`${file}: not a bundle manifest: ${(err as Error).message}`);
  }
  const parsed = bundleManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${file}: ${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new Error(`${lines.join("\n")}\n(rebuild it with \`npm run bundle\`)`);
  }
  const bundles: BundleSet = {};
  for (const [service, entry] of Object.entries(parsed.data.services)) {
    const archive = join(dirname(resolve(file)), entry.file);
    if (!existsSync(archive)) throw new Error(`${file}: services.${service}.file: ${archive} does not exist`);
    // The archive is uploaded under its sha256 and hosts refuse a mismatch; refuse it here, before anything deploys.
    const actual = sha256Hex(readFileSync(archive));
    if (actual !== entry.sha256) {
      throw new Error(
        `${file}: services.${service}.sha256: ${entry.file} hashes to ${actual}, not ${entry.sha256} ` +
          "(rebuild with `npm run bundle`)",
      );
    }
    bundles[service] = { version: entry.version, sha256: entry.sha256, archive };
  }
  return bundles;
}
