import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..");

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const rel = join(dir, name);
    if (name === "gen" || name === "node_modules") return [];
    return statSync(join(ROOT, rel)).isDirectory() ? sourceFiles(rel) : /\.(ts|md)$/.test(name) ? [rel] : [];
  });
}

describe("runbook references", () => {
  it("every runbooks/*.md named in code and docs exists", () => {
    const files = [...sourceFiles("constructs"), ...sourceFiles("stacks"), ...sourceFiles("runbooks"), "README.md"];
    const referenced = new Set<string>();
    for (const file of files) {
      for (const m of readFileSync(join(ROOT, file), "utf8").matchAll(/runbooks\/([a-z0-9-]+\.md)/g)) referenced.add(m[1]);
    }
    expect(referenced.size).toBeGreaterThan(0);
    expect([...referenced].filter((name) => !existsSync(join(ROOT, "runbooks", name)))).toEqual([]);
  });
});
