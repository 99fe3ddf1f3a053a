/**
 * promtool unit tests as data. A test group is a set of scenarios, each in its own region, evaluated together: every
 * alert of every rule file is checked at the group's evaluation time, so a scenario proves both what fires and that
 * nothing else does.
 */
import { spawnSync } from "node:child_process";
import { stringify } from "yaml";
import { isAlertingRule, type AlertingRule, type RuleFile } from "../../alerts/rule-types";
import { notation, seriesSelector, times, type Clock, type Labels, type Series } from "./series";

export interface ExpectedAlert {
  alert: string;
  /** Every label of the alert but `alertname`. */
  labels: Labels;
  /** `$value` as the rule's annotations render it (e.g. "50%" under humanizePercentage). */
  value?: string;
}

/** A rule, named by its alert and its static labels (severity, and cause where one alert has several rules). */
export type RuleRef = { alert: string } & Labels;

export interface Scenario {
  region: string;
  proves: string;
  series: Series[];
  fires: ExpectedAlert[];
  /** Rules this scenario is meant to keep quiet (close to their condition, or a trap for a wrong selector). */
  quiet: RuleRef[];
}

/** A PromQL expression and every sample it must return at the clock's last minute (promtool compares values exactly). */
export interface ExpressionCheck {
  expr: string;
  samples: Array<{ labels: Labels; value: number }>;
}

export interface TestGroup {
  name: string;
  /** Every alert is checked once, at the clock's last minute. */
  clock: Clock;
  scenarios: Scenario[];
  checks?: ExpressionCheck[];
}

export function alertingRules(files: RuleFile[]): AlertingRule[] {
  return files.flatMap((f) => f.groups.flatMap((g) => g.rules.filter(isAlertingRule)));
}

export function refOf(rule: AlertingRule): RuleRef {
  return { alert: rule.alert, ...rule.labels };
}

export function sameRef(a: RuleRef, b: RuleRef): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => a[k] === b[k]);
}

/** The one rule an expected alert comes from: same alert name, its static labels among the alert's labels. */
export function ruleOf(rules: AlertingRule[], expected: ExpectedAlert): AlertingRule {
  const matches = rules.filter(
    (r) => r.alert === expected.alert && Object.entries(r.labels).every(([k, v]) => expected.labels[k] === v),
  );
  if (matches.length !== 1)
    throw new Error(`${expected.alert} ${JSON.stringify(expected.labels)} matches ${matches.length} rules`);
  return matches[0];
}

/** Renders the templates our annotations use ($labels.x, $value with or without a humanize function). */
function expand(template: string, expected: ExpectedAlert): string {
  return template
    .replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, name: string) => {
      if (!(name in expected.labels))
        throw new Error(`${expected.alert}: the annotation uses $labels.${name}, the alert has none`);
      return expected.labels[name];
    })
    .replace(/\{\{ \$value(?: \| \w+)? \}\}/g, () => {
      if (expected.value === undefined)
        throw new Error(`${expected.alert}: the annotation shows $value; give the expected text`);
      return expected.value;
    });
}

/** One test file for groups sharing a clock step (promtool evaluates rules at one interval per file). */
export function renderTestFile(files: RuleFile[], paths: string[], step: number, groups: TestGroup[]): string {
  const rules = alertingRules(files);
  const alertNames = [...new Set(rules.map((r) => r.alert))].sort();
  return stringify(
    {
      rule_files: paths,
      evaluation_interval: `${step}m`,
      // Without an order promtool evaluates the groups in Go's map order, so an alert would read this step's
      // recordings in one run and the previous step's in the next.
      group_eval_order: files.flatMap((f) => f.groups.map((g) => g.name)),
      tests: groups.map((g) => {
        if (g.clock.step !== step) throw new Error(`${g.name}: step ${g.clock.step}m in a ${step}m file`);
        const samples = times(g.clock).length;
        const expected = g.scenarios.flatMap((s) => s.fires);
        return {
          name: g.name,
          interval: `${step}m`,
          input_series: g.scenarios.flatMap((s) =>
            s.series.map((series) => {
              if (series.labels.region !== s.region)
                throw new Error(
                  `${g.name}/${s.region}: ${seriesSelector(series.metric, series.labels)} is in another region`,
                );
              if (series.values.length !== samples)
                throw new Error(
                  `${g.name}/${s.region}: ${seriesSelector(series.metric, series.labels)} has ${
                    series.values.length
                  } samples`,
                );
              return { series: seriesSelector(series.metric, series.labels), values: notation(series.values) };
            }),
          ),
          promql_expr_test: (g.checks ?? []).map((c) => ({
            expr: c.expr,
            eval_time: `${g.clock.minutes}m`,
            exp_samples: c.samples.map((x) => ({ labels: seriesSelector("", x.labels), value: x.value })),
          })),
          alert_rule_test: alertNames.map((alertname) => ({
            eval_time: `${g.clock.minutes}m`,
            alertname,
            exp_alerts: expected
              .filter((e) => e.alert === alertname)
              .map((e) => {
                const rule = ruleOf(rules, e);
                return {
                  exp_labels: e.labels,
                  exp_annotations: Object.fromEntries(
                    Object.entries(rule.annotations).map(([k, v]) => [k, expand(v, e)]),
                  ),
                };
              }),
          })),
        };
      }),
    },
    { lineWidth: 0, aliasDuplicateObjects: false },
  );
}

export function promtool(args: string[]): { status: number | null; output: string } {
  const run = spawnSync("promtool", args, { encoding: "utf8" });
  if (run.error) throw run.error;
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}
