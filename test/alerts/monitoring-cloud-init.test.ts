import { parse } from "yaml";
import { renderRuleFiles } from "../../alerts/render";
import { RULES_RELOAD } from "../../constructs/monitoring/monitoring-cloud-init";
import { RULES_DIR } from "../../constructs/monitoring/prometheus-config";
import { resourcesOf, synthAll } from "../infra/synth";

/** Hetzner refuses a server whose user_data is larger than this. */
const HETZNER_USER_DATA_LIMIT = 32 * 1024;

interface CloudConfig {
  write_files: Array<{ path: string; content: string }>;
  runcmd: string[][];
}

describe("monitoring hosts' rules", () => {
  const { stacks } = synthAll();
  const servers = Object.entries(stacks)
    .filter(([name]) => name.endsWith("-global"))
    .flatMap(([, stack]) => resourcesOf(stack, "hcloud_server"));
  const userData = servers.map((s) => s.user_data as string);
  // Terraform references (the other hosts' addresses) are not YAML-safe as they stand; any address will do.
  const config = parse(userData[0].replace(/\$\{[^}]+\}/g, "203.0.113.1")) as CloudConfig;
  const file = (path: string) => config.write_files.find((f) => f.path === path);

  it("writes every generated rule file, byte for byte, where prometheus.yml's rule_files glob loads it", () => {
    const prometheus = parse(file("/etc/prometheus/prometheus.yml")!.content) as { rule_files: string[] };
    const globs = prometheus.rule_files.map((g) => new RegExp(`^${g.replace(/[.]/g, "\\.").replace(/\*/g, "[^/]*")}$`));
    const rendered = renderRuleFiles();
    expect(rendered.length).toBeGreaterThan(0);
    for (const { file: name, content } of rendered) {
      const path = `${RULES_DIR}/${name}`;
      expect([path, file(path)?.content]).toEqual([path, content]);
      expect([path, globs.some((g) => g.test(path))]).toEqual([path, true]);
    }
  });

  it("checks and reloads Prometheus whenever a file in the rules directory changes", () => {
    const pathUnit = file(`/etc/systemd/system/${RULES_RELOAD}.path`)!.content;
    const service = file(`/etc/systemd/system/${RULES_RELOAD}.service`)!.content;
    expect(pathUnit).toContain(`PathChanged=${RULES_DIR}\n`);
    const steps = service.split("\n").filter((l) => l.startsWith("ExecStart="));
    expect(steps).toEqual([
      expect.stringContaining(`promtool check rules ${RULES_DIR}/*.yml`),
      "ExecStart=/bin/systemctl reload prometheus.service",
    ]);
    expect(config.runcmd).toContainEqual(expect.arrayContaining(["enable", "--now", `${RULES_RELOAD}.path`]));
  });

  it("fits every monitoring host's user_data, rules included, into Hetzner's 32 KiB", () => {
    expect(servers.length).toBeGreaterThan(0);
    for (const data of userData) expect(Buffer.byteLength(data)).toBeLessThan(HETZNER_USER_DATA_LIMIT);
  });
});
