/**
 * Turns rows of panels into the JSON the grafana provider deploys: the shared variables, links between the platform's
 * dashboards, and panel ids. The SDK numbers nothing, and Grafana keys panel links and state on the id.
 */
import type * as cog from "@grafana/grafana-foundation-sdk/cog";
import {
  DashboardBuilder,
  DashboardCursorSync,
  DashboardLinkBuilder,
  DashboardLinkType,
  RowBuilder,
  type Panel,
} from "@grafana/grafana-foundation-sdk/dashboard";
import { datasourceVariable, regionVariable } from "./variables";

export interface DashboardDefinition {
  uid: string;
  title: string;
  json: Record<string, unknown>;
}

export interface Row {
  title: string;
  panels: readonly cog.Builder<Panel>[];
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  rows: readonly Row[];
}

/** Every platform dashboard carries it; the links bar lists them all, keeping the time range and the variables. */
export const PLATFORM_TAG = "polysync";

export function defineDashboard(spec: DashboardSpec): DashboardDefinition {
  const builder = new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags([PLATFORM_TAG])
    // Deployed with overwrite on every apply: an edit in the UI would be lost, so the code is the only place to edit.
    .readonly()
    .time({ from: "now-3h", to: "now" })
    .refresh("30s")
    .tooltip(DashboardCursorSync.Crosshair)
    .withVariable(datasourceVariable())
    .withVariable(regionVariable())
    .link(
      new DashboardLinkBuilder("Poly Syncer")
        .type(DashboardLinkType.Dashboards)
        .tags([PLATFORM_TAG])
        .asDropdown(false)
        .includeVars(true)
        .keepTime(true),
    );
  for (const row of spec.rows) {
    // Expanded rows hold no panels of their own: Grafana shows the panels that follow a row up to the next one.
    builder.withRow(new RowBuilder(row.title));
    for (const panel of row.panels) builder.withPanel(panel);
  }
  // Through JSON so the definition holds data only (the SDK's queries carry a marker method) and compares by value.
  const json = JSON.parse(JSON.stringify(builder.build())) as { panels: { id?: number }[] } & Record<string, unknown>;
  json.panels.forEach((panel, i) => (panel.id = i + 1));
  return { uid: spec.uid, title: spec.title, json };
}
