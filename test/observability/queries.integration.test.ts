/**
 * Every dashboard panel query and every rule expression, run against a real Prometheus that scrapes the local stack
 * (listener, executor, latency exporter) while a leader trades and providers misbehave. A misspelt metric, label or
 * function fails here, not in Grafana at 3 a.m.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { stringify } from "yaml";
import { ruleFiles } from "../../alerts/rules";
import { isAlertingRule } from "../../alerts/rule-types";
import { allPanelQueries } from "../../dashboards";
import type { LocalStack } from "../../services/local-stack/stack";
import { LEADER_A } from "../support/listener-stack";
import { OBSERVED_REGION as REGION, startObservedStack, type ObservedStack } from "../support/observed-stack";
import type { TestPrometheus } from "../support/prometheus";
import { waitFor } from "../support/wait";


/** The rules as production has them, evaluated every second instead of every 15 s to 5 min so a short test sees results. */
function fastRuleFiles(): Record<string, string> {
  return Object.fromEntries(
    ruleFiles().map((f) => [f.file, stringify({ groups: f.groups.map((g) => ({ ...g, interval: "1s" })) })]),
  );
}

interface RuleStatus {
  name: string;
  health: string;
  lastError?: string;
  type: string;
}

describe("observability queries against a real Prometheus scraping the local stack", () => {
  let observed: ObservedStack;
  let stack: LocalStack;
  let prometheus: TestPrometheus;

  beforeAll(async () => {
    observed = await startObservedStack({ seed: "observability", latency: "default", ruleFiles: fastRuleFiles() });
    ({ stack, prometheus } = observed);
    // Errors and throttling from two providers, so the error series the panels and alerts read exist.
    await stack.providers.client.setFault("drpc", "http-429", { probability: 0.3, scope: "http" });
    await stack.providers.client.setFault("quicknode", "http-5xx", { probability: 0.2, scope: "http" });
    // Hedges happen only when a primary is slower than its own p95, which a short quiet run may never see: stall some
    // of every provider's HTTP answers for a while, so the hedged-requests series exists.
    for (const name of ["alchemy", "infura"]) {
      await stack.providers.client.setFault(name, "stall", { probability: 0.3, scope: "http", durationMs: 15_000 });
    }
    await prometheus.waitForScrapes(5);
    // Copies must have reached the venue and been mined, so the executor's latency histograms have observations.
    await waitFor(
      "copies accepted and filled",
      async () => (await prometheus.api.query(`sum(polysync_executor_outcomes_total{outcome="filled"})`))[0]?.value ?? 0,
      45_000,
      500,
    );
    // The rarer events the panels count: a reorg that cancels intents, malformed payloads, a dropped socket.
    await observed.pauseTrading();
    const reorged = await stack.sim.leaderAsMaker({ leader: LEADER_A, side: "BUY", counterparties: 1 });
    await sleep(1000);
    await stack.sim.reorg(5, reorged.leaderFills[0]!.txHash);
    observed.resumeTrading();
    await stack.providers.client.setFault("infura", "malformed", { probability: 0.05, scope: "ws" });
    await stack.providers.client.setFault("alchemy", "drop-subscriptions", { mode: "close", durationMs: 1000 });
    await waitFor(
      "a reorg, a malformed payload and a reconnect scraped",
      async () =>
        (await prometheus.api.query(
          `count(polysync_listener_reorgs_total) + count(polysync_listener_malformed_total) + count(polysync_rpc_reconnects_total) + count(polysync_listener_intents_cancelled_total)`,
        )).length > 0,
      30_000,
      500,
    );
    await sleep(3000);
  }, 120_000);

  afterAll(async () => {
    await observed?.stop();
  });

  it("every panel query parses, and every metric it selects exists", async () => {
    const queries = allPanelQueries({ region: REGION, rateInterval: "15s" });
    expect(queries.length).toBeGreaterThan(40);
    const failures: string[] = [];
    const empty: string[] = [];
    for (const q of queries) {
      const where = `${q.dashboard} / ${q.panel}: ${q.expr}`;
      const result = await prometheus.api.query(q.expr).catch((err: Error) => {
        failures.push(`${where}\n    ${err.message}`);
        return undefined;
      });
      if (result === undefined) continue;
      for (const metric of q.metrics) {
        const series = await prometheus.api.query(`count({__name__="${metric}", region="${REGION}"})`);
        if (series.length === 0) failures.push(`${where}\n    selects ${metric}, which Prometheus has never scraped`);
      }
      if (result.length === 0) empty.push(where);
    }
    expect(failures).toEqual([]);
    // Panels over rare events (reorgs, cancels) may be empty in a short run; most must show data.
    expect(empty.length).toBeLessThan(queries.length * 0.25);
  }, 120_000);

  it("every rule loads and evaluates without error, every recording rule returns data", async () => {
    const res = await fetch(`${prometheus.url}/api/v1/rules`);
    const body = (await res.json()) as { data: { groups: { name: string; rules: RuleStatus[] }[] } };
    const loaded = body.data.groups.flatMap((g) => g.rules);
    const defined = ruleFiles().flatMap((f) => f.groups.flatMap((g) => g.rules));
    expect(loaded).toHaveLength(defined.length);
    expect(loaded.filter((r) => r.health === "err").map((r) => `${r.name}: ${r.lastError}`)).toEqual([]);

    const records = [...new Set(defined.flatMap((r) => (isAlertingRule(r) ? [] : [r.record])))];
    const missing: string[] = [];
    for (const record of records) {
      if ((await prometheus.api.query(`${record}{region="${REGION}"}`)).length === 0) missing.push(record);
    }
    expect(missing).toEqual([]);
  }, 60_000);

  it("every alert expression runs as a query", async () => {
    const alerts = ruleFiles().flatMap((f) => f.groups.flatMap((g) => g.rules.filter(isAlertingRule)));
    const failures: string[] = [];
    for (const alert of alerts) {
      await prometheus.api.query(alert.expr).catch((err: Error) => failures.push(`${alert.alert}: ${err.message}`));
    }
    expect(failures).toEqual([]);
  }, 60_000);
});
