/**
 * The scrape jobs whose health the alerts watch. Job names are the services' names (constructs/monitoring/
 * prometheus-config.ts names each job after the hosts' `service` label).
 */
import type { ServiceName } from "../stacks/topology/schema";

export type Severity = "page" | "ticket";

export interface ScrapeJob {
  job: ServiceName | "latency-exporter";
  /** A region without any instance of the job: page when copies depend on it, ticket when only our view of it does. */
  severity: Severity;
}

export const SCRAPE_JOBS: readonly ScrapeJob[] = [
  { job: "listener", severity: "page" },
  { job: "executor", severity: "page" },
  { job: "latency-exporter", severity: "ticket" },
];

export const LISTENER_JOB = "listener" satisfies ScrapeJob["job"];
