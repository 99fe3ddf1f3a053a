import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DASHBOARDS, renderDashboard } from "../../dashboards";
import { resourcesOf, synthAll } from "../infra/synth";

const root = path.resolve(__dirname, "../..");

describe("dashboard build", () => {
  let outdir: string;
  beforeAll(() => {
    outdir = mkdtempSync(path.join(tmpdir(), "dashboards-build-"));
    writeFileSync(path.join(outdir, "removed-dashboard.json"), "{}");
    execFileSync(path.join(root, "node_modules/.bin/tsx"), ["dashboards/build.ts", outdir], { cwd: root, stdio: "pipe" });
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it("writes one <uid>.json per dashboard and drops files of dashboards no longer defined", () => {
    expect(readdirSync(outdir).sort()).toEqual(DASHBOARDS.map((d) => `${d.uid}.json`).sort());
  });

  it("is deterministic: a fresh process writes the same bytes as this one, and a rebuild renders them again", () => {
    for (const d of DASHBOARDS) expect(readFileSync(path.join(outdir, `${d.uid}.json`), "utf8")).toBe(renderDashboard(d));
    jest.isolateModules(() => {
      // A second, independent build of the definitions in this process.
      const again = require("../../dashboards") as typeof import("../../dashboards");
      expect(again.DASHBOARDS).not.toBe(DASHBOARDS);
      expect(again.DASHBOARDS.map(again.renderDashboard)).toEqual(DASHBOARDS.map(renderDashboard));
    });
  });

  it("is deployed by the global stacks: one grafana_dashboard per definition carrying its JSON", () => {
    const { stacks, outdir: synthDir } = synthAll();
    try {
      for (const name of ["production-global", "staging-global"]) {
        const deployed = resourcesOf(stacks[name], "grafana_dashboard").map((r) => JSON.parse(r.config_json as string));
        const byUid = (a: Record<string, unknown>, b: Record<string, unknown>) => String(a.uid).localeCompare(String(b.uid));
        expect(deployed.sort(byUid)).toEqual(DASHBOARDS.map((d) => d.json).sort(byUid));
      }
    } finally {
      rmSync(synthDir, { recursive: true, force: true });
    }
  });
});
