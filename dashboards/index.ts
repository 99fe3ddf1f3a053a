/** The dashboards the IaC deploys (constructs/monitoring/grafana-dashboards.ts), built with the Grafana foundation SDK. */
import type { DashboardDefinition } from "./define";
import { executorDashboard } from "./executor";
import { listenerDashboard } from "./listener";
import { overviewDashboard } from "./overview";
import { dashboardQueries, type PanelQuery, type QueryValues } from "./queries";
import { rpcProvidersDashboard } from "./rpc-providers";
import { triageDashboard } from "./triage";

export type { DashboardDefinition } from "./define";
export type { PanelQuery, QueryValues } from "./queries";

export const DASHBOARDS: readonly DashboardDefinition[] = [
  overviewDashboard,
  listenerDashboard,
  executorDashboard,
  rpcProvidersDashboard,
  triageDashboard,
];

/** Every panel query (and the region variable's series) of every dashboard, variables replaced by `values`. */
export function allPanelQueries(values: QueryValues = {}): PanelQuery[] {
  return DASHBOARDS.flatMap((d) => dashboardQueries(d, values));
}

/** The bytes `npm run build:dashboards` writes and Grafana receives: same definitions, same bytes. */
export function renderDashboard(definition: DashboardDefinition): string {
  return `${JSON.stringify(definition.json, null, 2)}\n`;
}
