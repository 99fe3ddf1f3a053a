/**
 * The two variables every dashboard has: which Prometheus replica to read (each environment's Grafana has one data
 * source per replica, constructs/monitoring/grafana-dashboards.ts) and which regions to show.
 */
import {
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  VariableRefresh,
  VariableSort,
  type DataSourceRef,
} from "@grafana/grafana-foundation-sdk/dashboard";
import { PROCESS_METRICS } from "../services/metrics/catalogue";

export const DATASOURCE_VARIABLE = "datasource";
export const REGION_VARIABLE = "region";

/** What every panel and target points at: whichever replica the datasource variable holds. */
export const DATASOURCE: DataSourceRef = { type: "prometheus", uid: `\${${DATASOURCE_VARIABLE}}` };

export function datasourceVariable(): DatasourceVariableBuilder {
  return new DatasourceVariableBuilder(DATASOURCE_VARIABLE).label("Prometheus").type("prometheus");
}

/**
 * Regions come from the event-loop histogram because both services export it from their first scrape on, whatever
 * traffic there is. "All" is `.+` rather than Grafana's alternation of the listed values, so a region that appears
 * after the dashboard loaded is not silently left out.
 */
export function regionVariable(): QueryVariableBuilder {
  return new QueryVariableBuilder(REGION_VARIABLE)
    .label("Region")
    .datasource(DATASOURCE)
    .query(`label_values(${PROCESS_METRICS.eventLoopDelay.name}_count, region)`)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue(".+")
    .current({ text: "All", value: "$__all" });
}
