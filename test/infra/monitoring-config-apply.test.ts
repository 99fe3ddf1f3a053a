/**
 * Runs the apply script exactly as user_data writes it, against a temporary root, with the real promtool and amtool.
 * systemctl is a stand-in that records its calls; promtool and amtool come from the Debian packages .ci/run installs.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { APPLY_SCRIPT_PATH, BUNDLE_PATH, type MonitoringConfigBundle } from "../../constructs/monitoring/monitoring-config-apply";
import { CONFIG_DIR } from "../../constructs/monitoring/prometheus-config";
import { synthAll } from "./synth";
import { monitoringHosts } from "./monitoring-hosts";

const [host] = monitoringHosts(synthAll().stacks["staging-global"]);
const script = host.cloudConfig.write_files.find((f) => f.path === APPLY_SCRIPT_PATH)!.content;
const bundle = host.bundle;

const BROKEN_RULE = "groups:\n- name: broken\n  rules:\n  - alert: Broken\n    expr: sum(up\n";

function fakeHost() {
  const root = mkdtempSync(join(tmpdir(), "polysync-apply-"));
  const live = join(root, CONFIG_DIR);
  mkdirSync(live, { recursive: true });
  mkdirSync(dirname(join(root, BUNDLE_PATH)), { recursive: true });
  const scriptFile = join(root, "apply");
  writeFileSync(scriptFile, script);
  chmodSync(scriptFile, 0o755);
  const log = join(root, "systemctl.log");
  const systemctl = join(root, "systemctl");
  writeFileSync(systemctl, `#!/bin/sh\necho "$*" >> '${log}'\n`);
  chmodSync(systemctl, 0o755);

  const apply = (files: Record<string, string>) => {
    writeFileSync(join(root, BUNDLE_PATH), JSON.stringify({ files } satisfies MonitoringConfigBundle));
    writeFileSync(log, "");
    const run = spawnSync(scriptFile, [], {
      encoding: "utf8",
      env: { ...process.env, POLYSYNC_CONFIG_ROOT: root, POLYSYNC_SYSTEMCTL: systemctl },
    });
    return { status: run.status, stderr: run.stderr, reloads: readFileSync(log, "utf8").split("\n").filter(Boolean) };
  };
  /** Every file under the live config directory, by path relative to it. */
  const liveFiles = () => {
    const out: Record<string, string> = {};
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else out[relative(live, path)] = readFileSync(path, "utf8");
      }
    };
    walk(live);
    return out;
  };
  return { apply, liveFiles, live };
}

const RELOADS = ["reload-or-restart prometheus.service", "reload-or-restart prometheus-alertmanager.service"];

describe("the monitoring config apply script", () => {
  it("installs a valid bundle and reloads Prometheus and Alertmanager", () => {
    const h = fakeHost();
    const run = h.apply(bundle.files);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(h.liveFiles()).toEqual(bundle.files);
    expect(statSync(join(h.live, "prometheus.yml")).mode & 0o777).toBe(0o644);
    expect(run.reloads).toEqual(RELOADS);
  });

  it("refuses a bundle with a broken rule, leaving the live files alone and reloading nothing", () => {
    const h = fakeHost();
    expect(h.apply(bundle.files).status).toBe(0);
    const before = h.liveFiles();
    const [firstRule] = Object.keys(bundle.files).filter((p) => p.startsWith("rules/"));
    const run = h.apply({ ...bundle.files, [firstRule]: BROKEN_RULE, "prometheus.yml": `${bundle.files["prometheus.yml"]}# edited\n` });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("promtool check rules");
    expect(run.stderr).toMatch(/parse error|unclosed left parenthesis/);
    expect(h.liveFiles()).toEqual(before);
    expect(run.reloads).toEqual([]);
  });

  it("refuses an alertmanager.yml amtool rejects", () => {
    const h = fakeHost();
    const run = h.apply({ ...bundle.files, "alertmanager.yml": "route:\n  receiver: nobody\nreceivers: []\n" });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("amtool check-config");
    expect(run.stderr).toContain("undefined receiver");
    expect(h.liveFiles()).toEqual({});
    expect(run.reloads).toEqual([]);
  });

  it("removes a rule file the bundle no longer has", () => {
    const h = fakeHost();
    expect(h.apply(bundle.files).status).toBe(0);
    const [dropped, ...kept] = Object.keys(bundle.files).filter((p) => p.startsWith("rules/"));
    const { [dropped]: _, ...rest } = bundle.files;
    const run = h.apply(rest);
    expect(run.status).toBe(0);
    expect(Object.keys(h.liveFiles())).not.toContain(dropped);
    expect(h.liveFiles()).toEqual(rest);
    expect(kept.length).toBeGreaterThan(0);
    expect(run.reloads).toEqual(RELOADS);
  });

  it("refuses paths outside the monitoring config, which root would otherwise write", () => {
    const h = fakeHost();
    const run = h.apply({ ...bundle.files, "rules/../../sudoers.d/x.yml": "x" });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("rules/../../sudoers.d/x.yml");
    expect(h.liveFiles()).toEqual({});
    expect(run.reloads).toEqual([]);
  });
});
