import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { diffSynthOutputs, MAX_CHANGED_PATHS, type StackChange } from "../../stacks/change-summary/diff";
import { loadSynthOutput } from "../../stacks/change-summary/load";
import { renderMarkdown } from "../../stacks/change-summary/render";
import { SECRETS, synthApp, USER_DATA, WIDE_RULES } from "./synth-apps";

let workDir: string;
let changes: StackChange[];
let markdown: string;

beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), "change-summary-"));
  synthApp(join(workDir, "base"), "base");
  synthApp(join(workDir, "head"), "head");
  changes = diffSynthOutputs(loadSynthOutput(join(workDir, "base")), loadSynthOutput(join(workDir, "head")));
  markdown = renderMarkdown(changes);
});

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

function stack(name: string): StackChange {
  const found = changes.find((s) => s.stack === name);
  if (!found) throw new Error(`no stack ${name} in the diff`);
  return found;
}

function resource(stackName: string, address: string) {
  return stack(stackName).resources.find((r) => r.address === address);
}

/** The table row of one resource in one stack's section. */
function row(stackName: string, address: string): string {
  const section = markdown.split("\n### ").find((s) => s.startsWith(`${stackName}\n`)) ?? "";
  return section.split("\n").find((line) => line.includes(`\`${address}\``)) ?? "";
}

describe("diffSynthOutputs on real synth output", () => {
  test("stack statuses, with stacks sorted by name", () => {
    expect(changes.map((s) => [s.stack, s.status])).toEqual([
      ["alerting", "changed"],
      ["compute", "changed"],
      ["dns", "unchanged"],
      ["edge", "added"],
      ["legacy", "removed"],
      ["network", "changed"],
    ]);
  });

  test("added, removed and changed resources within a stack", () => {
    const actions = Object.fromEntries(stack("network").resources.map((r) => [r.address, r.action]));
    expect(actions).toEqual({
      "aws_db_instance.db": "change",
      "aws_s3_bucket.artifacts": "change",
      "aws_s3_bucket.backups": "add",
      "aws_s3_bucket.logs": "remove",
      "aws_security_group.listener": "change",
      "aws_security_group.wide": "change",
      "output.db_endpoint": "add",
      "terraform.backend.local": "remove",
      "terraform.backend.s3": "add",
      "terraform.required_providers.aws": "change",
    });
  });

  test("changed paths are the deepest differing attributes, arrays by index", () => {
    expect(resource("network", "aws_security_group.listener")?.changedPaths).toEqual([
      "ingress[1].cidr_blocks[1]",
      "ingress[2].from_port",
      "ingress[2].to_port",
    ]);
    expect(resource("network", "aws_s3_bucket.artifacts")?.changedPaths).toEqual([
      `tags.${SECRETS.awsKeyAsTagKey}`,
      "tags.leaked_by",
      "tags.pipeline",
      "tags.service",
    ]);
    expect(resource("compute", "hcloud_server.listener")?.changedPaths).toEqual(["server_type", "user_data"]);
    expect(resource("alerting", "grafana_contact_point.oncall")?.changedPaths).toEqual(["slack[0].url"]);
  });

  test("provider blocks and provider version pins are diffable items", () => {
    expect(resource("compute", "provider.hcloud")).toMatchObject({ action: "change", changedPaths: ["token"] });
    expect(resource("network", "terraform.required_providers.aws")?.changedPaths).toEqual(["version"]);
  });

  test("a long path list is capped with a count of the rest", () => {
    const wide = resource("network", "aws_security_group.wide");
    const total = WIDE_RULES * 2; // from_port and to_port of every rule
    expect(wide?.changedPaths).toHaveLength(MAX_CHANGED_PATHS + 1);
    expect(wide?.changedPaths.at(-1)).toBe(`… and ${total - MAX_CHANGED_PATHS} more`);
    expect(wide?.attributes).toHaveLength(MAX_CHANGED_PATHS);
  });

  test("cdktf `//` metadata is ignored: a construct moved under a new parent is unchanged", () => {
    expect(stack("dns")).toEqual({ stack: "dns", status: "unchanged", resources: [] });
  });

  test("a stack diffed against itself has no changes", () => {
    const head = loadSynthOutput(join(workDir, "head"));
    expect(diffSynthOutputs(head, head).every((s) => s.status === "unchanged")).toBe(true);
  });
});

describe("renderMarkdown on real synth output", () => {
  test("headline totals every row across the stacks that change", () => {
    expect(markdown).toContain("**7 to add, 8 to change, 6 to remove across 5 stacks**");
  });

  test("one table per added, removed or changed stack; unchanged stacks on one line at the end", () => {
    const sections = [...markdown.matchAll(/^### (.+)$/gm)].map((m) => m[1]);
    expect(sections).toEqual(["alerting", "compute", "edge", "legacy", "network"]);
    expect(markdown).toContain("### edge\n\nNew stack.\n\n| action | resource | changed attributes |");
    expect(markdown).toContain("### legacy\n\nStack removed");
    expect(markdown.trimEnd().split("\n").at(-1)).toBe("Unchanged: dns");
  });

  test("rows are ordered add, change, remove, then by address", () => {
    const network = markdown.slice(markdown.indexOf("### network"));
    const rows = network.split("\n").filter((l) => /^\| (add|change|remove) \|/.test(l));
    expect(rows.map((l) => l.split(" | ").slice(0, 2).join(" "))).toEqual([
      "| add `aws_s3_bucket.backups`",
      "| add `output.db_endpoint`",
      "| add `terraform.backend.s3`",
      "| change `aws_db_instance.db`",
      "| change `aws_s3_bucket.artifacts`",
      "| change `aws_security_group.listener`",
      "| change `aws_security_group.wide`",
      "| change `terraform.required_providers.aws`",
      "| remove `aws_s3_bucket.logs`",
      "| remove `terraform.backend.local`",
    ]);
  });

  test("short scalar changes show old → new; long ones only their sizes", () => {
    expect(row("compute", "hcloud_server.listener")).toBe(
      `| change | \`hcloud_server.listener\` | \`server_type\`: \`ccx23\` → \`ccx33\`<br>` +
        `\`user_data\`: (changed, ${USER_DATA.base.length} → ${USER_DATA.head.length} chars) |`,
    );
    expect(row("network", "aws_security_group.listener")).toContain(
      "`ingress[1].cidr_blocks[1]`: (none) → `10.1.0.0/16`",
    );
    expect(row("network", "terraform.required_providers.aws")).toContain("`version`: `6.25.0` → `6.26.0`");
    expect(row("network", "aws_security_group.wide")).toMatch(/<br>… and 18 more \|$/);
  });

  test("pipes in values are escaped so that they do not split the table cell", () => {
    expect(row("network", "aws_s3_bucket.artifacts")).toContain(
      "`tags.pipeline`: `build\\|test` → `build\\|test\\|deploy`",
    );
  });

  test("secrets are redacted by attribute name, by value shape and by provider schema", () => {
    expect(row("network", "aws_db_instance.db")).toContain("`password`: (sensitive)");
    expect(row("compute", "provider.hcloud")).toContain("`token`: (sensitive)");
    expect(row("network", "aws_s3_bucket.artifacts")).toContain("`tags.leaked_by`: (sensitive)");
    expect(row("alerting", "grafana_contact_point.oncall")).toContain("`slack[0].url`: (sensitive)");
    // A credential used as a map key is scrubbed from the path itself.
    expect(row("network", "aws_s3_bucket.artifacts")).toContain("`tags.(sensitive)`: (none) → `x`");
  });

  test("no secret value appears anywhere in the markdown", () => {
    const secrets = [
      SECRETS.awsKeyInTagValue,
      SECRETS.awsKeyAsTagKey,
      ...Object.values(SECRETS.dbPassword),
      ...Object.values(SECRETS.hcloudToken),
      ...Object.values(SECRETS.slackWebhook),
    ];
    for (const secret of secrets) expect(markdown).not.toContain(secret);
  });

  test("output does not depend on the order of its input", () => {
    expect(renderMarkdown([...changes].reverse())).toBe(markdown);
  });

  test("a custom title, and a headline for no changes", () => {
    const unchanged = changes.filter((s) => s.status === "unchanged");
    expect(renderMarkdown(unchanged, { title: "Production" })).toBe(
      "## Production\n\n**No changes across 1 stack.**\n\nUnchanged: dns\n",
    );
  });
});
