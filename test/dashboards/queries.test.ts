import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { stringify } from "yaml";
import { DASHBOARDS, allPanelQueries } from "../../dashboards";
import { binaryOnPath } from "../support/binaries";

const targetCount = DASHBOARDS.flatMap((d) => (d.json.panels as { targets?: unknown[] }[]).flatMap((p) => p.targets ?? [])).length;

/** promtool parses every expression of a rules file; a recording rule per query is the cheapest way to hand it PromQL. */
function promtoolCheck(exprs: string[]): { ok: boolean; output: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "dashboard-queries-"));
  const file = path.join(dir, "queries.yml");
  writeFileSync(file, stringify({ groups: [{ name: "dashboards", rules: exprs.map((expr, i) => ({ record: `dashboard:query:${i}`, expr })) }] }));
  try {
    execFileSync(binaryOnPath("promtool", "prometheus"), ["check", "rules", file], { stdio: "pipe" });
    return { ok: true, output: "" };
  } catch (error) {
    const e = error as { stdout?: Buffer; stderr?: Buffer };
    return { ok: false, output: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("allPanelQueries", () => {
  const queries = allPanelQueries({ region: "eu-central", rateInterval: "2m" });

  it("lists every target of every dashboard plus each dashboard's region variable series", () => {
    expect(queries).toHaveLength(targetCount + DASHBOARDS.length);
    expect(new Set(queries.map((q) => q.dashboard))).toEqual(new Set(DASHBOARDS.map((d) => d.uid)));
    expect(queries.filter((q) => q.panel === "variable region")).toHaveLength(DASHBOARDS.length);
  });

  it("substitutes the Grafana variables with the values given", () => {
    for (const q of queries) expect(q.expr).not.toContain("$");
    const panelQueries = queries.filter((q) => !q.panel.startsWith("variable "));
    for (const q of panelQueries) expect(q.expr).toContain('region=~"eu-central"');
    expect(panelQueries.filter((q) => q.expr.includes("[2m]")).length).toBeGreaterThan(panelQueries.length / 2);
    expect(allPanelQueries()[1].expr).toContain('region=~".+"');
  });

  it("names the metrics each query selects", () => {
    const state = queries.find((q) => q.panel === "Provider state, per listener");
    expect(state?.metrics).toEqual(["polysync_rpc_provider_state"]);
    const ratio = queries.find((q) => q.panel === "Probe error ratio (exporter), by provider and kind");
    expect(ratio?.metrics).toEqual(["polysync_probe_errors_total", "polysync_probe_requests_total"]);
    for (const q of queries) expect(q.metrics.length).toBeGreaterThan(0);
  });

  it("every query parses as PromQL (promtool)", () => {
    const result = promtoolCheck(queries.map((q) => q.expr));
    expect(result).toEqual({ ok: true, output: "" });
  });

  it("the PromQL check fails on a broken expression, so the previous test can fail", () => {
    const result = promtoolCheck([...queries.map((q) => q.expr), "sum by (region (rate(x[1m]))"]);
    expect(result.ok).toBe(false);
    expect(result.output).toContain("dashboard:query:" + queries.length);
  });
});
