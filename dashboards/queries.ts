/**
 * Every PromQL expression the dashboards run, with the Grafana variables replaced by concrete values, so a test can
 * run each one against a real Prometheus.
 */
import type { DashboardDefinition } from "./define";
import { RATE_WINDOW, REGION } from "./promql";
import { REGION_VARIABLE } from "./variables";

export interface PanelQuery {
  dashboard: string;
  /** The panel title, or `variable <name>` for a variable's `label_values` series. */
  panel: string;
  expr: string;
  /** Metric names the expression selects (suffix included), for checking they exist when a query is legitimately empty. */
  metrics: string[];
}

export interface QueryValues {
  /** Regex the `$region` variable stands for; `.+` is the dashboards' "All". */
  region?: string;
  /** What Grafana's `$__rate_interval` becomes: at least four scrape intervals. */
  rateInterval?: string;
}

interface PanelJson {
  type: string;
  title: string;
  targets?: { expr?: string }[];
}
interface VariableJson {
  name: string;
  query?: unknown;
}

/** Every selector the helpers write carries the region filter, so a metric name is always followed by `{`. */
const SELECTED_NAME = /([a-zA-Z_:][a-zA-Z0-9_:]*)\{/g;
/** A variable's series is a bare metric name. */
const BARE_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

export function selectedMetrics(expr: string): string[] {
  if (BARE_NAME.test(expr)) return [expr];
  return [...new Set([...expr.matchAll(SELECTED_NAME)].map((m) => m[1]))].sort();
}

function substitute(expr: string, values: Required<QueryValues>): string {
  const concrete = expr.split(REGION).join(values.region).split(RATE_WINDOW).join(values.rateInterval);
  if (concrete.includes("$")) throw new Error(`unsubstituted variable in: ${concrete}`);
  return concrete;
}

export function dashboardQueries(definition: DashboardDefinition, values: QueryValues = {}): PanelQuery[] {
  const concrete = { region: values.region ?? ".+", rateInterval: values.rateInterval ?? "1m" };
  const entry = (panel: string, expr: string): PanelQuery => {
    const substituted = substitute(expr, concrete);
    return { dashboard: definition.uid, panel, expr: substituted, metrics: selectedMetrics(substituted) };
  };
  const variables = (definition.json.templating as { list: VariableJson[] }).list;
  const panels = definition.json.panels as PanelJson[];
  return [
    ...variables
      .filter((v) => v.name === REGION_VARIABLE)
      .map((v) => {
        const series = /^label_values\((.+), *[a-z_]+\)$/.exec(String(v.query));
        if (!series) throw new Error(`${definition.uid}: variable ${v.name} is not label_values(series, label)`);
        return entry(`variable ${v.name}`, series[1]);
      }),
    ...panels.flatMap((p) => (p.targets ?? []).map((t) => entry(p.title, t.expr ?? ""))),
  ];
}
