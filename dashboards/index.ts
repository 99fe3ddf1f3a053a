/**
 * The dashboards the IaC deploys. Empty until the observability issue builds them with the Grafana foundation SDK;
 * the grafana provider wiring in the global stack already consumes this list.
 */
export interface DashboardDefinition {
  uid: string;
  title: string;
  json: Record<string, unknown>;
}

export const DASHBOARDS: readonly DashboardDefinition[] = [];
