import { sloRuleGroups } from "../../alerts/slo-rules";
import { ALL_METRICS } from "../../services/metrics/catalogue";
import { DASHBOARDS } from "../../dashboards";

interface Target {
  expr: string;
  datasource?: { type: string; uid: string };
  format?: string;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  fieldConfig?: { defaults?: { unit?: string } };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Target[];
}
interface Variable {
  type: string;
  name: string;
  query?: unknown;
  datasource?: { type: string; uid: string };
}

const DATASOURCE = { type: "prometheus", uid: "${datasource}" };
const panelsOf = (json: Record<string, unknown>) => json.panels as Panel[];
const variablesOf = (json: Record<string, unknown>) => (json.templating as { list: Variable[] }).list;
const dataPanels = (json: Record<string, unknown>) => panelsOf(json).filter((p) => p.type !== "row");
const everyPanel = DASHBOARDS.flatMap((d) => dataPanels(d.json).map((panel) => ({ dashboard: d.uid, panel })));
const everyTarget = everyPanel.flatMap(({ dashboard, panel }) =>
  (panel.targets ?? []).map((target) => ({ dashboard, panel: panel.title, target })),
);

/** Metric names as the brief defines them, found in the raw text rather than through the dashboards' own parser. */
const METRIC_NAME = /\b(?:polysync|nodejs|process)_[a-z0-9_]+/g;
const CATALOGUED = new Set(
  ALL_METRICS.flatMap((m) => (m.type === "histogram" ? [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`] : [m.name])),
);
/** What the SLO recording rules actually record; the Overview reads nothing else that is not catalogued. */
const RECORDED = new Set(sloRuleGroups().flatMap((g) => g.rules.flatMap((r) => ("record" in r ? [r.record] : []))));
const SELECTED_NAME = /([a-zA-Z_:][a-zA-Z0-9_:]*)\{/g;

describe("dashboard structure", () => {
  it("has the five dashboards, with unique uids Grafana accepts (≤ 40 characters)", () => {
    const uids = DASHBOARDS.map((d) => d.uid);
    expect([...uids].sort()).toEqual(
      ["polysync-overview", "polysync-listener", "polysync-executor", "polysync-rpc-providers", "polysync-triage"].sort(),
    );
    expect(new Set(uids).size).toBe(uids.length);
    for (const d of DASHBOARDS) {
      expect(d.json.uid).toBe(d.uid);
      expect(d.json.title).toBe(d.title);
      expect(d.uid.length).toBeLessThanOrEqual(40);
    }
  });

  it.each(DASHBOARDS.map((d) => [d.uid, d.json] as const))("%s: panel ids are unique and panels sit on the grid", (_, json) => {
    const panels = panelsOf(json);
    const ids = panels.map((p) => p.id);
    expect(ids.every((id) => Number.isInteger(id) && id > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of panels) expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
    // No two panels cover the same cell: overlapping panels are silently rearranged by Grafana.
    const cells = new Set<string>();
    for (const p of panels) {
      for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++) {
        for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
          expect(cells.has(`${x},${y}`)).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
  });

  it.each(DASHBOARDS.map((d) => [d.uid, d.json] as const))(
    "%s: has a Prometheus datasource variable and a region variable read through it",
    (_, json) => {
      const variables = variablesOf(json);
      expect(variables.find((v) => v.name === "datasource")).toMatchObject({ type: "datasource", query: "prometheus" });
      const region = variables.find((v) => v.name === "region");
      expect(region).toMatchObject({ type: "query", datasource: DATASOURCE });
      expect(String(region?.query)).toMatch(/^label_values\([a-z_]+, region\)$/);
    },
  );

  it("points every panel and every target at the datasource variable", () => {
    expect(everyPanel.length).toBeGreaterThan(40);
    for (const { dashboard, panel } of everyPanel) {
      expect({ dashboard, panel: panel.title, datasource: panel.datasource }).toEqual({ dashboard, panel: panel.title, datasource: DATASOURCE });
      expect(panel.targets?.length).toBeGreaterThan(0);
    }
    for (const { panel, target } of everyTarget) expect({ panel, datasource: target.datasource }).toEqual({ panel, datasource: DATASOURCE });
  });

  it("filters every selector of every query on the region variable", () => {
    for (const { panel, target } of everyTarget) {
      const selectors = [...target.expr.matchAll(/[a-z_:][a-z0-9_:]*\{([^}]*)\}/g)];
      expect({ panel, selectors: selectors.length }).not.toEqual({ panel, selectors: 0 });
      for (const [selector, matchers] of selectors) {
        expect({ panel, selector, hasRegion: matchers.includes('region=~"$region"') }).toEqual({ panel, selector, hasRegion: true });
      }
    }
  });

  it("sets a unit on every panel", () => {
    for (const { dashboard, panel } of everyPanel) {
      expect({ dashboard, panel: panel.title, unit: panel.fieldConfig?.defaults?.unit ?? "" }).toEqual({
        dashboard,
        panel: panel.title,
        unit: expect.stringMatching(/.+/),
      });
    }
  });

  it("references only catalogued metrics and recorded SLO series (a misspelt name fails here)", () => {
    const selected = everyTarget.map(({ panel, target }) => ({ panel, names: [...target.expr.matchAll(SELECTED_NAME)].map((m) => m[1]) }));
    for (const { panel, names } of selected) expect({ panel, selects: names.length > 0 }).toEqual({ panel, selects: true });
    const unknown = selected.flatMap(({ panel, names }) => names.filter((n) => !CATALOGUED.has(n) && !RECORDED.has(n)).map((name) => ({ panel, name })));
    expect(unknown).toEqual([]);
    expect(selected.some(({ names }) => names.some((n) => RECORDED.has(n)))).toBe(true);
    // The same with the names found by prefix anywhere in the text, whatever syntax surrounds them.
    const prefixed = everyTarget.flatMap(({ target }) => target.expr.match(METRIC_NAME) ?? []);
    const variableSeries = DASHBOARDS.flatMap((d) => variablesOf(d.json).flatMap((v) => String(v.query ?? "").match(METRIC_NAME) ?? []));
    expect([...prefixed, ...variableSeries].filter((name) => !CATALOGUED.has(name))).toEqual([]);
  });

  it("feeds heatmaps with per-bucket series in Grafana's heatmap format", () => {
    const heatmaps = everyPanel.filter(({ panel }) => panel.type === "heatmap");
    expect(heatmaps.length).toBeGreaterThan(0);
    for (const { panel } of heatmaps) {
      for (const t of panel.targets ?? []) {
        expect(t.format).toBe("heatmap");
        expect(t.expr).toMatch(/^sum by \(le[,)].*_bucket\{/);
      }
    }
  });

  it("shows latency as percentiles, never a mean alone", () => {
    for (const { panel, target } of everyTarget) {
      // sum/count of a histogram is a mean; the dashboards use _sum only for time-in-GC, a share of wall time.
      if (target.expr.includes("_sum{")) expect({ panel, expr: target.expr }).toEqual({ panel, expr: expect.stringContaining("nodejs_gc_duration_seconds_sum") });
    }
  });
});
