import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { ruleFiles } from "../../alerts/rules";
import { RUNBOOK_BASE_URL } from "../../alerts/runbooks";
import { isAlertingRule } from "../../alerts/rule-types";
import { ALL_METRICS } from "../../services/metrics/catalogue";
import { alertingRules } from "./promtool-tests";

const RUNBOOKS = join(__dirname, "..", "..", "runbooks");
const read = (file: string) => readFileSync(join(RUNBOOKS, file), "utf8");
const allPages = readdirSync(RUNBOOKS).filter((f) => f.endsWith(".md"));
const alertPages = [
  ...new Set(alertingRules(ruleFiles()).map((r) => r.annotations.runbook_url.slice(RUNBOOK_BASE_URL.length))),
];

/** The text of a `## <title>` section, up to the next heading of that level. */
function section(markdown: string, title: string): string | undefined {
  return new RegExp(`^## ${title}\\n([\\s\\S]*?)(?=^## |(?![\\s\\S]))`, "m").exec(markdown)?.[1];
}

describe("runbooks", () => {
  it("give every alert's page Meaning, Impact, Diagnosis and Mitigation, in that order", () => {
    expect(alertPages.length).toBeGreaterThan(5);
    for (const page of alertPages) {
      const headings = [...read(page).matchAll(/^## (.+)$/gm)].map((m) => m[1]);
      expect([page, headings]).toEqual([page, ["Meaning", "Impact", "Diagnosis", "Mitigation"]]);
    }
  });

  it("start every diagnosis with the triage command, for a workstation and for a host", () => {
    for (const page of alertPages) {
      const firstStep = section(read(page), "Diagnosis")!
        .trim()
        .split(/\n(?=\d+\. )/)[0];
      expect([page, firstStep]).toEqual([page, expect.stringContaining("`npm run triage -- --region <region>`")]);
      expect([page, firstStep]).toEqual([
        page,
        expect.stringContaining("node /opt/polysync/latency-exporter/current/triage.mjs --region"),
      ]);
    }
  });

  it("name only metrics from the catalogue and series the rules record", () => {
    // A histogram is named as a family in prose and by its series in queries.
    const known = new Set(
      ALL_METRICS.flatMap((m) => [
        m.name,
        ...(m.type === "histogram" ? ["_bucket", "_count", "_sum"].map((s) => m.name + s) : []),
      ]),
    );
    const recorded = new Set(
      ruleFiles().flatMap((f) =>
        f.groups.flatMap((g) => g.rules.flatMap((r) => (isAlertingRule(r) ? [] : [r.record]))),
      ),
    );
    const unknown = allPages.flatMap((page) => {
      const text = read(page);
      const metrics = [...text.matchAll(/\b(?:polysync|nodejs|process)_[a-z0-9_]+/g)]
        .map((m) => m[0])
        .filter((n) => !known.has(n));
      const records = [...text.matchAll(/\bslo:[a-z0-9_]+:[a-z0-9_]+/g)]
        .map((m) => m[0])
        .filter((n) => !recorded.has(n));
      return [...metrics, ...records].map((name) => `${page}: ${name}`);
    });
    expect(unknown).toEqual([]);
  });

  it("link only runbooks that exist", () => {
    const broken = allPages.flatMap((page) =>
      [...read(page).matchAll(/\]\(([a-z0-9-]+\.md)(?:#[a-z0-9-]+)?\)/g)]
        .map((m) => m[1])
        .filter((target) => !existsSync(join(RUNBOOKS, target)))
        .map((target) => `${page} → ${target}`),
    );
    expect(broken).toEqual([]);
  });
});
