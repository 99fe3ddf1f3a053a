/**
 * `npm run bundle`: every service of the deployment table whose entry point exists is built twice, into two
 * directories, and its bundle is started with node from a directory without node_modules.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { extract, list } from "tar";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { SERVICE_NAMES, type ServiceName } from "../../stacks/topology";
import { buildBundles } from "../../services/deploy/bundle";
import { readBundleManifest, REPO_ROOT, sha256Hex, type BundleManifest } from "../../services/deploy/manifest";
import { SERVICE_DEPLOYMENTS } from "../../services/deploy/services";
import { renderServiceUnit } from "../../services/deploy/systemd";
import { POLYGON_EXCHANGES } from "../../services/polymarket/exchanges";
import { freePort } from "../support/nats-server";

jest.setTimeout(120_000);

const BUILDABLE = SERVICE_NAMES.filter((s) => existsSync(join(REPO_ROOT, SERVICE_DEPLOYMENTS[s].entry)));
const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;

interface Built {
  outdir: string;
  manifest: BundleManifest;
}

async function bundle(service: ServiceName): Promise<Built> {
  const outdir = join(mkdtempSync(join(tmpdir(), "polysync-dist-")), "dist");
  return { outdir, manifest: await buildBundles({ outdir, services: [service] }) };
}

/** One build per service shared by the tests that only read it. */
const builds = new Map<ServiceName, Promise<Built>>();
function built(service: ServiceName): Promise<Built> {
  if (!builds.has(service)) builds.set(service, bundle(service));
  return builds.get(service)!;
}

function run(script: string, args: string[], cwd: string) {
  return spawnSync(process.execPath, [script, ...args], { cwd, encoding: "utf8", timeout: 30_000 });
}

/** The executor signs with libsecp256k1 (services/executor/signer/ecdsa-engine.ts); the bundle carries its addon. */
const SHIPPED_ADDONS: Partial<Record<ServiceName, string[]>> = { executor: ["native/secp256k1.node"] };
const PREBUILT_SECP256K1 = join(REPO_ROOT, "node_modules/secp256k1/prebuilds/linux-x64/secp256k1.glibc.node");

interface Entry {
  path: string;
  mode?: number;
  uid?: number;
  gid?: number;
  uname?: string;
  mtime?: Date;
  contents: string;
  bytes: Buffer;
}

function entries(archive: string): Entry[] {
  const found: Entry[] = [];
  list({
    file: archive,
    sync: true,
    onReadEntry: (e) => {
      const chunks: Buffer[] = [];
      e.on("data", (c: Buffer) => chunks.push(c));
      e.on("end", () =>
        found.push({ path: e.path, mode: e.mode, uid: e.uid, gid: e.gid, uname: e.uname, mtime: e.mtime, contents: Buffer.concat(chunks).toString("utf8"), bytes: Buffer.concat(chunks) }),
      );
    },
  });
  return found;
}

it("covers the services whose entry point exists", () => {
  expect(BUILDABLE).toContain("listener");
});

describe.each(BUILDABLE)("the %s bundle", (service) => {
  let first: Built;
  let second: Built;
  beforeAll(async () => {
    first = await built(service);
    second = await bundle(service);
  });
  const entry = () => first.manifest.services[service]!;

  it("is reproducible: the same sources give the same archive, byte for byte", () => {
    expect(second.manifest.services[service]!.sha256).toBe(entry().sha256);
    expect(second.manifest.services[service]!.bundleSha256).toBe(entry().bundleSha256);
    expect(readFileSync(join(second.outdir, entry().file))).toEqual(readFileSync(join(first.outdir, entry().file)));
  });

  it("records version, commit, hashes and size in the manifest, which the stacks accept", () => {
    const archive = join(first.outdir, entry().file);
    expect(entry()).toEqual({
      version: VERSION,
      gitCommit: expect.stringMatching(/^[0-9a-f]{40}(-dirty)?$/),
      file: `${service}-${VERSION}.tgz`,
      sha256: sha256Hex(readFileSync(archive)),
      bundleSha256: sha256Hex(readFileSync(join(first.outdir, `${service}.mjs`))),
      bytes: readFileSync(archive).length,
    });
    expect(JSON.parse(readFileSync(join(first.outdir, "manifest.json"), "utf8"))).toEqual(first.manifest);
    expect(readBundleManifest(join(first.outdir, "manifest.json"))).toEqual({
      [service]: { version: VERSION, sha256: entry().sha256, archive },
    });
  });

  it("archives the script, its source map, its native addons and the unit, with a fixed mode and mtime and no owner", () => {
    const files = entries(join(first.outdir, entry().file));
    const addons = SHIPPED_ADDONS[service] ?? [];
    const tools = Object.keys(SERVICE_DEPLOYMENTS[service].tools ?? {}).flatMap((t) => [`${t}.mjs`, `${t}.mjs.map`]);
    const irqScript = SERVICE_DEPLOYMENTS[service].deviceInterruptsOnCpu0 ? ["irq-to-cpu0.sh"] : [];
    expect(files.map((f) => f.path)).toEqual([`${service}.mjs`, `${service}.mjs.map`, ...tools, ...addons, ...irqScript, `polysync-${service}.service`]);
    for (const f of files) {
      expect({ mode: f.mode, mtime: f.mtime?.toISOString(), owner: [f.uid, f.gid, f.uname] }).toEqual({
        mode: 0o644,
        mtime: "2000-01-01T00:00:00.000Z",
        owner: [undefined, undefined, ""],
      });
    }
    expect(files.at(-1)!.contents).toBe(renderServiceUnit(service));
    for (const addon of addons) expect(files.find((f) => f.path === addon)!.bytes.equals(readFileSync(PREBUILT_SECP256K1))).toBe(true);
    expect(files[0].contents).toMatch(new RegExp(`//# sourceMappingURL=${service}\\.mjs\\.map\\n$`));
    expect(JSON.parse(files[1].contents).sources).toContain(`../${SERVICE_DEPLOYMENTS[service].entry}`);
  });

  it("starts with node alone: the usage without --config, the config error for a bad file", () => {
    // A directory with no node_modules anywhere above it: the bundle must not need one.
    const cwd = mkdtempSync(join(tmpdir(), "polysync-run-"));
    const script = join(first.outdir, `${service}.mjs`);
    for (const args of [[], ["--help"]]) {
      const usage = run(script, args, cwd);
      expect({ status: usage.status, stderr: usage.stderr }).toEqual({ status: 1, stderr: expect.stringContaining(`usage: ${service} --config <file>`) });
    }
    const bad = join(cwd, "bad.json");
    writeFileSync(bad, JSON.stringify({ region: 7 }));
    const refused = run(script, ["--config", bad], cwd);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`^${service}: .*${bad}: region: `, "m"));
  });
});

it("the latency exporter's archive carries triage, which runs with node alone and says what is wrong", async () => {
  const { outdir } = await built("latency-exporter");
  const cwd = mkdtempSync(join(tmpdir(), "polysync-run-"));
  const triage = join(outdir, "triage.mjs");
  const help = run(triage, ["--help"], cwd);
  expect({ status: help.status, stdout: help.stdout }).toEqual({ status: 0, stdout: expect.stringContaining("usage: npm run triage") });
  const badWindow = run(triage, ["--window", "soon"], cwd);
  expect({ status: badWindow.status, stderr: badWindow.stderr }).toEqual({ status: 2, stderr: expect.stringMatching(/^triage: --window "soon" is not a duration/) });
  // Nothing listens there: the command stops at the first query with the URL it tried.
  const closed = await freePort();
  const down = run(triage, ["--prometheus", `http://127.0.0.1:${closed}`], cwd);
  expect({ status: down.status, stderr: down.stderr }).toEqual({ status: 3, stderr: `triage: cannot reach Prometheus at http://127.0.0.1:${closed}: ECONNREFUSED\n` });
});

(BUILDABLE.includes("listener") ? it : it.skip)("the bundled listener runs its start-up and logs JSON lines through pino", async () => {
  const { outdir } = await built("listener");
  const cwd = mkdtempSync(join(tmpdir(), "polysync-run-"));
  writeFileSync(join(cwd, "subscribers.json"), JSON.stringify({ leaders: [], subscribers: [] }));
  writeFileSync(
    join(cwd, "listener.json"),
    JSON.stringify({
      region: "test",
      chain: { chainId: 137 },
      exchanges: POLYGON_EXCHANGES,
      // Nothing listens on the discard port: start-up runs until the provider check, then stops with its reason.
      providers: [{ name: "nowhere", httpUrl: "http://127.0.0.1:9", wsUrl: "ws://127.0.0.1:9" }],
      subscribersFile: "subscribers.json",
      bus: { kind: "in-process" },
      http: { host: "127.0.0.1", port: 0 },
      keepWarmMs: 0,
    }),
  );
  const result = run(join(outdir, "listener.mjs"), ["--config", join(cwd, "listener.json")], cwd);
  const logs = result.stdout
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(logs.length).toBeGreaterThan(0);
  for (const log of logs) expect(log).toMatchObject({ service: "listener", level: expect.any(Number), msg: expect.any(String) });
  expect(result.status).toBe(1);
  expect(result.stderr).toMatch(/^listener: /);
});

/** Starts `script` and resolves with its "executor started" log line, or with how it ended if it never got there. */
function startExecutor(script: string, config: string, cwd: string, env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [script, "--config", config], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ status: number | null; stderr: string }>((resolve) => child.once("exit", (status) => resolve({ status, stderr })));
  const started = new Promise<Record<string, unknown> | undefined>((resolve) => {
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split("\n").find((l) => l.includes('"executor started"'));
      if (line) resolve(JSON.parse(line) as Record<string, unknown>);
    });
    void exited.then(() => resolve(undefined));
  });
  return { child, started, exited };
}

(BUILDABLE.includes("executor") ? it : it.skip)("the executor unpacked from its archive, away from node_modules, signs with the shipped libsecp256k1 addon, and refuses to start without it", async () => {
  const { outdir, manifest } = await built("executor");
  const cwd = mkdtempSync(join(tmpdir(), "polysync-run-"));
  const installed = join(cwd, "install");
  mkdirSync(installed);
  await extract({ file: join(outdir, manifest.services.executor!.file), cwd: installed });
  const key = generatePrivateKey();
  const env = { PATH: process.env.PATH, ORDER_KEY: key, API_KEY: "bundle-test", API_SECRET: Buffer.alloc(32, 7).toString("base64"), API_PASSPHRASE: "p" };
  writeFileSync(join(cwd, "subscribers.json"), JSON.stringify({ leaders: [], subscribers: [] }));
  writeFileSync(
    join(cwd, "accounts.json"),
    JSON.stringify({
      accounts: [
        {
          subscriberId: "alice",
          signatureType: 0,
          wallet: privateKeyToAddress(key),
          signer: { kind: "local", keyEnv: "ORDER_KEY" },
          api: { keyEnv: "API_KEY", secretEnv: "API_SECRET", passphraseEnv: "API_PASSPHRASE" },
        },
      ],
    }),
  );
  writeFileSync(
    join(cwd, "executor.json"),
    JSON.stringify({
      region: "test",
      subscribersFile: "subscribers.json",
      accountsFile: "accounts.json",
      bus: { kind: "in-process" },
      venue: { url: "http://127.0.0.1:9" },
      journalFile: "journal/executor.journal",
      http: { host: "127.0.0.1", port: 0 },
    }),
  );
  const script = join(installed, "executor.mjs");

  const running = startExecutor(script, join(cwd, "executor.json"), cwd, env);
  const startLog = await running.started;
  running.child.kill("SIGTERM");
  const stopped = await running.exited;
  expect({ startLog, stopped }).toEqual({
    startLog: expect.objectContaining({ service: "executor", msg: "executor started", accounts: 1, signingEngine: "native" }),
    stopped: { status: 0, stderr: "" },
  });

  rmSync(join(installed, "native"), { recursive: true });
  const refused = startExecutor(script, join(cwd, "executor.json"), cwd, env);
  expect(await refused.started).toBeUndefined();
  const failure = await refused.exited;
  expect(failure.status).toBe(1);
  expect(failure.stderr).toMatch(/^executor: signingEngine "native": the libsecp256k1 addon did not load \(Cannot find module '\.\/native\/secp256k1\.node'/);
});
