import { parseArgs } from "node:util";

export const TRIAGE_USAGE = `usage: npm run triage -- [--region <name>] [--window <duration>] [--env <name>] [--prometheus <url>] [--json]
       (on a host: node /opt/polysync/latency-exporter/current/triage.mjs …)
Reads the last <window> (default 15m) from Prometheus (default $PROMETHEUS_URL, else http://127.0.0.1:9090) and prints
end-to-end latency against the SLO, where the time goes, each provider and process, and a verdict naming the culprit.`;

export class UsageError extends Error {
  constructor(message: string) {
    super(`${message}\n${TRIAGE_USAGE}`);
  }
}

export interface TriageOptions {
  prometheusUrl: string;
  window: string;
  region?: string;
  env?: string;
  json: boolean;
}

/** Prometheus's duration syntax, one unit: what a range selector accepts. */
const DURATION = /^[1-9]\d*(ms|s|m|h|d|w)$/;
const LABEL_VALUE = /^[a-z0-9][a-z0-9-]{0,62}$/;

export function parseTriageArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): TriageOptions | "help" {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        prometheus: { type: "string" },
        region: { type: "string" },
        env: { type: "string" },
        window: { type: "string", default: "15m" },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return "help";
  if (!DURATION.test(values.window)) throw new UsageError(`--window "${values.window}" is not a duration such as 15m, 90s or 1h`);
  for (const label of ["region", "env"] as const) {
    const value = values[label];
    if (value !== undefined && !LABEL_VALUE.test(value)) {
      throw new UsageError(`--${label} "${value}" is not a ${label} name (lower-case letters, digits and '-')`);
    }
  }
  return {
    prometheusUrl: values.prometheus ?? env.PROMETHEUS_URL ?? "http://127.0.0.1:9090",
    window: values.window,
    region: values.region,
    env: values.env,
    json: values.json,
  };
}
