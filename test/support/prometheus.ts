/**
 * A real Prometheus for tests: scrapes the given 127.0.0.1 targets every second with the labels production relabelling
 * gives (region, env, service, job), optionally evaluates rule files, and stops by itself with the test.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { stringify } from "yaml";
import { stopChildProcess } from "../../services/shared/child-process";
import { PrometheusApi } from "../../services/triage/prometheus-api";
import { binaryOnPath } from "./binaries";
import { freePort } from "./nats-server";

export interface ScrapeTarget {
  /** The job, also the `service` label, as on the monitoring hosts. */
  job: string;
  /** host:port of a /metrics endpoint. */
  address: string;
  region: string;
  env?: string;
}

export interface TestPrometheus {
  url: string;
  api: PrometheusApi;
  /** Waits until every target has been scraped successfully at least `scrapes` times. Bounded. */
  waitForScrapes(scrapes?: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface TestPrometheusOptions {
  targets: ScrapeTarget[];
  /** Rule files (YAML text) to load, by file name. */
  ruleFiles?: Record<string, string>;
  scrapeIntervalSeconds?: number;
}

export async function startTestPrometheus(options: TestPrometheusOptions): Promise<TestPrometheus> {
  const binary = binaryOnPath("prometheus", "prometheus");
  const dir = mkdtempSync(path.join(tmpdir(), "prometheus-test-"));
  const interval = `${options.scrapeIntervalSeconds ?? 1}s`;
  const ruleFiles = Object.entries(options.ruleFiles ?? {}).map(([name, text]) => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
  });
  const config = {
    global: { scrape_interval: interval, evaluation_interval: interval, external_labels: { env: "test" } },
    rule_files: ruleFiles,
    scrape_configs: options.targets.map((t, i) => ({
      job_name: `${t.job}-${i}`,
      scrape_timeout: interval,
      static_configs: [{ targets: [t.address], labels: { job: t.job, service: t.job, region: t.region, env: t.env ?? "test" } }],
      // Production relabelling sets `job` from the service label; keep it so queries match production's.
      relabel_configs: [{ target_label: "job", replacement: t.job }],
    })),
  };
  const configFile = path.join(dir, "prometheus.yml");
  writeFileSync(configFile, stringify(config));
  const port = await freePort();
  const child = spawn(
    binary,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${path.join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--log.level=warn",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let output = "";
  child.stderr?.on("data", (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopChildProcess(child, 5000);
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`prometheus exited with ${child.exitCode}: ${output}`);
    }
    const ready = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus did not become ready on ${url} within 15 s: ${output}`);
    }
    await sleep(100);
  }

  const api = new PrometheusApi({ url });
  return {
    url,
    api,
    async waitForScrapes(scrapes = 3, timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const up = await api.query(`count_over_time(up[5m])`);
        const healthy = await api.query(`up`);
        const scraped = up.filter((s) => s.value >= scrapes).length;
        if (scraped === options.targets.length && healthy.length === options.targets.length && healthy.every((s) => s.value === 1)) return;
        if (Date.now() > until) {
          throw new Error(
            `prometheus scraped ${scraped}/${options.targets.length} targets ${scrapes}× within ${timeoutMs} ms; up: ${JSON.stringify(healthy)}`,
          );
        }
        await sleep(250);
      }
    },
    stop,
  };
}
