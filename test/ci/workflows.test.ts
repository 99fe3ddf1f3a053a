/**
 * Static checks of the GitHub Actions workflows. GitHub only reports a broken workflow when it runs, and a deploy
 * workflow that misbehaves does so against real infrastructure, so the rules we rely on are asserted here.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseDocument } from "yaml";
import { listStacks } from "../../stacks/ci/list-stacks";
import { findSecretInValue } from "../../stacks/policy/secrets";
import { TOPOLOGY } from "../../stacks/topology";

const ROOT = resolve(__dirname, "../..");

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
interface Job {
  "runs-on"?: unknown;
  "timeout-minutes"?: unknown;
  needs?: string | string[];
  permissions?: Record<string, string> | string;
  environment?: string | { name: string };
  outputs?: Record<string, string>;
  strategy?: { matrix?: Record<string, unknown> };
  steps?: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string> | string;
  concurrency?: { group?: string; "cancel-in-progress"?: boolean };
  env?: Record<string, unknown>;
  jobs: Record<string, Job>;
}

function load(file: string) {
  const raw = readFileSync(join(ROOT, ".github/workflows", file), "utf8");
  const doc = parseDocument(raw);
  return { file, raw, doc, wf: doc.toJS() as Workflow };
}

const WORKFLOWS = [load("pull-request.yml"), load("deploy.yml")];
const [PR, DEPLOY] = WORKFLOWS;
const SCRIPTS = Object.keys(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts);

const needsOf = (job: Job) => (job.needs === undefined ? [] : [job.needs].flat());
const stepsOf = (job: Job) => job.steps ?? [];
const envName = (job: Job) => (typeof job.environment === "object" ? job.environment.name : job.environment);
const usesAction = (job: Job, action: string) => stepsOf(job).some((s) => s.uses?.startsWith(`${action}@`));
const runsOf = (wf: Workflow) =>
  Object.values(wf.jobs).flatMap((j) => stepsOf(j).flatMap((s) => (s.run ? [s.run] : [])));

/** npm scripts a command line invokes: `npm test`, `npm run [flags] <script>`. */
function npmScripts(command: string): string[] {
  const named = [...command.matchAll(/\bnpm\s+(?:run|run-script)\s+(?:--?[\w-]+\s+)*([\w:.-]+)/g)].map((m) => m[1]);
  const test = /\bnpm\s+(?:test|t)\b/.test(command) ? ["test"] : [];
  return [...named, ...test];
}

/** Every string in a parsed document, with its path. */
function* strings(value: unknown, path: string[] = []): Generator<[string[], string]> {
  if (typeof value === "string") yield [path, value];
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) yield* strings(v, [...path, String(i)]);
  else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value)) yield* strings(v, [...path, k]);
}

describe.each(WORKFLOWS)("$file", ({ raw, doc, wf }) => {
  const jobs = Object.entries(wf.jobs ?? {});

  it("is valid YAML with jobs", () => {
    expect(doc.errors.map(String)).toEqual([]);
    expect(doc.warnings.map(String)).toEqual([]);
    expect(jobs.length).toBeGreaterThan(0);
  });

  it("defaults to read-only permissions and never grants write-all", () => {
    expect(wf.permissions).toEqual({ contents: "read" });
    for (const [, job] of jobs) expect(typeof job.permissions).not.toBe("string");
  });

  it("gives every job a runner and a timeout", () => {
    for (const [name, job] of jobs) {
      expect({ name, runsOn: job["runs-on"] }).toEqual({ name, runsOn: expect.any(String) });
      expect({ name, timeout: job["timeout-minutes"] }).toEqual({ name, timeout: expect.any(Number) });
      expect(job["timeout-minutes"]).toBeGreaterThan(0);
      expect(job["timeout-minutes"]).toBeLessThanOrEqual(120);
    }
  });

  it("gives every step exactly one of `uses` or `run`", () => {
    for (const [name, job] of jobs) {
      expect(stepsOf(job).length).toBeGreaterThan(0);
      for (const step of stepsOf(job)) {
        expect({ name, step, exactlyOne: (step.uses === undefined) !== (step.run === undefined) }).toMatchObject({
          exactlyOne: true,
        });
      }
    }
  });

  it("pins every action to a version tag or a commit", () => {
    for (const [, job] of jobs) {
      for (const { uses } of stepsOf(job)) {
        if (uses) expect(uses).toMatch(/^[\w.-]+\/[\w./-]+@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$/);
      }
    }
  });

  it("names only existing jobs in `needs`, and only declared outputs of them", () => {
    for (const [name, job] of jobs) {
      for (const need of needsOf(job)) expect({ name, need, exists: need in wf.jobs }).toMatchObject({ exists: true });
      for (const [, text] of strings(job)) {
        for (const [, dep, output] of text.matchAll(/needs\.([\w-]+)\.outputs\.([\w-]+)/g)) {
          expect(needsOf(job)).toContain(dep);
          expect(Object.keys(wf.jobs[dep].outputs ?? {})).toContain(output);
        }
      }
    }
  });

  it("grants `id-token: write` exactly to the jobs that assume an AWS role", () => {
    expect(wf.permissions).not.toHaveProperty("id-token");
    for (const [name, job] of jobs) {
      const perms = typeof job.permissions === "object" ? job.permissions : {};
      const assumesRole = usesAction(job, "aws-actions/configure-aws-credentials");
      expect({ name, idToken: perms["id-token"] === "write" }).toEqual({ name, idToken: assumesRole });
      if (assumesRole) {
        for (const step of stepsOf(job).filter((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))) {
          expect(step.with?.["role-to-assume"]).toMatch(/^\$\{\{.*vars\.AWS_\w+_ROLE_ARN\w*.*\}\}$/);
        }
      }
    }
  });

  it("grants `pull-requests: write` only to jobs that comment", () => {
    for (const [name, job] of jobs) {
      const perms = typeof job.permissions === "object" ? job.permissions : {};
      const comments =
        usesAction(job, "marocchino/sticky-pull-request-comment") || usesAction(job, "actions/github-script");
      expect({ name, prWrite: perms["pull-requests"] === "write" }).toEqual({ name, prWrite: comments });
    }
  });

  it("runs only npm scripts that exist in package.json", () => {
    const used = runsOf(wf).flatMap(npmScripts);
    expect(used.length).toBeGreaterThan(0);
    for (const script of used) expect(SCRIPTS).toContain(script);
  });

  it("runs only repository scripts that exist", () => {
    for (const run of runsOf(wf)) {
      for (const [, file] of run.matchAll(/\bnpx\s+tsx\s+(\S+\.ts)\b/g))
        expect(existsSync(join(ROOT, file))).toBe(true);
    }
  });

  it("keeps expressions out of `run` scripts (script injection): values come in through `env`", () => {
    for (const run of runsOf(wf)) expect(run).not.toContain("${{");
  });

  it("contains no literal secret", () => {
    expect(findSecretInValue(raw)).toBeUndefined();
  });

  it("reads secrets only as `${{ secrets.X }}` into a step's environment, never into files or arguments", () => {
    const refs = [...raw.matchAll(/secrets\./g)].length;
    let seen = 0;
    for (const [path, text] of strings(wf)) {
      if (!text.includes("secrets")) continue;
      seen += [...text.matchAll(/secrets\./g)].length;
      expect({ path, text }).toEqual({ path, text: expect.stringMatching(/^\$\{\{ secrets\.[A-Z][A-Z0-9_]* \}\}$/) });
      // jobs.<job>.steps.<i>.env.<NAME>: only the step that needs it sees it, not `npm ci`'s install scripts.
      expect(path).toEqual(["jobs", expect.any(String), "steps", expect.any(String), "env", expect.any(String)]);
    }
    // Nothing hides in a place the parse does not show (a block scalar, a comment): the raw count matches.
    expect(seen).toBe(refs);
  });

  it("sets up Terraform and credentials before every cdktf plan or deploy", () => {
    for (const [name, job] of jobs) {
      const steps = stepsOf(job);
      const cdktf = steps.findIndex((s) => /\bcdktf\s+(diff|deploy)\b/.test(s.run ?? ""));
      if (cdktf < 0) continue;
      const before = steps.slice(0, cdktf);
      const terraform = before.find((s) => s.uses?.startsWith("hashicorp/setup-terraform@"));
      expect({ name, terraform: terraform?.with }).toEqual({
        name,
        terraform: { terraform_version: "${{ env.TERRAFORM_VERSION }}", terraform_wrapper: false },
      });
      expect(before.some((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))).toBe(true);
      expect(Object.keys(steps[cdktf].env ?? {})).toEqual(expect.arrayContaining(["HCLOUD_TOKEN", "GRAFANA_AUTH"]));
    }
  });

  it("uses the state bucket's region and a Terraform with S3-native locking", () => {
    expect(wf.env?.AWS_REGION).toBe(TOPOLOGY.state.region);
    const [major, minor] = String(wf.env?.TERRAFORM_VERSION).split(".").map(Number);
    expect(major > 1 || (major === 1 && minor >= 10)).toBe(true);
  });
});

it("pins the same Terraform version in both workflows", () => {
  expect(PR.wf.env?.TERRAFORM_VERSION).toBe(DEPLOY.wf.env?.TERRAFORM_VERSION);
});

describe("pull-request.yml", () => {
  const { on, jobs, concurrency } = PR.wf;

  it("runs on pull requests to main, one run per PR", () => {
    expect(on).toEqual({ pull_request: { branches: ["main"] } });
    expect(concurrency?.group).toContain("github.event.pull_request.number");
  });

  it("tests, synthesizes and summarizes, and plans every synthesized stack", () => {
    expect(jobs.test.steps?.map((s) => s.run).filter(Boolean)).toEqual([".ci/install-packages", "npm ci", "npm test"]);
    const synthRuns = runsOf({ ...PR.wf, jobs: { s: jobs["synth-and-summary"] } }).join("\n");
    expect(synthRuns).toMatch(/npm run synth/);
    expect(synthRuns).toMatch(/npm run --silent change-summary -- --base \S+ --head \S+ --out \S+/);
    expect(synthRuns).toMatch(/npx tsx stacks\/ci\/list-stacks\.ts/);

    expect(needsOf(jobs.diff)).toEqual(["synth-and-summary"]);
    expect(jobs.diff.strategy?.matrix?.stack).toBe("${{ fromJSON(needs.synth-and-summary.outputs.stacks) }}");
    expect(runsOf({ ...PR.wf, jobs: { d: jobs.diff } }).join("\n")).toMatch(/npx cdktf diff "\$STACK" --skip-synth/);
  });
});

describe("deploy.yml", () => {
  const { on, jobs, concurrency } = DEPLOY.wf;

  it("runs on pushes to main and by hand, never two at once, never cancelled midway", () => {
    expect(on).toEqual({ push: { branches: ["main"] }, workflow_dispatch: null });
    expect(concurrency).toEqual({ group: expect.any(String), "cancel-in-progress": false });
  });

  it("deploys production only after staging, behind the production environment", () => {
    expect(needsOf(jobs["deploy-production"])).toEqual(["deploy-staging"]);
    expect(envName(jobs["deploy-production"])).toBe("production");
    expect(envName(jobs["deploy-staging"])).toBe("staging");
  });

  it("deploys every environment of the topology, each with its own role, after testing", () => {
    const deployed = Object.values(jobs).map((job) => {
      const env = envName(job);
      const runs = stepsOf(job).flatMap((s) => (s.run ? [s.run] : []));
      expect(runs.slice(0, 3)).toEqual([".ci/install-packages", "npm ci", "npm test"]);
      expect(runs).toContain(`npx cdktf deploy '${env}-*' --skip-synth --auto-approve --no-color`);
      const creds = stepsOf(job).find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
      expect(creds?.with?.["role-to-assume"]).toBe(`\${{ vars.AWS_DEPLOY_ROLE_ARN_${env?.toUpperCase()} }}`);
      return env;
    });
    expect(deployed.sort()).toEqual(TOPOLOGY.environments.map((e) => e.name).sort());
  });
});

it("bundles before every synth, and deploys to production the bundles staging deployed", () => {
  const synthJobs = [PR.wf.jobs["synth-and-summary"], DEPLOY.wf.jobs["deploy-staging"]];
  for (const job of synthJobs) {
    const runs = stepsOf(job).flatMap((s) => (s.run ? [s.run] : []));
    expect(runs.indexOf("npm run bundle")).toBeGreaterThan(-1);
    expect(runs.indexOf("npm run bundle")).toBeLessThan(runs.indexOf("npm run synth"));
  }
  const staging = stepsOf(DEPLOY.wf.jobs["deploy-staging"]);
  const upload = staging.find((s) => s.uses?.startsWith("actions/upload-artifact@"));
  expect(upload?.with).toMatchObject({ name: "bundles", path: "dist" });
  const production = stepsOf(DEPLOY.wf.jobs["deploy-production"]);
  expect(production.some((s) => s.run === "npm run bundle")).toBe(false);
  const download = production.findIndex((s) => s.uses?.startsWith("actions/download-artifact@"));
  expect(production[download].with).toEqual({ name: "bundles", path: "dist" });
  expect(download).toBeLessThan(production.findIndex((s) => s.run === "npm run synth"));
});

describe("stacks/ci/list-stacks.ts", () => {
  const STACKS = [
    "staging-global",
    "staging-eu-central",
    "production-global",
    "production-eu-central",
    "production-us-east",
  ];
  const dir = mkdtempSync(join(tmpdir(), "list-stacks-"));
  mkdirSync(join(dir, "cdktf.out"));
  const manifest = join(dir, "cdktf.out/manifest.json");
  writeFileSync(
    manifest,
    JSON.stringify({
      version: "0.21.0",
      stacks: Object.fromEntries(STACKS.map((n) => [n, { name: n, dependencies: [] }])),
    })
  );
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const cli = (args: string[]) =>
    spawnSync(join(ROOT, "node_modules/.bin/tsx"), [join(ROOT, "stacks/ci/list-stacks.ts"), ...args], {
      cwd: dir,
      encoding: "utf8",
    });

  it("lists all stacks, or one environment's", () => {
    expect(listStacks(manifest)).toEqual([...STACKS].sort());
    expect(listStacks(manifest, "staging")).toEqual(["staging-eu-central", "staging-global"]);
  });

  it("refuses an environment without stacks and a manifest without stacks", () => {
    expect(() => listStacks(manifest, "prod")).toThrow(/no stacks for environment "prod".*have: production-eu-central/);
    const bad = join(dir, "bad.json");
    writeFileSync(bad, "{}");
    expect(() => listStacks(bad)).toThrow(/has no "stacks" object/);
  });

  it("prints a one-line JSON array for a matrix, reading cdktf.out/manifest.json by default", () => {
    const all = cli([]);
    expect(all.status).toBe(0);
    expect(all.stdout.trim().split("\n")).toHaveLength(1);
    expect(JSON.parse(all.stdout)).toEqual([...STACKS].sort());
    expect(JSON.parse(cli(["--env", "production"]).stdout)).toEqual([
      "production-eu-central",
      "production-global",
      "production-us-east",
    ]);
  });

  it("fails clearly when there is no synth output", () => {
    const missing = join(dir, "nowhere/manifest.json");
    expect(() => listStacks(missing)).toThrow(/does not exist; run `npm run synth` first/);
    const run = cli(["--manifest", missing]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(
      /list-stacks: no synth output: .*nowhere\/manifest\.json does not exist; run `npm run synth` first/
    );
  });
});
