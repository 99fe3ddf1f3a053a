import { existsSync } from "node:fs";
import { join } from "node:path";
import { SCRAPE_JOBS } from "../../alerts/jobs";
import { ruleFiles } from "../../alerts/rules";
import { SERVICE_NAMES } from "../../stacks/topology/schema";
import { RUNBOOK_BASE_URL } from "../../alerts/runbooks";
import { executorCases } from "./cases/executor-cases";
import { providerCases } from "./cases/provider-cases";
import { serviceCases } from "./cases/service-cases";
import { sliCases, windowCases } from "./cases/slo-cases";
import { alertingRules, refOf, ruleOf, sameRef } from "./promtool-tests";
import { runPromtool, type PromtoolRun } from "./run-promtool";

const ROOT = join(__dirname, "..", "..");
const GROUPS = [sliCases(), windowCases(), providerCases(), executorCases(), serviceCases()];
const RULES = alertingRules(ruleFiles());

describe("Prometheus rules", () => {
  let run: PromtoolRun;
  beforeAll(() => {
    run = runPromtool(GROUPS);
  });

  it("pass promtool check rules", () => {
    expect(run.check).toEqual({ status: 0, output: expect.stringContaining("SUCCESS") });
  });

  it("pass their promtool unit tests: each scenario fires exactly the alerts it expects, no other", () => {
    expect(run.test).toEqual({ status: 0, output: expect.not.stringContaining("FAILED") });
  });

  it("have, for every alerting rule, a scenario where it fires and one meant to keep it quiet", () => {
    const scenarios = GROUPS.flatMap((g) => g.scenarios);
    const fired = new Set(scenarios.flatMap((s) => s.fires.map((e) => ruleOf(RULES, e))));
    const untested = RULES.filter(
      (r) => !fired.has(r) || !scenarios.some((s) => s.quiet.some((q) => sameRef(q, refOf(r)))),
    );
    expect(untested.map(refOf)).toEqual([]);
    for (const ref of scenarios.flatMap((s) => s.quiet)) expect(RULES.some((r) => sameRef(refOf(r), ref))).toBe(true);
  });

  it("give each scenario its own region, so the alerts of one cannot be mistaken for another's", () => {
    const regions = GROUPS.flatMap((g) => g.scenarios.map((s) => s.region));
    expect(new Set(regions).size).toBe(regions.length);
  });

  it("watch the scrape job of every service the topology deploys", () => {
    expect(SCRAPE_JOBS.map((j) => j.job)).toEqual(expect.arrayContaining([...SERVICE_NAMES]));
  });

  it("label every alert page or ticket and annotate it with a summary, a description and an existing runbook", () => {
    for (const rule of RULES) {
      expect([rule.alert, rule.labels.severity]).toEqual([rule.alert, expect.stringMatching(/^(page|ticket)$/)]);
      expect(rule.annotations.summary.length).toBeGreaterThan(20);
      expect(rule.annotations.description.length).toBeGreaterThan(rule.annotations.summary.length);
      expect(rule.annotations.runbook_url.startsWith(RUNBOOK_BASE_URL)).toBe(true);
      const file = rule.annotations.runbook_url.slice(RUNBOOK_BASE_URL.length);
      expect([rule.alert, existsSync(join(ROOT, "runbooks", file))]).toEqual([rule.alert, true]);
    }
  });
});
