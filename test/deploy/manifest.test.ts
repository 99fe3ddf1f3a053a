import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readBundleManifest, sha256Hex } from "../../services/deploy/manifest";

const COMMIT = "0123456789abcdef0123456789abcdef01234567";

/** A manifest directory with one stand-in archive; `edit` breaks the manifest the way a test needs. */
function manifestWith(edit: (m: Record<string, any>) => void = () => {}): string {
  const dir = mkdtempSync(join(tmpdir(), "polysync-manifest-"));
  writeFileSync(join(dir, "listener-1.2.3.tgz"), "archive bytes");
  const manifest: Record<string, any> = {
    services: {
      listener: {
        version: "1.2.3",
        gitCommit: `${COMMIT}-dirty`,
        file: "listener-1.2.3.tgz",
        sha256: sha256Hex("archive bytes"),
        bundleSha256: sha256Hex("script"),
        bytes: 13,
      },
    },
    builtAt: "2026-11-25T18:00:00.000Z",
  };
  edit(manifest);
  writeFileSync(join(dir, "manifest.json"), JSON.stringify(manifest));
  return join(dir, "manifest.json");
}

describe("reading dist/manifest.json", () => {
  it("releases nothing without a manifest: every service stays unreleased", () => {
    expect(readBundleManifest(join(tmpdir(), "no-such-dir", "manifest.json"))).toEqual({});
  });

  it("turns each entry into a bundle with its archive's path", () => {
    const file = manifestWith();
    expect(readBundleManifest(file)).toEqual({
      listener: { version: "1.2.3", sha256: sha256Hex("archive bytes"), archive: join(file, "..", "listener-1.2.3.tgz") },
    });
  });

  it("names every bad field", () => {
    const file = manifestWith((m) => {
      m.services.listener.sha256 = "ABC";
      m.services.listener.file = "../etc/passwd";
      delete m.services.listener.gitCommit;
      m.services.listner = m.services.listener;
    });
    const error = () => readBundleManifest(file);
    expect(error).toThrow(`${file}: services.listener.gitCommit: Invalid input: expected string, received undefined`);
    expect(error).toThrow(`${file}: services.listener.file: a .tgz file name next to the manifest, no directories`);
    expect(error).toThrow(`${file}: services.listener.sha256: 64 lower-case hex characters`);
    expect(error).toThrow(`${file}: services: Unrecognized key: "listner"`);
    expect(error).toThrow("(rebuild it with `npm run bundle`)");
  });

  it("refuses a manifest that is not JSON", () => {
    const file = manifestWith();
    writeFileSync(file, "{ services");
    expect(() => readBundleManifest(file)).toThrow(new RegExp(`^${file}: not a bundle manifest: `));
  });

  it("refuses an archive that is missing or does not match its sha256", () => {
    const missing = manifestWith((m) => (m.services.listener.file = "listener-9.9.9.tgz"));
    expect(() => readBundleManifest(missing)).toThrow(`${missing}: services.listener.file: ${join(missing, "..", "listener-9.9.9.tgz")} does not exist`);
    const stale = manifestWith((m) => (m.services.listener.sha256 = sha256Hex("older bytes")));
    expect(() => readBundleManifest(stale)).toThrow(
      `${stale}: services.listener.sha256: listener-1.2.3.tgz hashes to ${sha256Hex("archive bytes")}, not ${sha256Hex("older bytes")}`,
    );
  });
});
