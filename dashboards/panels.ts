/**
 * Panel factories. Each one takes a unit and a description (what the panel shows and what bad looks like), and points
 * the panel and every target at the datasource variable, so no panel can be built without them.
 */
import type * as cog from "@grafana/grafana-foundation-sdk/cog";
import {
  LegendDisplayMode,
  LegendPlacement,
  SortOrder,
  TooltipDisplayMode,
  VizLegendOptionsBuilder,
  VizTooltipOptionsBuilder,
  StackingConfigBuilder,
  StackingMode,
  ReduceDataOptionsBuilder,
  BigValueColorMode,
  BigValueGraphMode,
  GraphThresholdsStyleConfigBuilder,
  GraphThresholdsStyleMode,
} from "@grafana/grafana-foundation-sdk/common";
import {
  MappingType,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  type Panel,
  type ValueMapping,
} from "@grafana/grafana-foundation-sdk/dashboard";
import { DataqueryBuilder, PromQueryFormat } from "@grafana/grafana-foundation-sdk/prometheus";
import * as timeseriesPanel from "@grafana/grafana-foundation-sdk/timeseries";
import * as statPanel from "@grafana/grafana-foundation-sdk/stat";
import * as heatmapPanel from "@grafana/grafana-foundation-sdk/heatmap";
import * as stateTimelinePanel from "@grafana/grafana-foundation-sdk/statetimeline";
import type { MetricDefinition } from "../services/metrics/catalogue";
import { quantile, type Grouping } from "./promql";
import { DATASOURCE } from "./variables";

export interface Query {
  expr: string;
  legend: string;
}

export interface PanelSpec {
  title: string;
  description: string;
  unit: string;
  queries: readonly Query[];
  /** Grid columns out of 24. */
  width?: number;
  height?: number;
}

/** 0.995 → "99.5 %", for descriptions and titles. */
export const percentText = (ratio: number) => `${Number((ratio * 100).toPrecision(12))} %`;

/** A colour from `from` upwards; the first step's `from` is null (everything below the second). */
export type Step = readonly [color: string, from: number | null];

function targets(queries: readonly Query[], heatmap = false): DataqueryBuilder[] {
  return queries.map((q, i) => {
    const target = new DataqueryBuilder()
      .refId(String.fromCharCode(65 + i))
      .datasource(DATASOURCE)
      .expr(q.expr)
      .legendFormat(q.legend);
    return heatmap ? target.format(PromQueryFormat.Heatmap) : target;
  });
}

function thresholds(steps: readonly Step[]): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder()
    .mode(ThresholdsMode.Absolute)
    .steps(steps.map(([color, value]) => ({ color, value })));
}

/** Value → label and colour, e.g. for 0/1 readiness or an encoded state. */
export function valueMappings(entries: readonly (readonly [value: number, text: string, color: string])[]): ValueMapping[] {
  const options = Object.fromEntries(entries.map(([value, text, color], index) => [String(value), { text, color, index }]));
  return [{ type: MappingType.ValueToText, options }];
}

/** p50, p99 and max (the highest occupied bucket's bound) of a histogram: a mean hides exactly the fills that hurt. */
export function percentiles(metric: MetricDefinition, grouping: Grouping, legend: string): Query[] {
  return [
    { expr: quantile(0.5, metric, grouping), legend: `${legend} p50` },
    { expr: quantile(0.99, metric, grouping), legend: `${legend} p99` },
    { expr: quantile(1, metric, grouping), legend: `${legend} max ≤` },
  ];
}

/** `steps`, when given, are drawn as dashed lines: the levels at which the alerts fire. */
export function timeseries(spec: PanelSpec & { stacked?: boolean; max?: number; steps?: readonly Step[] }): cog.Builder<Panel> {
  const panel = new timeseriesPanel.PanelBuilder()
    .title(spec.title)
    .description(spec.description)
    .datasource(DATASOURCE)
    .unit(spec.unit)
    .min(0)
    .span(spec.width ?? 12)
    .height(spec.height ?? 8)
    .fillOpacity(spec.stacked ? 60 : 10)
    .legend(
      new VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(LegendDisplayMode.Table)
        .placement(LegendPlacement.Bottom)
        .calcs(["lastNotNull", "max"]),
    )
    .tooltip(new VizTooltipOptionsBuilder().mode(TooltipDisplayMode.Multi).sort(SortOrder.Descending))
    .targets(targets(spec.queries));
  if (spec.stacked) panel.stacking(new StackingConfigBuilder().mode(StackingMode.Normal));
  if (spec.max !== undefined) panel.max(spec.max);
  if (spec.steps) {
    panel
      .thresholds(thresholds(spec.steps))
      .thresholdsStyle(new GraphThresholdsStyleConfigBuilder().mode(GraphThresholdsStyleMode.Dashed));
  }
  return panel;
}

/** The latest value, coloured by thresholds; for the few numbers an on-call engineer reads before anything else. */
export function stat(
  spec: PanelSpec & { steps: readonly Step[]; mappings?: ValueMapping[]; decimals?: number },
): cog.Builder<Panel> {
  const panel = new statPanel.PanelBuilder()
    .title(spec.title)
    .description(spec.description)
    .datasource(DATASOURCE)
    .unit(spec.unit)
    .span(spec.width ?? 6)
    .height(spec.height ?? 5)
    .thresholds(thresholds(spec.steps))
    .colorMode(BigValueColorMode.Background)
    .graphMode(BigValueGraphMode.Area)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(["lastNotNull"]).values(false))
    .targets(targets(spec.queries));
  if (spec.mappings) panel.mappings(spec.mappings);
  if (spec.decimals !== undefined) panel.decimals(spec.decimals);
  return panel;
}

/** A Prometheus histogram drawn bucket by bucket (the query must return `le` series; see `bucketIncrease`). */
export function heatmap(spec: PanelSpec): cog.Builder<Panel> {
  return new heatmapPanel.PanelBuilder()
    .title(spec.title)
    .description(spec.description)
    .datasource(DATASOURCE)
    .unit(spec.unit)
    .span(spec.width ?? 12)
    .height(spec.height ?? 8)
    .calculate(false)
    .yAxis(new heatmapPanel.YAxisConfigBuilder().unit(spec.unit))
    .cellValues(new heatmapPanel.CellValuesBuilder().unit("short"))
    .color(
      new heatmapPanel.HeatmapColorOptionsBuilder()
        .mode(heatmapPanel.HeatmapColorMode.Scheme)
        .scheme("Oranges")
        .scale(heatmapPanel.HeatmapColorScale.Exponential)
        .exponent(0.5)
        .steps(64),
    )
    .targets(targets(spec.queries, true));
}

/** One lane per series, coloured by the mapped value: which provider was in which state, when. */
export function stateTimeline(spec: PanelSpec & { mappings: ValueMapping[] }): cog.Builder<Panel> {
  return new stateTimelinePanel.PanelBuilder()
    .title(spec.title)
    .description(spec.description)
    .datasource(DATASOURCE)
    .unit(spec.unit)
    .span(spec.width ?? 24)
    .height(spec.height ?? 8)
    .mappings(spec.mappings)
    // The mappings colour every known value; anything unmapped shows in the base colour.
    .thresholds(thresholds([["text", null]]))
    .mergeValues(true)
    .targets(targets(spec.queries));
}
