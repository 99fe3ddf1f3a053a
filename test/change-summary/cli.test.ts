import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { main, USAGE, type Io } from "../../stacks/change-summary/cli";
import { loadSynthOutput } from "../../stacks/change-summary/load";
import { synthApp } from "./synth-apps";

const REPO_ROOT = resolve(__dirname, "../..");
const CLI = join(REPO_ROOT, "stacks/change-summary/cli.ts");

let workDir: string;
let base: string;
let head: string;

beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), "change-summary-cli-"));
  base = join(workDir, "base");
  head = join(workDir, "head");
  synthApp(base, "base");
  synthApp(head, "head");
});

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

function run(argv: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = "";
  let stderr = "";
  const io: Io = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) };
  const code = main(argv, io);
  return { code, stdout, stderr };
}

describe("change-summary CLI", () => {
  test("prints the markdown summary to stdout", () => {
    const result = run(["--base", base, "--head", head]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toContain("**7 to add, 8 to change, 6 to remove across 5 stacks**");
  });

  test("--out writes the summary to a file, creating its directory", () => {
    const out = join(workDir, "reports", "summary.md");
    const result = run(["--base", base, "--head", head, "--out", out]);
    expect(result).toMatchObject({ code: 0, stdout: "" });
    expect(readFileSync(out, "utf8")).toContain("### network");
  });

  test.each([
    [[], "missing --base"],
    [["--base", "x"], "missing --head"],
    [["--base", "x", "--head"], "--head"],
    [["--base", "x", "--head", "y", "--verbose"], "--verbose"],
    [["--base", "x", "--head", "y", "extra"], "extra"],
  ])("bad arguments %j exit 2 with usage naming the problem", (argv, problem) => {
    const result = run(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(problem);
    expect(result.stderr).toContain(USAGE);
  });

  test("a non-existent directory exits 1 naming it and suggesting npm run synth", () => {
    const missing = join(workDir, "no-such-dir");
    const result = run(["--base", missing, "--head", head]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(missing);
    expect(result.stderr).toContain("npm run synth");
  });

  test("as a process: exit code 2 without arguments, markdown on stdout with them", () => {
    const bare = spawnSync("npx", ["tsx", CLI], { cwd: REPO_ROOT, encoding: "utf8" });
    expect(bare.status).toBe(2);
    expect(bare.stderr).toContain("missing --base");

    const full = spawnSync("npx", ["tsx", CLI, "--base", base, "--head", head], { cwd: REPO_ROOT, encoding: "utf8" });
    expect(full.status).toBe(0);
    expect(full.stdout).toMatch(/^## Infrastructure change summary\n/);
  });
});

describe("loadSynthOutput", () => {
  test("reads every stack listed in the manifest", () => {
    expect(Object.keys(loadSynthOutput(head).stacks).sort()).toEqual(["alerting", "compute", "dns", "edge", "network"]);
  });

  test("a directory without manifest.json names the manifest and suggests npm run synth", () => {
    const empty = join(workDir, "empty");
    mkdirSync(empty);
    expect(() => loadSynthOutput(empty)).toThrow(join(empty, "manifest.json"));
    expect(() => loadSynthOutput(empty)).toThrow("npm run synth");
  });

  test("malformed JSON names the file", () => {
    const broken = join(workDir, "broken");
    mkdirSync(join(broken, "stacks", "a"), { recursive: true });
    const stackFile = join(broken, "stacks", "a", "cdk.tf.json");
    writeFileSync(
      join(broken, "manifest.json"),
      JSON.stringify({ version: "0.21.0", stacks: { a: { name: "a", synthesizedStackPath: "stacks/a/cdk.tf.json" } } }),
    );
    writeFileSync(stackFile, "{ not json");
    expect(() => loadSynthOutput(broken)).toThrow(`malformed JSON in ${stackFile}`);

    writeFileSync(join(broken, "manifest.json"), "{");
    expect(() => loadSynthOutput(broken)).toThrow(`malformed JSON in ${join(broken, "manifest.json")}`);
  });
});
