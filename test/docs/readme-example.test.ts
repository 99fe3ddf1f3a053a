/**
 * The README's "add a region" example is code the suite compiles and runs, so the documentation cannot drift from the
 * constructs' real API.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as ts from "typescript";
import type { App } from "cdktf";

const ROOT = join(__dirname, "..", "..");
const GENERATED = join(ROOT, "readme-example.gen.ts");

function readmeExample(name: string): string {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const match = new RegExp(`<!-- example:${name} -->\\s*\`\`\`ts\\n([\\s\\S]*?)\`\`\``).exec(readme);
  if (!match) throw new Error(`README.md has no \`\`\`ts block after <!-- example:${name} -->`);
  return match[1];
}

describe("README add-a-region example", () => {
  beforeAll(() => writeFileSync(GENERATED, readmeExample("add-region")));
  afterAll(() => rmSync(GENERATED, { force: true }));

  it("type-checks under the project's strict compiler options", () => {
    const config = ts.readConfigFile(join(ROOT, "tsconfig.json"), ts.sys.readFile);
    const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
    const program = ts.createProgram([GENERATED], options);
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file?.fileName === GENERATED)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    expect(diagnostics).toEqual([]);
  });

  it("synthesizes the new region's stack", () => {
    const { app } = require(GENERATED) as { app: App };
    const stacks = app.node.children.map((c) => c.node.id);
    expect(stacks).toEqual(["production-global", "production-eu-central", "production-us-west"]);
    const region = JSON.stringify((app.node.findChild("production-us-west") as unknown as { toTerraform(): unknown }).toTerraform());
    expect(region).toContain('"location":"hil"');
    expect(region).toContain('"aws_kms_replica_key"');
  });
});
