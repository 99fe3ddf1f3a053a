import { accessSync, constants } from "node:fs";
import path from "node:path";

/** Tests that need a server binary run the real one: a missing binary is a failure that says how to install it. */
export function binaryOnPath(name: string, debianPackage: string): string {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this PATH entry
    }
  }
  throw new Error(`${name} is not on PATH (${process.env.PATH}); these tests need it (Debian: apt-get install ${debianPackage})`);
}
