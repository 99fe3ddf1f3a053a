import { parse } from "yaml";
import { posix } from "node:path";
import { renderRuleFiles } from "../../alerts/render";
import {
  APPLY_SCRIPT,
  APPLY_SCRIPT_PATH,
  DEPLOY_HOME,
  DEPLOY_USER,
  SUDOERS_PATH,
} from "../../constructs/monitoring/monitoring-config-apply";
import { CONFIG_DIR, RULES_DIR, renderAlertmanagerConfig } from "../../constructs/monitoring/prometheus-config";
import { TOPOLOGY, environment } from "../../stacks/topology";
import { synthAll } from "../infra/synth";
import { globalStacks, monitoringHosts } from "../infra/monitoring-hosts";

/** Half of Hetzner's 32 KiB cap: user_data is bootstrap only and has no business growing towards it. */
const USER_DATA_BUDGET = 16 * 1024;

describe("monitoring hosts' rules and config", () => {
  const { stacks } = synthAll();
  const hosts = globalStacks(stacks).flatMap(([name, stack]) => monitoringHosts(stack).map((h) => ({ env: name.replace(/-global$/, ""), ...h })));

  it("keeps rules, prometheus.yml and alertmanager.yml out of user_data, which stays under 16 KiB", () => {
    expect(hosts.length).toBe(3);
    for (const { userData, cloudConfig } of hosts) {
      expect(Buffer.byteLength(userData)).toBeLessThan(USER_DATA_BUDGET);
      const paths = cloudConfig.write_files.map((f) => f.path);
      expect(paths.filter((p) => p.startsWith(`${CONFIG_DIR}/`))).toEqual([]);
      expect(userData).not.toContain("groups:");
      // The rollout reloads explicitly; a unit watching the rules directory would reload twice, unchecked.
      expect(paths.filter((p) => p.startsWith("/etc/systemd/"))).toEqual([]);
    }
  });

  it("installs every generated rule file, byte for byte, where prometheus.yml's rule_files glob loads it", () => {
    const rendered = renderRuleFiles();
    expect(rendered.length).toBeGreaterThan(0);
    for (const { bundle } of hosts) {
      const prometheus = parse(bundle.files["prometheus.yml"]) as { rule_files: string[] };
      const globs = prometheus.rule_files.map((g) => new RegExp(`^${g.replace(/[.]/g, "\\.").replace(/\*/g, "[^/]*")}$`));
      const installed = Object.keys(bundle.files).filter((p) => p.startsWith("rules/"));
      expect(installed.sort()).toEqual(rendered.map(({ file }) => `rules/${file}`).sort());
      for (const { file, content } of rendered) {
        const path = posix.join(CONFIG_DIR, "rules", file);
        expect(path).toBe(`${RULES_DIR}/${file}`);
        expect([path, bundle.files[`rules/${file}`]]).toEqual([path, content]);
        expect([path, globs.some((g) => g.test(path))]).toEqual([path, true]);
      }
      expect(bundle.files["alertmanager.yml"]).toBe(renderAlertmanagerConfig());
    }
  });

  it("lets only the topology's deploy key log in as the deploy user, who may run only the apply script as root", () => {
    for (const { env, cloudConfig } of hosts) {
      const deployUser = cloudConfig.users.find((u) => typeof u !== "string" && u.name === DEPLOY_USER);
      expect(deployUser).toMatchObject({
        homedir: DEPLOY_HOME,
        lock_passwd: true,
        ssh_authorized_keys: [environment(TOPOLOGY, env).monitoring.deployPublicKey],
      });
      // Without "default", a `users` key would drop the image's own users.
      expect(cloudConfig.users[0]).toBe("default");
      const file = (path: string) => cloudConfig.write_files.find((f) => f.path === path)!;
      expect(file(SUDOERS_PATH)).toMatchObject({ owner: "root:root", permissions: "0440" });
      expect(file(SUDOERS_PATH).content).toBe(`${DEPLOY_USER} ALL=(root) NOPASSWD: ${APPLY_SCRIPT_PATH} ""\n`);
      expect(file(APPLY_SCRIPT_PATH)).toMatchObject({ owner: "root:root", permissions: "0755", content: APPLY_SCRIPT });
      expect(cloudConfig.packages).toEqual(expect.arrayContaining(["prometheus", "prometheus-alertmanager", "sudo"]));
    }
  });
});
